// The MCP server over stdio, for clients that start it as a subprocess (Claude Desktop, Inspector).
import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { ToolContext } from '../tools/context.ts';
import { createMcpServer, createMcpShared } from './server.ts';

/** Serves until the client closes stdin; resolves then. */
export async function runStdioServer(ctx: ToolContext, input: Readable, output: Writable): Promise<void> {
  const shared = createMcpShared(ctx);
  const server = createMcpServer(shared);
  // A request carries an uploaded image as base64: allow a message up to the HTTP body limit.
  const transport = new StdioServerTransport(input, output, { maxBufferSize: ctx.config.server.http.maxBodyBytes });
  const closed = new Promise<void>((resolve) => {
    transport.onclose = resolve;
    input.once('end', resolve);
  });
  await server.connect(transport);
  try {
    await closed;
  } finally {
    shared.close();
    await server.close();
  }
}
