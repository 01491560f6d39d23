// The language-model agent's wiring: the model's tool calls run the real tools and stream back as
// the same typed parts as the deterministic agent's. No language model can run on this machine, so
// the OpenAI-compatible endpoint here replays a fixed answer: first a search tool call, then text.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readUIMessageStream, type UIMessageChunk } from 'ai';
import { openToolContext, type OpenedToolContext } from '../tools/context.ts';
import { createWebRoutes } from '../server/web-routes.ts';
import type { ThreadMessage } from '../agent/chat/thread-from-session.ts';
import { startServer, type RunningServer } from './helpers/http-server.ts';
import { makeWorldLibrary, type WorldLibrary } from './helpers/mcp-world-library.ts';

let lib: WorldLibrary;
let ctx: OpenedToolContext;
let server: RunningServer;
let endpoint: Server;
const requests: { messages: { role: string; content: unknown }[]; tools?: { function: { name: string } }[] }[] = [];

function sse(chunks: unknown[]): string {
  return chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('') + 'data: [DONE]\n\n';
}

const chunk = (delta: unknown, finish: string | null = null) => ({ id: 'c1', object: 'chat.completion.chunk', created: 0, model: 'replay', choices: [{ index: 0, delta, finish_reason: finish }] });

async function body(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const part of req) text += String(part);
  return text;
}

before(async () => {
  lib = await makeWorldLibrary(20);
  ctx = await openToolContext({ dataDir: lib.dataDir, model: lib.model });
  endpoint = createServer((req, res) => {
    void body(req).then((text) => {
      const request = JSON.parse(text) as (typeof requests)[number];
      requests.push(request);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const answered = request.messages.some((m) => m.role === 'tool');
      res.end(
        answered
          ? sse([chunk({ role: 'assistant', content: 'Here are scenes with a red circle.' }), chunk({}, 'stop')])
          : sse([
              chunk({ role: 'assistant', tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'search', arguments: '{"text":"a red circle","k":4}' } }] }),
              chunk({}, 'tool_calls'),
            ]),
      );
    });
  });
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  const { port } = endpoint.address() as AddressInfo;
  const agent = { mode: 'model' as const, model: { baseURL: `http://127.0.0.1:${port}/v1`, name: 'replay', maxSteps: 3 } };
  server = await startServer(ctx, { extraRoutes: (c) => createWebRoutes(c, { agent }) });
});

after(async () => {
  await server?.close();
  await new Promise((resolve) => endpoint?.close(resolve));
  await ctx?.close();
  lib?.remove();
});

test('the model chooses search; the real tool runs and its results stream as a tool-search part', async () => {
  const status = (await (await fetch(`${server.url}/api/status`)).json()) as { agent: { mode: string; model: string } };
  assert.deepEqual(status.agent, { mode: 'model', model: 'replay' });

  const res = await fetch(`${server.url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'chat', message: { id: 'm1', role: 'user', parts: [{ type: 'text', text: 'red circles please' }], metadata: { request: { action: 'search' } } } }),
  });
  assert.equal(res.status, 200);
  const chunks = (await res.text())
    .split('\n\n')
    .map((e) => e.replace(/^data: /, '').trim())
    .filter((d) => d && d !== '[DONE]')
    .map((d) => JSON.parse(d) as UIMessageChunk);
  let message: ThreadMessage | undefined;
  const stream = new ReadableStream<UIMessageChunk>({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      controller.close();
    },
  });
  for await (const m of readUIMessageStream<ThreadMessage>({ stream })) message = m;
  assert.ok(message);

  // The model was offered the three tools and saw the user's words and the turn's request.
  assert.deepEqual(requests[0].tools?.map((t) => t.function.name).sort(), ['caption-region', 'refine-query', 'search']);
  assert.match(JSON.stringify(requests[0].messages), /red circles please/);

  const part = message.parts.find((p) => p.type === 'tool-search');
  assert.ok(part && part.type === 'tool-search' && part.state === 'output-available');
  assert.equal(part.output.results.length, 4, 'the model asked for 4');
  assert.deepEqual(part.output.results, ctx.sessions.turns(part.output.sessionId)[0].results.map((r) => ({ ...r, width: 224, height: 224 })));
  assert.equal(message.parts.filter((p) => p.type === 'text').map((p) => p.text).join(''), 'Here are scenes with a red circle.');
  assert.equal(message.metadata?.mode, 'model');
  assert.equal(message.metadata?.sessionId, part.output.sessionId);
});
