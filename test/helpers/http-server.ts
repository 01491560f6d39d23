// Runs createApp on 127.0.0.1 with an ephemeral port for a test.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import { createApp, type AppOptions } from '../../server/app.ts';
import type { ToolContext } from '../../tools/context.ts';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function startServer(ctx: ToolContext, options: Partial<AppOptions> = {}): Promise<RunningServer> {
  const stop = new AbortController();
  const app = createApp(ctx, { loopbackOnly: true, ...options, signal: stop.signal });
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }) as Server;
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      stop.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
