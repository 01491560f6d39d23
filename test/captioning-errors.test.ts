// Failures of the OpenAI-compatible captioner: retries with backoff, and what the user is told.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenAiCompatibleCaptioner, type OpenAiCompatibleSettings } from '../engine/captioners/openai-compatible.ts';
import { CaptionerError } from '../engine/captioners/errors.ts';

const image = { data: new Uint8Array(16 * 16 * 3).fill(128), width: 16, height: 16 };

async function startServer(reply: (n: number) => [number, unknown] | 'hang'): Promise<{ server: Server; url: string; count: () => number; times: number[] }> {
  let n = 0;
  const times: number[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      n++;
      times.push(performance.now());
      const answer = reply(n);
      if (answer === 'hang') return;
      res.writeHead(answer[0], { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer[1]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/v1`, count: () => n, times };
}

const ok = { id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'a grey square' } }] };

function settings(url: string, overrides: Partial<OpenAiCompatibleSettings> = {}): OpenAiCompatibleSettings {
  return { name: 't', baseUrl: url, model: 'llava', prompt: 'region', timeoutMs: 5000, concurrency: 1, retries: 2, backoffMs: 50, maxImageSide: 1024, imageFormat: 'png', ...overrides };
}

test('server errors are retried with exponential backoff until an answer comes', async () => {
  const { server, url, count, times } = await startServer((n) => (n <= 2 ? [503, { error: { message: 'loading model', code: 503 } }] : [200, ok]));
  try {
    const [result] = await new OpenAiCompatibleCaptioner(settings(url)).caption([{ image }]);
    assert.equal(result.text, 'a grey square');
    assert.equal(count(), 3);
    // Waits of 50 ms, then 100 ms.
    assert.ok(times[1] - times[0] >= 45, `first wait ${times[1] - times[0]} ms`);
    assert.ok(times[2] - times[1] >= 95, `second wait ${times[2] - times[1]} ms`);
  } finally {
    server.close();
  }
});

test('gives up after the configured retries with the server message', async () => {
  const { server, url, count } = await startServer(() => [429, { error: { message: 'too many requests' } }]);
  try {
    await assert.rejects(new OpenAiCompatibleCaptioner(settings(url, { retries: 1 })).caption([{ image }]), /answered HTTP 429: too many requests/);
    assert.equal(count(), 2);
  } finally {
    server.close();
  }
});

test('an unreachable server says where it looked and how to start one', async () => {
  const { server, url } = await startServer(() => [200, ok]);
  await new Promise((resolve) => server.close(resolve));
  const started = performance.now();
  await assert.rejects(new OpenAiCompatibleCaptioner(settings(url, { retries: 1, backoffMs: 30 })).caption([{ image }]), (err: unknown) => {
    assert.ok(err instanceof CaptionerError);
    assert.match(err.message, new RegExp(`^captioner unreachable at ${url.replaceAll('.', '\\.')}: start llama-server .*--mmproj`));
    return true;
  });
  assert.ok(performance.now() - started >= 25, 'the unreachable server was not retried after a wait');
});

test('a model without vision is reported as such and not retried', async () => {
  // What llama-server answers when it was started without --mmproj.
  const body = { error: { code: 500, message: 'image input is not supported - hint: if this is unexpected, you may need to provide the mmproj', type: 'server_error' } };
  const { server, url, count } = await startServer(() => [500, body]);
  try {
    await assert.rejects(new OpenAiCompatibleCaptioner(settings(url)).caption([{ image }]), /model "llava" at .* cannot take images \(server said: image input is not supported.*--mmproj/);
    assert.equal(count(), 1);
  } finally {
    server.close();
  }
});

test('a server that does not answer times out, is retried, then reported', async () => {
  const { server, url, count } = await startServer(() => 'hang');
  try {
    await assert.rejects(new OpenAiCompatibleCaptioner(settings(url, { timeoutMs: 300, retries: 1, backoffMs: 10 })).caption([{ image }]), /did not answer within 0\.3 s/);
    assert.equal(count(), 2);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('a refused API key names the variable to set, without retrying', async () => {
  const { server, url, count } = await startServer(() => [401, { error: { message: 'Invalid API Key' } }]);
  try {
    await assert.rejects(new OpenAiCompatibleCaptioner(settings(url)).caption([{ image }]), /refused the API key \(HTTP 401\): set VISUALREF_CAPTION_API_KEY/);
    assert.equal(count(), 1);
  } finally {
    server.close();
  }
});
