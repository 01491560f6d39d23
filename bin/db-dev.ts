// `npm run db:dev -- --port N [--data <folder>]`: a PGlite + pgvector server on 127.0.0.1 for the
// postgres backend, until Ctrl-C.
import { parseArgs } from 'node:util';
import { startDevDatabase } from '../engine/library/postgres/dev-database.ts';

const { values } = parseArgs({ options: { port: { type: 'string', default: '7580' }, data: { type: 'string' } } });
const port = Number(values.port);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  process.stderr.write(`--port: expected a TCP port (1-65535), got ${values.port}\n`);
  process.exit(2);
}
const database = await startDevDatabase({ port, dataDir: values.data });
process.stdout.write(`${database.url}\n`);
const stop = () => {
  void database.stop().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
