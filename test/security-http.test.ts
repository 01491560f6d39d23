// The HTTP server under abuse: bodies over the limit (chunked, no content-length) end with 413 while
// they stream in, on /api and /mcp; a flood of bare initialize requests never locks later clients
// out; /healthz tells nothing but liveness to a caller without the token.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Library } from '../engine/library/library.ts';
import { indexFolder } from '../engine/library/indexer.ts';
import { openToolContext, type OpenedToolContext } from '../tools/context.ts';
import { createWebRoutes } from '../server/web-routes.ts';
import { loadServerConfig, type ServerConfig } from '../server/config.ts';
import { startServer, type RunningServer } from './helpers/http-server.ts';
import { httpClient } from './helpers/mcp-client.ts';
import { indexConfig, tempDir, tinyClip, writeImages } from './helpers/library-fixtures.ts';

let ctx: OpenedToolContext;
const limit = 64 * 1024;
const defaults = loadServerConfig();
/** configs/server.yaml with small body limits, and MCP settings changed by `mcp`. */
const settingsWith = (mcp: Partial<ServerConfig['mcp']> = {}): ServerConfig => ({
  ...defaults,
  http: { ...defaults.http, maxBodyBytes: limit, apiMaxBodyBytes: limit },
  mcp: { ...defaults.mcp, ...mcp },
});

before(async (t) => {
  const dir = tempDir({ after: (fn) => after(fn) });
  void t;
  const root = join(dir, 'W');
  mkdirSync(root);
  await writeImages(root, 4);
  const library = await Library.open({ dataDir: join(dir, 'data'), model: tinyClip, indexConfig: indexConfig({}, 'flat') });
  await indexFolder(library, { folder: root });
  await library.close();
  ctx = await openToolContext({ dataDir: join(dir, 'data'), model: tinyClip });
});

after(() => ctx?.close());

async function withServer(fn: (server: RunningServer) => Promise<void>, options: Parameters<typeof startServer>[1] = {}): Promise<void> {
  const server = await startServer(ctx, { extraRoutes: (c) => createWebRoutes(c, { agent: { mode: 'deterministic' } }), settings: settingsWith(), ...options });
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};
const jsonHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** POSTs a chunked body of up to `total` bytes (a JSON string that never ends); counts the bytes the server pulled. */
async function postChunked(url: string, total: number, headers: Record<string, string> = {}): Promise<{ status: number; text: string; sent: number }> {
  let sent = 0;
  const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === 0) controller.enqueue(new TextEncoder().encode('{"padding":"'));
      if (sent >= total) return controller.close();
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
  const res = await fetch(url, { method: 'POST', headers: { ...jsonHeaders, ...headers }, body, duplex: 'half' } as RequestInit);
  return { status: res.status, text: await res.text(), sent };
}

test('a chunked body over the limit gets 413 on /api and on /mcp (with and without a session), before it is all sent', async () => {
  await withServer(async (server) => {
    const total = 64 * 1024 * 1024;
    const chat = await postChunked(`${server.url}/api/chat`, total);
    assert.equal(chat.status, 413);
    assert.match(chat.text, /apiMaxBodyBytes/);
    assert.ok(chat.sent < total / 4, `the server stopped reading early (${chat.sent} of ${total} bytes pulled)`);

    const bare = await postChunked(`${server.url}/mcp`, total);
    assert.equal(bare.status, 413);
    assert.match(bare.text, /maxBodyBytes/);

    const opened = await fetch(`${server.url}/mcp`, { method: 'POST', headers: jsonHeaders, body: JSON.stringify(initialize) });
    const session = opened.headers.get('mcp-session-id') as string;
    await opened.body?.cancel();
    const inSession = await postChunked(`${server.url}/mcp`, total, { 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' });
    assert.equal(inSession.status, 413);

    // A body under the limit still works.
    const small = await fetch(`${server.url}/api/caption-region`, { method: 'POST', headers: jsonHeaders, body: JSON.stringify({ imageId: 1 }) });
    assert.notEqual(small.status, 413);
    await small.body?.cancel();
  });
});

test('a flood of bare initialize requests evicts idle sessions instead of refusing later clients', async () => {
  await withServer(
    async (server) => {
      const health = async () => ((await (await fetch(`${server.url}/healthz`)).json()) as { mcpSessions: number }).mcpSessions;
      for (let i = 0; i < 40; i++) {
        const res = await fetch(`${server.url}/mcp`, { method: 'POST', headers: jsonHeaders, body: JSON.stringify(initialize) });
        assert.equal(res.status, 200, `bare initialize ${i + 1} was served`);
        await res.body?.cancel();
      }
      assert.equal(await health(), 5);
      const client = await httpClient(`${server.url}/mcp`);
      const tools = await client.listTools();
      assert.ok(tools.tools.some((tool) => tool.name === 'search'), 'a client arriving after the flood works');
      await client.close();
    },
    { settings: settingsWith({ maxSessions: 5, maxSessionsPerClient: 5 }) },
  );
});

test('sessions that never made a call close after mcp.unusedIdleSeconds; a used one stays', async () => {
  await withServer(
    async (server) => {
      const health = async () => ((await (await fetch(`${server.url}/healthz`)).json()) as { mcpSessions: number }).mcpSessions;
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${server.url}/mcp`, { method: 'POST', headers: jsonHeaders, body: JSON.stringify(initialize) });
        await res.body?.cancel();
      }
      const client = await httpClient(`${server.url}/mcp`);
      await client.listTools();
      assert.equal(await health(), 4);
      await new Promise((resolve) => setTimeout(resolve, 3500));
      assert.equal(await health(), 1);
      await client.listTools();
      await client.close();
    },
    { settings: settingsWith({ unusedIdleSeconds: 2 }) },
  );
});

test('with a token set, /healthz answers liveness only to a caller without it', async () => {
  await withServer(
    async (server) => {
      assert.deepEqual(await (await fetch(`${server.url}/healthz`)).json(), { ok: true });
      const full = (await (await fetch(`${server.url}/healthz`, { headers: { authorization: 'Bearer s3cret-token' } })).json()) as { images: number };
      assert.equal(full.images, 4);
    },
    { token: 's3cret-token' },
  );
});
