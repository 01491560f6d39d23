// The OpenAI-compatible image generator against an in-test HTTP server that answers like an OpenAI
// image API (POST /v1/images/generations) and checks each request it receives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { OpenAiCompatibleGenerator, type OpenAiCompatibleGeneratorSettings } from '../engine/generation/openai-compatible.ts';
import { GenerationError } from '../engine/generation/errors.ts';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body?: Record<string, unknown>;
}

type Answer = [number, unknown] | 'hang' | { png: Buffer };

/** A server that records requests and answers each with `reply(request, n)`. */
async function startServer(reply: (req: Received, n: number) => Answer): Promise<{ server: Server; url: string; origin: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const entry: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined };
      received.push(entry);
      const answer = reply(entry, received.length);
      if (answer === 'hang') return;
      if ('png' in answer) {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(answer.png);
        return;
      }
      const [status, payload] = answer;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return { server, url: `${origin}/v1`, origin, received };
}

function settings(url: string, overrides: Partial<OpenAiCompatibleGeneratorSettings> = {}): OpenAiCompatibleGeneratorSettings {
  return {
    name: 'test-sd',
    baseUrl: url,
    model: 'sd-turbo',
    apiKey: 'secret-key',
    size: '64x48',
    timeoutMs: 5000,
    retries: 2,
    backoffMs: 20,
    maxBytes: 1024 * 1024,
    maxPixels: 1024 * 1024,
    ...overrides,
  };
}

/** A 64x48 PNG, blue on the left half and yellow on the right. */
async function picturePng(): Promise<Buffer> {
  const width = 64;
  const height = 48;
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(x < 32 ? [20, 40, 220] : [250, 220, 30], (y * width + x) * 3);
  return sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

test('sends an OpenAI image request and decodes a base64 answer', async () => {
  const png = await picturePng();
  const { server, url, received } = await startServer(() => [200, { created: 1, data: [{ b64_json: png.toString('base64') }] }]);
  try {
    const outcome = await new OpenAiCompatibleGenerator(settings(url)).generate({ prompt: 'a blue square to the left of a yellow star' });
    assert.ok(outcome.picture, 'a picture comes back');
    assert.equal(outcome.picture.image.width, 64);
    assert.equal(outcome.picture.image.height, 48);
    assert.deepEqual([...outcome.picture.image.data.subarray(0, 3)], [20, 40, 220], 'the left is blue');
    assert.equal(outcome.picture.generator, 'test-sd');
    assert.equal(received.length, 1);
    const [request] = received;
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/v1/images/generations');
    assert.equal(request.headers.authorization, 'Bearer secret-key');
    assert.equal(request.body?.model, 'sd-turbo');
    assert.equal(request.body?.prompt, 'a blue square to the left of a yellow star');
    assert.equal(request.body?.n, 1);
    assert.equal(request.body?.size, '64x48');
    assert.equal(request.body?.response_format, 'b64_json');
  } finally {
    await close(server);
  }
});

test('downloads the picture when the server answers with a URL', async () => {
  const png = await picturePng();
  let origin = '';
  const started = await startServer((req) => (req.url === '/files/picture.png' ? { png } : [200, { data: [{ url: `${origin}/files/picture.png` }] }]));
  origin = started.origin;
  try {
    const outcome = await new OpenAiCompatibleGenerator(settings(started.url)).generate({ prompt: 'a yellow star' });
    assert.ok(outcome.picture);
    assert.equal(outcome.picture.image.width, 64);
    assert.deepEqual(started.received.map((r) => `${r.method} ${r.url}`), ['POST /v1/images/generations', 'GET /files/picture.png']);
  } finally {
    await close(started.server);
  }
});

test('a refused API key is reported at once, without retrying', async () => {
  const { server, url, received } = await startServer(() => [401, { error: { message: 'Incorrect API key provided' } }]);
  try {
    await assert.rejects(new OpenAiCompatibleGenerator(settings(url)).generate({ prompt: 'a red circle' }), (err: unknown) => {
      assert.ok(err instanceof GenerationError);
      assert.match(err.message, /refused the API key \(HTTP 401\)/);
      assert.match(err.message, /VISUALREF_GENERATION_API_KEY/);
      return true;
    });
    assert.equal(received.length, 1);
  } finally {
    await close(server);
  }
});

test('a server error is retried and the second answer is used', async () => {
  const png = await picturePng();
  const { server, url, received } = await startServer((_, n) => (n === 1 ? [503, { error: 'loading model' }] : [200, { data: [{ b64_json: png.toString('base64') }] }]));
  try {
    const outcome = await new OpenAiCompatibleGenerator(settings(url)).generate({ prompt: 'a red circle' });
    assert.ok(outcome.picture);
    assert.equal(received.length, 2);
  } finally {
    await close(server);
  }
});

test('an unreachable server is named, after the retries', async () => {
  const { server, url } = await startServer(() => [500, {}]);
  await close(server);
  await assert.rejects(new OpenAiCompatibleGenerator(settings(url, { retries: 1 })).generate({ prompt: 'a red circle' }), /image generator unreachable at http:\/\/127\.0\.0\.1:\d+\/v1/);
});

test('an answer with no image is an error', async () => {
  const { server, url } = await startServer(() => [200, { data: [] }]);
  try {
    await assert.rejects(new OpenAiCompatibleGenerator(settings(url)).generate({ prompt: 'a red circle' }), /returned no image/);
  } finally {
    await close(server);
  }
});

test('bytes that are not an image are refused like a bad upload', async () => {
  const { server, url } = await startServer(() => [200, { data: [{ b64_json: Buffer.from('<html>out of memory</html>').toString('base64') }] }]);
  try {
    await assert.rejects(new OpenAiCompatibleGenerator(settings(url)).generate({ prompt: 'a red circle' }), (err: unknown) => {
      assert.ok(err instanceof GenerationError);
      assert.match(err.message, /returned bytes that are not a readable image; the picture is refused/);
      return true;
    });
  } finally {
    await close(server);
  }
});

test('a picture larger than the limits is refused', async () => {
  const png = await picturePng();
  const { server, url } = await startServer(() => [200, { data: [{ b64_json: png.toString('base64') }] }]);
  try {
    await assert.rejects(new OpenAiCompatibleGenerator(settings(url, { maxPixels: 1000 })).generate({ prompt: 'a red circle' }), /a 64x48 image \(at most 1000 pixels/);
  } finally {
    await close(server);
  }
});

test('a server that does not answer times out within the timeout, each attempt', async () => {
  const { server, url, received } = await startServer(() => 'hang');
  try {
    const started = performance.now();
    await assert.rejects(new OpenAiCompatibleGenerator(settings(url, { timeoutMs: 300, retries: 1 })).generate({ prompt: 'a red circle' }), /did not answer within 0.3 s/);
    assert.ok(performance.now() - started < 3000, 'gave up in time');
    assert.equal(received.length, 2, 'one retry');
  } finally {
    server.closeAllConnections();
    await close(server);
  }
});
