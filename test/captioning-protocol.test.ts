// The OpenAI-compatible captioner against an in-test HTTP server that answers like llama-server and
// checks each request it receives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { OpenAiCompatibleCaptioner, type OpenAiCompatibleSettings } from '../engine/captioners/openai-compatible.ts';
import type { RgbImage } from '../engine/types.ts';

interface ChatRequest {
  model: string;
  temperature?: number;
  max_tokens?: number;
  messages: { role: string; content: string | { type: string; text?: string; image_url?: { url: string } }[] }[];
}

interface Received {
  body: ChatRequest;
  headers: IncomingMessage['headers'];
  url: string;
}

/** A server that records requests and answers each with `reply(request, n)`: [status, body]. */
async function startServer(reply: (req: ChatRequest, n: number) => [number, unknown] | 'hang'): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const body = JSON.parse(raw) as ChatRequest;
      received.push({ body, headers: req.headers, url: req.url ?? '' });
      const answer = reply(body, received.length);
      if (answer === 'hang') return;
      const [status, payload] = answer;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/v1`, received };
}

function llamaServerAnswer(content: string) {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'llava-v1.5-7b',
    choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }],
    usage: { prompt_tokens: 600, completion_tokens: 6, total_tokens: 606 },
  };
}

function settings(url: string, overrides: Partial<OpenAiCompatibleSettings> = {}): OpenAiCompatibleSettings {
  return {
    name: 'test-llava',
    baseUrl: url,
    model: 'llava-v1.5-7b',
    apiKey: 'secret-key',
    prompt: 'region',
    timeoutMs: 5000,
    concurrency: 2,
    retries: 2,
    backoffMs: 20,
    maxImageSide: 1024,
    imageFormat: 'png',
    ...overrides,
  };
}

/** 200x120 grey image with a red 40x30 rectangle at (130, 50). */
function testImage(): RgbImage {
  const width = 200;
  const height = 120;
  const data = new Uint8Array(width * height * 3).fill(100);
  for (let y = 50; y < 80; y++) for (let x = 130; x < 170; x++) data.set([230, 10, 10], (y * width + x) * 3);
  return { data, width, height };
}

test('protocol: one crop per request, as an image data URL with the region prompt, greedy, 100 tokens, model and key', async () => {
  const { server, url, received } = await startServer(() => [200, llamaServerAnswer(' "A red rectangle." \n')]);
  try {
    const captioner = new OpenAiCompatibleCaptioner(settings(url));
    const [result] = await captioner.caption([
      { image: testImage(), box: { x: 130, y: 50, w: 40, h: 30 }, instructions: 'focus on the colour' },
    ]);
    assert.equal(result.text, 'A red rectangle.');
    assert.equal(result.model, 'llava-v1.5-7b');
    assert.ok(result.latencyMs >= 0);

    assert.equal(received.length, 1);
    const { body, headers, url: path } = received[0];
    assert.equal(path, '/v1/chat/completions');
    assert.equal(headers.authorization, 'Bearer secret-key');
    assert.equal(body.model, 'llava-v1.5-7b');
    assert.equal(body.temperature, 0);
    assert.equal(body.max_tokens, 100);
    assert.equal(body.messages.length, 1);
    const content = body.messages[0].content;
    assert.ok(Array.isArray(content));
    const text = content.find((p) => p.type === 'text')?.text;
    assert.equal(text, 'Describe the visual content of the image fragment in fewer than 5 words. Focus on the following instructions: focus on the colour');
    const image = content.find((p) => p.type === 'image_url')?.image_url?.url ?? '';
    const match = /^data:image\/png;base64,(.+)$/.exec(image);
    assert.ok(match, `image part is not a PNG data URL: ${image.slice(0, 40)}`);
    // The image sent is exactly the crop: 40x30, all red.
    const { data, info } = await sharp(Buffer.from(match[1], 'base64')).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height, info.channels], [40, 30, 3]);
    for (let i = 0; i < data.length; i += 3) assert.deepEqual([data[i], data[i + 1], data[i + 2]], [230, 10, 10]);
  } finally {
    server.close();
  }
});

test('protocol: without instructions the prompt is the bare region prompt, and no key means no auth header', async () => {
  const { server, url, received } = await startServer(() => [200, llamaServerAnswer('grey background')]);
  try {
    const captioner = new OpenAiCompatibleCaptioner(settings(url, { apiKey: undefined }));
    const results = await captioner.caption([{ image: testImage() }, { image: testImage(), box: { x: 0, y: 0, w: 50, h: 50 } }]);
    assert.deepEqual(results.map((r) => r.text), ['grey background', 'grey background']);
    assert.equal(received.length, 2);
    for (const { body, headers } of received) {
      assert.equal(headers.authorization, undefined);
      const content = body.messages[0].content as { type: string; text?: string }[];
      assert.equal(content.find((p) => p.type === 'text')?.text, 'Describe the visual content of the image fragment in fewer than 5 words.');
    }
  } finally {
    server.close();
  }
});

test('protocol: the two-step GRF prompt continues the conversation and keeps the last answer', async () => {
  const firsts = new Set([
    'Describe the image and main visual features in one sentence.',
    'Generate a short caption for this image, focusing on the visual details.',
    'Provide a concise description, one sentence, of the image visual features and surroundings.',
    'Write a brief caption, one sentence, that describes the image visual features.',
    'Summarize the image visual features in a precise caption, maximum one sentence.',
  ]);
  const { server, url, received } = await startServer((_req, n) => [200, llamaServerAnswer(n % 2 === 1 ? 'A long first answer about a red shape on grey.' : 'Red rectangle on grey.')]);
  try {
    const captioner = new OpenAiCompatibleCaptioner(settings(url, { concurrency: 1 }));
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    const results = await captioner.caption(seeds.map((seed) => ({ image: testImage(), prompt: 'grf', seed })));
    assert.ok(results.every((r) => r.text === 'Red rectangle on grey.'));
    assert.equal(received.length, 24);
    const chosen: string[] = [];
    for (let i = 0; i < received.length; i += 2) {
      const first = received[i].body.messages;
      assert.equal(first.length, 1);
      const firstText = (first[0].content as { type: string; text?: string }[]).find((p) => p.type === 'text')?.text ?? '';
      assert.ok(firsts.has(firstText), `unexpected first prompt: ${firstText}`);
      chosen.push(firstText);
      const second = received[i + 1].body.messages;
      assert.deepEqual(
        second.slice(1).map((m) => [m.role, m.content]),
        [
          ['assistant', 'A long first answer about a red shape on grey.'],
          ['user', 'Pay attention to the visual settings and details on the image. Write exactly one sentence under 10 words.'],
        ],
      );
    }
    // Seeded: the same seed picks the same prompt again, and twelve seeds do not all pick one prompt.
    assert.ok(new Set(chosen).size >= 3, `only ${new Set(chosen).size} distinct first prompts`);
    received.length = 0;
    await captioner.caption([{ image: testImage(), prompt: 'grf', seed: 1 }]);
    const again = (received[0].body.messages[0].content as { type: string; text?: string }[]).find((p) => p.type === 'text')?.text;
    assert.equal(again, chosen[0]);
  } finally {
    server.close();
  }
});
