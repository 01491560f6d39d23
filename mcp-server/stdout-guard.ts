// Over stdio, stdout carries only MCP protocol messages. This takes stdout for the protocol and
// sends every other write to it (console.log of any library, stray prints) to stderr instead.
import { Writable } from 'node:stream';

let reserved: Writable | undefined;

/** Returns the stream that writes to the real stdout; from now on process.stdout.write goes to stderr. */
export function reserveStdoutForProtocol(): Writable {
  if (reserved) return reserved;
  const stdout = process.stdout;
  const realWrite = stdout.write.bind(stdout) as (chunk: Uint8Array | string, callback: (err?: Error | null) => void) => boolean;
  reserved = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      realWrite(chunk, (err) => callback(err ?? null));
    },
  });
  stdout.write = process.stderr.write.bind(process.stderr) as typeof stdout.write;
  return reserved;
}
