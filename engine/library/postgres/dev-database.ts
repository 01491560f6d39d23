// A Postgres for development and tests: PGlite (Postgres compiled to WebAssembly) with pgvector,
// served on the Postgres wire protocol by pglite-socket, so the postgres backend talks to it through
// the same client and SQL as to a real server. In memory unless a data folder is given.
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface DevDatabase {
  /** A connection URL for the postgres backend (`--db`). */
  url: string;
  stop(): Promise<void>;
}

export interface DevDatabaseOptions {
  port: number;
  /** A folder to keep the database in; in memory when absent. */
  dataDir?: string;
  /** Concurrent client connections accepted (each `serve` process holds a pool of them). */
  maxConnections?: number;
}

export async function startDevDatabase(options: DevDatabaseOptions): Promise<DevDatabase> {
  const db = await PGlite.create({ dataDir: options.dataDir, extensions: { vector } });
  const server = new PGLiteSocketServer({ db, port: options.port, host: '127.0.0.1', maxConnections: options.maxConnections ?? 32 });
  try {
    await server.start();
  } catch (err) {
    await db.close();
    throw err;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${options.port}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
