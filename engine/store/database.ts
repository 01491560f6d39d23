// Opens the library's SQLite database. Each part of the engine (images here; sessions, captions and
// regions elsewhere) creates its own tables through `ensureSchema`, keyed by a name and a version.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

export type Database = BetterSqlite3.Database;

export function openDatabase(file: string, options: { readonly?: boolean } = {}): Database {
  if (!options.readonly) mkdirSync(dirname(file), { recursive: true });
  // SQLite takes a 0-byte file for a new, empty database: a truncated library would then look like
  // one holding 0 images. Every database this program writes has its header from the first open on.
  if (existsSync(file) && statSync(file).size === 0) throw new DatabaseDamagedError(file, 'is empty (0 bytes)');
  let db: Database | undefined;
  try {
    db = new BetterSqlite3(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    // WAL lets readers (web app, MCP server) work while the indexer writes; NORMAL synchronous is
    // durable across process kills (only an OS crash can lose the last transactions, never corrupt).
    if (!options.readonly) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.exec(`CREATE TABLE IF NOT EXISTS schema_versions (
      name TEXT PRIMARY KEY,
      version INTEGER NOT NULL
    )`);
    return db;
  } catch (err) {
    db?.close();
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') throw new DatabaseDamagedError(file, `is damaged (${err instanceof Error ? err.message : String(err)})`);
    throw err;
  }
}

/** A database file that exists but cannot be used; the message names the file. */
export class DatabaseDamagedError extends Error {
  override name = 'DatabaseDamagedError';
  constructor(
    readonly file: string,
    why: string,
  ) {
    super(`${file} ${why}: restore it from a backup, or move it aside and index again`);
  }
}

/**
 * Runs `migrations[i]` for every version above the one recorded for `name`, each in a transaction, so
 * a module's tables are created once and upgraded in order. Version n is `migrations[n - 1]`.
 */
export function ensureSchema(db: Database, name: string, migrations: string[]): void {
  const row = db.prepare('SELECT version FROM schema_versions WHERE name = ?').get(name) as { version: number } | undefined;
  const current = row?.version ?? 0;
  if (current > migrations.length) {
    throw new Error(`database schema "${name}" is at version ${current}, newer than this program knows (${migrations.length})`);
  }
  for (let version = current + 1; version <= migrations.length; version++) {
    db.transaction(() => {
      db.exec(migrations[version - 1]);
      db.prepare('INSERT INTO schema_versions (name, version) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET version = excluded.version').run(name, version);
    })();
  }
}
