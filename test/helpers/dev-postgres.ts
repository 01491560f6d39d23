// A PGlite + pgvector server for a test file (engine/library/postgres/dev-database.ts), stopped when
// the test ends, with a reset that drops the library so each test starts from an empty database.
import { startDevDatabase, type DevDatabase } from '../../engine/library/postgres/dev-database.ts';
import pg from 'pg';

/** PGlite takes tens of seconds to start on a loaded machine. */
export const devDatabaseStartTimeoutMs = 240_000;

export async function startTestDatabase(t: { after(fn: () => Promise<void>): void }, port: number): Promise<DevDatabase & { reset(): Promise<void> }> {
  const database = await startDevDatabase({ port });
  t.after(() => database.stop());
  return {
    ...database,
    async reset() {
      const client = new pg.Client(database.url);
      await client.connect();
      try {
        await client.query('DROP TABLE IF EXISTS images, visualref_meta CASCADE');
      } finally {
        await client.end();
      }
    },
  };
}
