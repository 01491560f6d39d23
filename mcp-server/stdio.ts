// The MCP server over stdio, for clients that start it as a subprocess (Claude Desktop, Inspector).
import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { ToolContext } from '../tools/context.ts';
import { createMcpServer, createMcpShared } from './server.ts';
import { loadServerConfig } from '../server/config.ts';

/**
 * Counts requests that have not been answered yet, so that when the client closes stdin right
 * after a request (`echo ... | visualref mcp`) the answer is still written before the server exits.
 */
function trackInFlight(transport: StdioServerTransport): { drained: () => Promise<void> } {
  const open = new Set<RequestId>();
  let wake: (() => void) | undefined;
  const receive = transport.onmessage;
  transport.onmessage = (message: JSONRPCMessage) => {
    if ('method' in message && 'id' in message) open.add(message.id);
    receive?.(message);
  };
  const send = transport.send.bind(transport);
  transport.send = async (message: JSONRPCMessage) => {
    try {
      await send(message);
    } finally {
      if (!('method' in message) && 'id' in message && message.id !== undefined) {
        open.delete(message.id);
        if (open.size === 0) wake?.();
      }
    }
  };
  return {
    drained: () => (open.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => (wake = resolve))),
  };
}

/** Serves until the client closes stdin and every request received has been answered. */
export async function runStdioServer(ctx: ToolContext, input: Readable, output: Writable): Promise<void> {
  const settings = loadServerConfig();
  const shared = createMcpShared(ctx, settings.mcp);
  const server = createMcpServer(shared);
  // A request carries an uploaded image as base64: allow a message up to the HTTP body limit.
  const transport = new StdioServerTransport(input, output, { maxBufferSize: settings.http.maxBodyBytes });
  const ended = new Promise<void>((resolve) => {
    input.once('end', resolve);
    input.once('close', resolve);
  });
  await server.connect(transport);
  const inFlight = trackInFlight(transport);
  try {
    await ended;
    await inFlight.drained();
  } finally {
    shared.close();
    await server.close();
  }
}
