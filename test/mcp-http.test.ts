// MCP over Streamable HTTP on the Hono app: many clients at once, each with its own MCP session and
// its own search sessions; the bearer token and the Origin check; the library-change notification.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { openToolContext, type OpenedToolContext } from '../tools/context.ts';
import { Library } from '../engine/library/library.ts';
import { indexFolder } from '../engine/library/indexer.ts';
import type { RefineQueryOutput, SearchOutput } from '../tools/contract/schemas.ts';
import { callOk, httpClient } from './helpers/mcp-client.ts';
import { startServer, type RunningServer } from './helpers/http-server.ts';
import { loadServerConfig } from '../server/config.ts';
import { makeWorldLibrary, type WorldLibrary } from './helpers/mcp-world-library.ts';

let lib: WorldLibrary;
let ctx: OpenedToolContext;
let server: RunningServer;
const settings = loadServerConfig();

before(async () => {
  lib = await makeWorldLibrary(200);
  ctx = await openToolContext({ dataDir: lib.dataDir, model: lib.model });
  settings.mcp.watchSeconds = 0.2;
  server = await startServer(ctx, { settings });
});

after(async () => {
  await server?.close();
  await ctx?.close();
  lib?.remove();
});

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
}

test('/healthz answers with the library size', async () => {
  const res = await fetch(`${server.url}/healthz`);
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as { images: number }).images, 200);
});

test('20 clients at once: each gets its own MCP session and its own search session', async () => {
  const colours = ['red', 'blue', 'green', 'yellow', 'purple'];
  const shapes = ['circle', 'square', 'star', 'heart'];
  const runs = await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      const client = await httpClient(`${server.url}/mcp`);
      try {
        const text = `a ${colours[i % 5]} ${shapes[Math.floor(i / 5)]}`;
        const { output: found } = await callOk<SearchOutput>(client, 'search', { text, k: 10 });
        const mine = found.results[i % 10].id;
        const { output: refined } = await callOk<RefineQueryOutput>(client, 'refine-query', { sessionId: found.sessionId, relevant: [mine] });
        return { text, found, refined, mine };
      } finally {
        await client.close();
      }
    }),
  );
  assert.equal(new Set(runs.map((r) => r.found.sessionId)).size, 20, 'every client has its own search session');
  for (const { text, found, refined, mine } of runs) {
    assert.equal(found.turn, 1);
    assert.equal(refined.turn, 2, `${text}: the session saw only its own turns`);
    // previousRank refers to this client's own first results, not another client's.
    const firstRanks = new Map(found.results.map((r) => [r.id, r.rank]));
    for (const r of refined.results) assert.equal(r.previousRank, firstRanks.get(r.id) ?? null);
    const judged = refined.explanation.applied.find((s) => s.source === 'judged');
    assert.deepEqual(judged?.positive, [String(mine)]);
  }
  // Alone, the same search gives the same results as it did among 20.
  const alone = await httpClient(`${server.url}/mcp`);
  const { output: again } = await callOk<SearchOutput>(alone, 'search', { text: runs[7].text, k: 10 });
  assert.deepEqual(
    again.results.map((r) => r.id),
    runs[7].found.results.map((r) => r.id),
  );
  await alone.close();
});

test('a client that ends its session (DELETE /mcp) frees it on the server', async () => {
  const sessions = async () => ((await (await fetch(`${server.url}/healthz`)).json()) as { mcpSessions: number }).mcpSessions;
  const before = await sessions();
  const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`));
  const client = new Client({ name: 'short-lived', version: '1' });
  await client.connect(transport);
  assert.equal(await sessions(), before + 1);
  await transport.terminateSession();
  await client.close();
  assert.equal(await sessions(), before);
});

test('an unknown MCP session id gets 404, a first request that is not initialize gets 400', async () => {
  const unknown = await post(`${server.url}/mcp`, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': 'no-such-session' });
  assert.equal(unknown.status, 404);
  const noSession = await post(`${server.url}/mcp`, { jsonrpc: '2.0', id: 2, method: 'tools/list' });
  assert.equal(noSession.status, 400);
  const notJson = await fetch(`${server.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
  assert.equal(notJson.status, 400);
});

test('a request body over http.maxBodyBytes is refused with 413 before it is parsed', async () => {
  const limit = settings.http.maxBodyBytes;
  const huge = { ...initialize, params: { ...initialize.params, padding: 'x'.repeat(limit) } };
  const res = await post(`${server.url}/mcp`, huge);
  assert.equal(res.status, 413);
});

test('a request from a foreign Origin is refused with 403; a localhost page is served', async () => {
  const evil = await post(`${server.url}/mcp`, initialize, { origin: 'https://evil.example' });
  assert.equal(evil.status, 403);
  const local = await post(`${server.url}/mcp`, initialize, { origin: 'http://localhost:5173' });
  assert.equal(local.status, 200);
  assert.ok(local.headers.get('mcp-session-id'));
  await local.body?.cancel();
});

test('with VISUALREF_TOKEN set, a request without the token is refused and one with it works', async () => {
  const guarded = await startServer(ctx, { token: 'correct-horse-battery' });
  try {
    const bare = await post(`${guarded.url}/mcp`, initialize);
    assert.equal(bare.status, 401);
    await assert.rejects(httpClient(`${guarded.url}/mcp`), /missing or wrong bearer token/);
    await assert.rejects(httpClient(`${guarded.url}/mcp`, { authorization: 'Bearer wrong-token-123' }), /missing or wrong bearer token/);
    const client = await httpClient(`${guarded.url}/mcp`, { authorization: 'Bearer correct-horse-battery' });
    const { tools } = await client.listTools();
    assert.equal(tools.length, 4);
    await client.close();
    const health = await fetch(`${guarded.url}/healthz`);
    assert.equal(health.status, 200, 'the health check needs no token');
  } finally {
    await guarded.close();
  }
});

test('when the library is re-indexed by another process, clients get resources/list_changed and see the new images', async () => {
  const client = await httpClient(`${server.url}/mcp`);
  let changed = 0;
  client.setNotificationHandler(ResourceListChangedNotificationSchema, () => {
    changed++;
  });
  // Open the SSE stream on which the server pushes notifications.
  await client.listTools();
  copyFileSync(join(lib.worldDir, 'test-000001.png'), join(lib.worldDir, 'copy-of-1.png'));
  const writer = await Library.open({ dataDir: lib.dataDir, model: lib.model });
  try {
    await indexFolder(writer, { folder: lib.worldDir });
  } finally {
    await writer.close();
  }
  const deadline = Date.now() + 10_000;
  while (changed === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.ok(changed >= 1, 'a list_changed notification arrived');
  const status = await client.readResource({ uri: 'visualref://status' });
  const content = status.contents[0];
  assert.ok('text' in content);
  assert.equal(JSON.parse(content.text).images, 201);
  const { output } = await callOk<SearchOutput>(client, 'search', { imageId: lib.idOf.get('test-000001.png')!, k: 2 });
  assert.equal(output.results.length, 2);
  assert.ok(output.results[1].score > 0.999, 'the copy is found as the nearest other image');
  await client.close();
});
