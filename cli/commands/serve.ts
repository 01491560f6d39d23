// visualref serve: the web app and the MCP server (Streamable HTTP at /mcp) on one HTTP server.
import { z } from 'zod';
import { serve } from '@hono/node-server';
import type { Command } from '../main.ts';
import { parseFlags } from '../args.ts';
import { UsageError } from '../usage-error.ts';
import { log } from '../../engine/log.ts';
import { openToolContext } from '../../tools/context.ts';
import { loadServerConfig } from '../../server/config.ts';
import { createApp } from '../../server/app.ts';
import { createWebRoutes } from '../../server/web-routes.ts';
import { isLoopbackAddress } from '../../server/security.ts';

const flags = z.object({
  port: z.coerce.number().int().min(0).max(65535).optional(),
  host: z.string().min(1).optional(),
  data: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  provider: z.enum(['cpu', 'webgpu', 'cuda']).optional(),
  help: z.boolean().optional(),
});

const usage = `usage: visualref serve [--port N] [--host ADDR] [--data DIR] [--model MODEL] [--provider cpu|cuda|webgpu]

Serves the web app at / and MCP (Streamable HTTP) at /mcp. Binds to 127.0.0.1 by default
(configs/server.yaml). Set VISUALREF_TOKEN to require "Authorization: Bearer <token>" on /mcp and /api.`;

export const command: Command = {
  summary: 'run the web app and the MCP server over HTTP',
  async run(argv) {
    const { values } = parseFlags(
      argv,
      {
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        data: { type: 'string' },
        model: { type: 'string' },
        provider: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      flags,
      false,
    );
    if (values.help) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    const token = process.env.VISUALREF_TOKEN;
    if (token !== undefined && token.length < 8) throw new UsageError('VISUALREF_TOKEN must be at least 8 characters');
    const ctx = await openToolContext({ dataDir: values.data, model: values.model, provider: values.provider });
    const settings = loadServerConfig();
    const host = values.host ?? settings.http.host;
    const port = values.port ?? settings.http.port;
    const loopbackOnly = isLoopbackAddress(host);
    if (!loopbackOnly && !token) log.warn(`listening on ${host} without VISUALREF_TOKEN: anyone who can reach it can search the library`);

    const stop = new AbortController();
    const app = createApp(ctx, { settings, token, loopbackOnly, signal: stop.signal, extraRoutes: (c) => createWebRoutes(c) });
    const server = serve({ fetch: app.fetch, hostname: host, port });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          new Error(
            err.code === 'EADDRINUSE'
              ? `port ${port} on ${host} is already in use (another visualref?): choose another with --port N (npm start -- --port N)`
              : `cannot listen on ${host}:${port}: ${err.message}`,
          ),
        ),
      );
    });
    const address = server.address();
    const shown = typeof address === 'object' && address ? `http://${host.includes(':') ? `[${host}]` : host}:${address.port}` : `${host}:${port}`;
    log.info(`visualref: web app ${shown}/  MCP ${shown}/mcp`);
    if (token) log.info('visualref: VISUALREF_TOKEN is set: MCP clients send "Authorization: Bearer <token>"; open the web app once as /?token=<token>');

    await new Promise<void>((resolve) => {
      const shutdown = () => resolve();
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    });
    stop.abort();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Open SSE streams of MCP clients would otherwise keep the server alive.
    if ('closeAllConnections' in server) server.closeAllConnections();
    await closed;
    await ctx.close();
    return 0;
  },
};
