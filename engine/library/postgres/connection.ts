// Connecting to the postgres backend's database, with errors that name the database (password
// hidden) and what to install or start.
import pg from 'pg';

/** `url` with its password replaced by ***, for messages and status. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparseable postgres URL)';
  }
}

export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//.test(value);
}

export class DatabaseUnavailableError extends Error {}

/** pgvector's ceiling on hnsw.ef_search. */
export const maxSearchEf = 1000;

const installHint =
  'Postgres 15 or later with the pgvector extension 0.7 or later (e.g. `apt install postgresql-17-pgvector`), or for development `npm run db:dev -- --port N`';

/**
 * A pool of connections to `url`, checked once: the server answers, and pgvector is (or can be)
 * installed in it. `searchEf` sets pgvector's hnsw.ef_search on every connection.
 */
export async function openPool(url: string, options: { searchEf: number; max?: number }): Promise<pg.Pool> {
  if (!isPostgresUrl(url)) throw new DatabaseUnavailableError(`--db: expected a postgres:// URL, got ${redactUrl(url)}`);
  const efSearch = Math.min(maxSearchEf, Math.max(1, Math.floor(options.searchEf)));
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 4,
    connectionTimeoutMillis: 10_000,
    // Awaited by the pool before it hands the connection out (the types say void; pg-pool awaits it).
    onConnect: (client) => client.query(`SET hnsw.ef_search = ${efSearch}`) as unknown as void,
  });
  // An idle connection that breaks (the server restarted) must not crash the process.
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    const reason = err instanceof Error ? ((err as NodeJS.ErrnoException).code ?? err.message) : String(err);
    throw new DatabaseUnavailableError(`cannot reach the database ${redactUrl(url)} (${reason}); visualref --db needs ${installHint}`);
  }
  try {
    await pool.query('CREATE EXTENSION IF NOT EXISTS vector');
  } catch (err) {
    await pool.end().catch(() => undefined);
    const reason = err instanceof Error ? err.message : String(err);
    throw new DatabaseUnavailableError(`the database ${redactUrl(url)} has no pgvector (${reason}); install ${installHint}`);
  }
  return pool;
}
