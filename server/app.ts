// The HTTP application: MCP over Streamable HTTP at /mcp, the web app's API at /api, the built web
// app at /, and /healthz. /mcp and /api are guarded (Origin, loopback Host, optional bearer token).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { bodyLimit } from 'hono/body-limit';
import { repoRoot } from '../engine/config/load-config.ts';
import type { ToolContext } from '../tools/context.ts';
import { loadServerConfig, type ServerConfig } from './config.ts';
import { createMcpServer, createMcpShared } from '../mcp-server/server.ts';
import { createMcpHttpEndpoint } from '../mcp-server/http.ts';
import { acceptTokenLink, carriesToken, checkLoopbackHost, checkOrigin, requireBearerToken } from './security.ts';

export interface AppOptions {
  /** When set, /mcp and /api require `Authorization: Bearer <token>` (or the cookie that `/?token=<token>` sets). */
  token?: string;
  /** Refuse requests whose Host is not localhost (true when the server is bound to loopback). */
  loopbackOnly: boolean;
  /** Routes of the web app's API, mounted at /api. */
  extraRoutes?: (ctx: ToolContext) => Hono;
  /** The built web app (default web/dist of the repository). */
  staticDir?: string;
  /** Aborting it closes every MCP session and stops watching the library. */
  signal?: AbortSignal;
  /** Default: configs/server.yaml. */
  settings?: ServerConfig;
}

const webNotBuilt = 'The web app is not built: run `npm run build:web`, then reload. MCP clients use /mcp.';

export function createApp(ctx: ToolContext, options: AppOptions): Hono {
  const settings = options.settings ?? loadServerConfig();
  const shared = createMcpShared(ctx, settings.mcp);
  const mcp = createMcpHttpEndpoint({
    createServer: () => createMcpServer(shared),
    maxSessions: settings.mcp.maxSessions,
    maxSessionsPerClient: settings.mcp.maxSessionsPerClient,
    idleMs: settings.mcp.idleSeconds * 1000,
    unusedIdleMs: settings.mcp.unusedIdleSeconds * 1000,
    maxBodyBytes: settings.http.maxBodyBytes,
  });
  options.signal?.addEventListener(
    'abort',
    () => {
      shared.close();
      void mcp.close();
    },
    { once: true },
  );

  const app = new Hono();
  // With a token set, /healthz answers liveness to anyone and the counts only to a caller with the token.
  const mayReadCounts = options.token ? carriesToken(options.token) : () => true;
  app.get('/healthz', (c) => c.json(mayReadCounts(c) ? { ok: true, images: ctx.library.status().images, mcpSessions: mcp.sessionCount() } : { ok: true }));

  const bodyLimits = { '/mcp': settings.http.maxBodyBytes, '/api': settings.http.apiMaxBodyBytes };
  for (const path of ['/mcp', '/api'] as const) {
    app.use(path, checkOrigin(settings.http.allowedOrigins));
    app.use(`${path}/*`, checkOrigin(settings.http.allowedOrigins));
    if (options.loopbackOnly) {
      app.use(path, checkLoopbackHost());
      app.use(`${path}/*`, checkLoopbackHost());
    }
    if (options.token) {
      app.use(path, requireBearerToken(options.token));
      app.use(`${path}/*`, requireBearerToken(options.token));
    }
    // After the guards, so nobody unauthorised gets a body buffered. Counted while the body streams in
    // (chunked bodies too): the first byte over the limit ends the request with 413.
    const tooLarge = `request body over ${bodyLimits[path]} bytes (http.${path === '/mcp' ? 'maxBodyBytes' : 'apiMaxBodyBytes'} in configs/server.yaml)`;
    const limit = bodyLimit({
      maxSize: bodyLimits[path],
      onError: (c) => c.json(path === '/mcp' ? { jsonrpc: '2.0', error: { code: -32000, message: tooLarge }, id: null } : { error: tooLarge }, 413),
    });
    app.use(path, limit);
    app.use(`${path}/*`, limit);
  }
  app.route('/mcp', mcp.routes);
  if (options.extraRoutes) app.route('/api', options.extraRoutes(ctx));
  // Whatever /api does not answer is a 404, never the web app's index.html.
  app.all('/api/*', (c) => c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404));

  if (options.token) app.get('*', acceptTokenLink(options.token));
  const staticDir = options.staticDir ?? join(repoRoot, 'web', 'dist');
  if (existsSync(join(staticDir, 'index.html'))) {
    app.use('/*', serveStatic({ root: staticDir }));
    // Client-side routes: any other GET outside /api and /mcp gets the app's index.html.
    app.get('*', serveStatic({ root: staticDir, path: 'index.html' }));
  } else {
    app.get('/', (c) => c.text(webNotBuilt, 503));
  }
  return app;
}
