// npm run bench:llama -- [--gguf FILE] [--threads N]: the llama agent's costs on one machine: model
// load, prompt and generation speed, and the latency of a chat turn through the agent path (a
// search turn on a 20-image world library). Default model: the tiny random one (models/tiny-chat).
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { tinyModelPath } from '../engine/llm/build-tiny-gguf.ts';
import { openToolContext } from '../tools/context.ts';
import { chatContextFor } from '../agent/chat/chat-context.ts';
import { chatResponse } from '../agent/chat/chat-handler.ts';
import { llamaConfigSchema } from '../agent/chat/llama-config.ts';
import { loadLlama, unloadLlamas } from '../agent/chat/llama-runtime.ts';
import { parseStreamChunks, summarizeTurn } from '../agent/chat/stream-summary.ts';
import { makeWorldLibrary } from '../test/helpers/mcp-world-library.ts';

const { values } = parseArgs({ options: { gguf: { type: 'string' }, threads: { type: 'string', default: '1' }, turns: { type: 'string', default: '5' } } });
const config = llamaConfigSchema.parse({ gguf: values.gguf ?? tinyModelPath('functionary'), threads: Number(values.threads), maxSteps: 2, maxTokens: 256 });
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

const loaded = await loadLlama(config);
console.log(`model load (binding + weights + ${config.contextSize}-token context): ${loaded.loadMs} ms  [load ${load()}]`);

const sequence = loaded.context.getSequence();
const prompt = loaded.model.tokenize('Find photos of a dog running on the beach, no people. '.repeat(20));
let t = performance.now();
await sequence.evaluateWithoutGeneratingNewTokens(prompt);
const promptMs = performance.now() - t;
t = performance.now();
let generated = 0;
for await (const token of sequence.evaluate([prompt[0]], { temperature: 0 })) {
  void token;
  if (++generated >= 256) break;
}
const genMs = performance.now() - t;
sequence.dispose();
console.log(`prompt: ${prompt.length} tokens in ${promptMs.toFixed(0)} ms = ${(prompt.length / (promptMs / 1000)).toFixed(0)} tokens/s  [load ${load()}]`);
console.log(`generation: ${generated} tokens in ${genMs.toFixed(0)} ms = ${(generated / (genMs / 1000)).toFixed(0)} tokens/s  [load ${load()}]`);

const lib = await makeWorldLibrary(20);
const ctx = await openToolContext({ dataDir: lib.dataDir, model: lib.model });
const chat = chatContextFor(ctx);
const times: number[] = [];
for (let i = 0; i < Number(values.turns); i++) {
  t = performance.now();
  const res = chatResponse(chat, { id: 'bench', message: { id: `m${i}`, role: 'user', parts: [{ type: 'text', text: 'red circles on grass' }], metadata: { request: { action: 'search' } } } }, { mode: 'llama', llama: config });
  const summary = summarizeTurn(parseStreamChunks(await res.text()));
  times.push(performance.now() - t);
  if (summary.error) throw new Error(summary.error);
  if (i === 0) console.log(`turn: ${summary.toolCalls.map((c) => c.name).join(', ')} (${summary.toolCalls.length} tool calls)`);
}
times.sort((a, b) => a - b);
console.log(`agent turn (search, warm model), ${times.length} turns: p50 ${times[Math.floor(times.length / 2)].toFixed(0)} ms, min ${times[0].toFixed(0)} ms, max ${times.at(-1)!.toFixed(0)} ms  [load ${load()}]`);
await unloadLlamas();
await ctx.close();
lib.remove();
