// visualref chat: one turn from the command line with the deterministic agent and with the llama
// agent on the tiny GGUF model (models/tiny-chat), printed as JSON; a refinement of the session; a
// missing GGUF is a clear error; without node-llama-cpp only the llama agent is unavailable.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../engine/config/load-config.ts';
import { searchInput } from '../tools/contract/schemas.ts';
import { tinyModelPath } from '../engine/llm/build-tiny-gguf.ts';
import { runCli } from './helpers/run-cli.ts';
import { makeWorldLibrary, type WorldLibrary } from './helpers/mcp-world-library.ts';

interface ChatJson {
  reply: string;
  toolCalls: { name: string; args: Record<string, unknown> }[];
  results: { results?: { id: number }[]; error?: string }[];
  sessionId?: string;
}

let lib: WorldLibrary;
const gguf = tinyModelPath('functionary');

before(async () => {
  lib = await makeWorldLibrary(20);
});

after(() => lib?.remove());

const chat = async (...args: string[]) => runCli(['chat', ...args, '--data', lib.dataDir, '--model', lib.model]);

test('deterministic: a search, then a refinement of its session, as JSON', { timeout: 120_000 }, async () => {
  const first = await chat('red circles', '--agent', 'deterministic', '--json');
  assert.equal(first.code, 0, first.stderr);
  const searched = JSON.parse(first.stdout) as ChatJson;
  assert.deepEqual(searched.toolCalls, [{ name: 'search', args: { text: 'red circles' } }]);
  assert.equal(searched.results[0].results?.length, 12);
  assert.match(searched.reply, /Found 12 images for “red circles”/);
  assert.ok(searched.sessionId);

  const second = await chat('no stripes', '--agent', 'deterministic', '--session', searched.sessionId, '--json');
  assert.equal(second.code, 0, second.stderr);
  const refined = JSON.parse(second.stdout) as ChatJson;
  assert.equal(refined.toolCalls[0].name, 'refine-query');
  assert.equal(refined.toolCalls[0].args.comment, 'no stripes');
  assert.equal(refined.sessionId, searched.sessionId);
});

test('llama: the tiny GGUF model calls search with valid arguments, results come back', { skip: existsSync(gguf) ? false : 'run npm run build:tiny-gguf', timeout: 120_000 }, async () => {
  const started = performance.now();
  const run = await chat('red circles', '--agent', 'llama', '--gguf', gguf, '--threads', '1', '--json');
  console.log(`visualref chat --agent llama (tiny model, load included): ${Math.round(performance.now() - started)} ms`);
  assert.equal(run.code, 0, run.stderr);
  const out = JSON.parse(run.stdout) as ChatJson;
  assert.equal(out.toolCalls[0].name, 'search');
  assert.ok(searchInput.safeParse(out.toolCalls[0].args).success);
  assert.equal(out.results[0].results?.length, 12);
  assert.equal(out.results.length, out.toolCalls.length);
});

test('llama with a missing GGUF: exit 1 and a message naming the file', { timeout: 60_000 }, async () => {
  const run = await chat('red circles', '--agent', 'llama', '--gguf', '/nonexistent/model.gguf');
  assert.equal(run.code, 1);
  assert.match(run.stderr, /GGUF model not found: \/nonexistent\/model\.gguf/);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
});

test('without node-llama-cpp the deterministic agent works and the llama agent says why it cannot start', { timeout: 120_000 }, async () => {
  const env = { NODE_OPTIONS: `--import ${join(repoRoot, 'test', 'fixtures', 'no-node-llama-cpp.mjs')}` };
  const deterministic = await runCli(['chat', 'red circles', '--agent', 'deterministic', '--json', '--data', lib.dataDir, '--model', lib.model], env);
  assert.equal(deterministic.code, 0, deterministic.stderr);
  assert.equal((JSON.parse(deterministic.stdout) as ChatJson).toolCalls[0].name, 'search');
  const llama = await runCli(['chat', 'red circles', '--agent', 'llama', '--gguf', gguf, '--data', lib.dataDir, '--model', lib.model], env);
  assert.equal(llama.code, 1);
  assert.match(llama.stderr, /the llama agent needs node-llama-cpp, which cannot load on \w+-\w+: .*no native binding.*The deterministic and OpenAI-compatible agents still work/);
});
