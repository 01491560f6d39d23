// The shipped captioning configs load, prompts render as the paper and the demo word them, and the
// captioner is chosen by name, environment and model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadPrompt, renderPrompt } from '../engine/captioners/prompts.ts';
import { loadCaptionersConfig, loadPhraseBanks } from '../engine/captioners/config.ts';
import { chooseCaptionerName, createCaptioner, openAiSettings } from '../engine/captioners/create-captioner.ts';
import { OpenAiCompatibleCaptioner } from '../engine/captioners/openai-compatible.ts';
import { configDir } from '../engine/config/load-config.ts';
import { minePhrases, candidatePhrases } from '../engine/captioners/mine-phrases.ts';

test('the region prompt is the demo one, with the instructions suffix only when instructions are given', () => {
  const region = loadPrompt('region');
  assert.equal(region.version, 'region-v1');
  assert.equal(region.maxTokens, 100);
  assert.deepEqual(renderPrompt(region, { seed: 0 }), ['Describe the visual content of the image fragment in fewer than 5 words.']);
  assert.deepEqual(renderPrompt(region, { seed: 0, instructions: '  the hat ' }), [
    'Describe the visual content of the image fragment in fewer than 5 words. Focus on the following instructions: the hat',
  ]);
});

test('the GRF prompt draws one of five first prompts by seed, then the follow-up', () => {
  const grf = loadPrompt('grf');
  const seen = new Map<string, number>();
  for (let seed = 0; seed < 500; seed++) {
    const [first, second] = renderPrompt(grf, { seed });
    assert.equal(second, 'Pay attention to the visual settings and details on the image. Write exactly one sentence under 10 words.');
    seen.set(first, (seen.get(first) ?? 0) + 1);
    assert.equal(renderPrompt(grf, { seed })[0], first, 'the same seed must pick the same prompt');
  }
  assert.equal(seen.size, 5);
  // Roughly uniform: each of the five about 100 times in 500.
  for (const [prompt, n] of seen) assert.ok(n > 60 && n < 140, `${prompt}: ${n} of 500`);
});

test('the retail prompt takes the query', () => {
  const [text] = renderPrompt(loadPrompt('retail'), { seed: 0, query: 'red sneakers' });
  assert.match(text, /^Name the product .* The shopper searched for: red sneakers\.$/);
});

test('changing a prompt is a config change: a new file under VISUALREF_CONFIG_DIR is used as is', () => {
  const dir = mkdtempSync(join(tmpdir(), 'visualref-prompts-'));
  const saved = process.env.VISUALREF_CONFIG_DIR;
  try {
    cpSync(configDir(), dir, { recursive: true });
    mkdirSync(join(dir, 'captioning'), { recursive: true });
    writeFileSync(join(dir, 'captioning', 'short.yaml'), 'version: short-v7\nsteps:\n  - text: Two words only.\n');
    process.env.VISUALREF_CONFIG_DIR = dir;
    const prompt = loadPrompt('short');
    assert.equal(prompt.version, 'short-v7');
    assert.deepEqual(renderPrompt(prompt, { seed: 3, instructions: 'ignored: no suffix' }), ['Two words only.']);
    writeFileSync(join(dir, 'captioning', 'broken.yaml'), 'version: b\nsteps:\n  - text: x\n    choices: [y]\n');
    assert.throws(() => loadPrompt('broken'), /steps\.0: a step needs exactly one of text or choices/);
    assert.throws(() => loadPrompt('../captioners'), /invalid prompt name/);
  } finally {
    if (saved === undefined) delete process.env.VISUALREF_CONFIG_DIR;
    else process.env.VISUALREF_CONFIG_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('captioners: chosen by name, then $VISUALREF_CAPTIONER, then by model, then the default', () => {
  const config = loadCaptionersConfig();
  assert.equal(config.default, 'clip-phrases');
  const saved = process.env.VISUALREF_CAPTIONER;
  try {
    delete process.env.VISUALREF_CAPTIONER;
    assert.equal(chooseCaptionerName(undefined, 'builtin'), 'world-phrases');
    assert.equal(chooseCaptionerName(undefined, '/somewhere/models/builtin'), 'world-phrases');
    assert.equal(chooseCaptionerName(undefined, 'clip-vit-b32'), 'clip-phrases');
    process.env.VISUALREF_CAPTIONER = 'ollama';
    assert.equal(chooseCaptionerName(undefined, 'builtin'), 'ollama');
    assert.equal(chooseCaptionerName('llava', 'builtin'), 'llava');
  } finally {
    if (saved === undefined) delete process.env.VISUALREF_CAPTIONER;
    else process.env.VISUALREF_CAPTIONER = saved;
  }
  assert.throws(() => createCaptioner('nope'), /no captioner named "nope" \(configs\/captioning\/captioners\.yaml has: world-phrases, clip-phrases, llava, ollama\)/);
  assert.throws(() => createCaptioner('world-phrases'), /open a library first/);
  const llava = createCaptioner('llava');
  assert.ok(llava instanceof OpenAiCompatibleCaptioner);
  assert.equal(llava.versionFor(), 'region-v1');
  assert.equal(llava.versionFor('grf'), 'grf-v1');
});

test('the environment overrides the server, model and key of an OpenAI-compatible captioner', () => {
  const config = loadCaptionersConfig().captioners.ollama;
  assert.equal(config.kind, 'openai-compatible');
  if (config.kind !== 'openai-compatible') return;
  assert.equal(openAiSettings('ollama', config, {}).baseUrl, 'http://localhost:11434/v1');
  const settings = openAiSettings('ollama', config, {
    VISUALREF_CAPTION_BASE_URL: 'http://10.0.0.5:8000/v1',
    VISUALREF_CAPTION_MODEL: 'llava-hf/llava-1.5-7b-hf',
    VISUALREF_CAPTION_API_KEY: 'k',
  });
  assert.deepEqual([settings.baseUrl, settings.model, settings.apiKey], ['http://10.0.0.5:8000/v1', 'llava-hf/llava-1.5-7b-hf', 'k']);
});

test('the world phrase bank spells the colours, patterns and shapes the built-in model knows', () => {
  const world = loadPhraseBanks().world;
  assert.equal(world.slots?.colour.length, 11);
  assert.deepEqual(world.slots?.pattern, ['plain', 'striped', 'dotted', 'checkered']);
  assert.equal(world.slots?.shape.length, 8);
  assert.ok((loadPhraseBanks().photo.phrases?.length ?? 0) > 50);
});

test('phrases are mined from captions: words after an article, kept when they recur', () => {
  assert.deepEqual(candidatePhrases('A black dog running on the green grass with a red ball.'), ['black dog', 'green grass', 'red ball']);
  const captions = [
    'A black dog runs on the beach.',
    'a black dog with a stick',
    'The black dog is wet.',
    'A child in a red shirt plays.',
    'a girl in a red shirt',
    'two dogs on the beach',
  ];
  assert.deepEqual(minePhrases(captions, { max: 10, minCount: 2 }), ['black dog', 'beach', 'red shirt']);
  assert.deepEqual(minePhrases(captions, { max: 1, minCount: 2 }), ['black dog']);
});
