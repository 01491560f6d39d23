// Loads node-llama-cpp and a GGUF chat model for the llama agent. The package is imported only
// here, only when that agent runs, so the other agents start without it; every way loading can fail
// (no native binding, a missing or corrupt file, too little memory) ends in a LlamaLoadError that
// says what is wrong and what to do.
import { existsSync, statSync } from 'node:fs';
import { freemem } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import type { LlamaContext, LlamaModel } from 'node-llama-cpp';
import { repoRoot } from '../../engine/config/load-config.ts';
import type { LlamaConfig } from './llama-config.ts';

export class LlamaLoadError extends Error {}

type NodeLlamaCpp = typeof import('node-llama-cpp');

export interface LoadedLlama {
  lib: NodeLlamaCpp;
  model: LlamaModel;
  context: LlamaContext;
  path: string;
  loadMs: number;
  /** Runs one turn at a time on the model's single context sequence. */
  exclusive<T>(run: () => Promise<T>): Promise<T>;
}

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

export function resolveGgufPath(gguf: string): string {
  return isAbsolute(gguf) ? gguf : resolve(repoRoot, gguf);
}

let binding: Promise<NodeLlamaCpp> | undefined;

async function importBinding(): Promise<NodeLlamaCpp> {
  try {
    return await import('node-llama-cpp');
  } catch (err) {
    binding = undefined;
    throw new LlamaLoadError(
      `the llama agent needs node-llama-cpp, which cannot load on ${process.platform}-${process.arch}: ${err instanceof Error ? err.message : String(err)}. ` +
        'The deterministic and OpenAI-compatible agents still work (mode in configs/agent.yaml, or --agent).',
    );
  }
}

async function getLlamaFor(lib: NodeLlamaCpp, config: LlamaConfig) {
  try {
    // build: "never" — only the prebuilt binaries shipped in the npm packages; nothing is downloaded or compiled.
    return await lib.getLlama({ build: 'never', gpu: config.gpuLayers === 0 ? false : 'auto', progressLogs: false, logLevel: lib.LlamaLogLevel.error });
  } catch (err) {
    throw new LlamaLoadError(
      `node-llama-cpp has no working native binding for ${process.platform}-${process.arch}: ${err instanceof Error ? err.message : String(err)}. ` +
        'The deterministic and OpenAI-compatible agents still work.',
    );
  }
}

async function load(config: LlamaConfig): Promise<LoadedLlama> {
  const started = performance.now();
  const path = resolveGgufPath(config.gguf);
  if (!existsSync(path) || !statSync(path).isFile()) throw new LlamaLoadError(`GGUF model not found: ${path} (set llama.gguf in configs/agent.yaml, or --gguf)`);
  binding ??= importBinding();
  const lib = await binding;
  const llama = await getLlamaFor(lib, config);
  let insights;
  try {
    insights = await lib.GgufInsights.from(await lib.readGgufFileInfo(path), llama);
  } catch (err) {
    throw new LlamaLoadError(`${path} is not a readable GGUF model: ${err instanceof Error ? err.message : String(err)}`);
  }
  const gpuLayers = config.gpuLayers === 'auto' ? undefined : config.gpuLayers;
  if (config.gpuLayers === 0) {
    // On the CPU the weights and the context must fit in RAM; llama.cpp would otherwise page or be killed.
    const needed = insights.estimateModelResourceRequirements({ gpuLayers: 0 }).cpuRam +
      insights.estimateContextResourceRequirements({ contextSize: config.contextSize, modelGpuLayers: 0 }).cpuRam;
    if (needed > freemem()) {
      throw new LlamaLoadError(`${path} is too large for this machine's memory: it needs about ${gib(needed)} (weights and a ${config.contextSize}-token context), ${gib(freemem())} is free. Use a smaller or more quantized model, or a smaller llama.contextSize.`);
    }
  }
  let model: LlamaModel;
  try {
    model = await llama.loadModel({ modelPath: path, gpuLayers: gpuLayers ?? 'auto' });
  } catch (err) {
    throw new LlamaLoadError(`cannot load ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  let context: LlamaContext;
  try {
    context = await model.createContext({ contextSize: config.contextSize, threads: config.threads || undefined, sequences: 1 });
  } catch (err) {
    await model.dispose();
    throw new LlamaLoadError(`cannot make a ${config.contextSize}-token context for ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  let queue: Promise<unknown> = Promise.resolve();
  return {
    lib,
    model,
    context,
    path,
    loadMs: Math.round(performance.now() - started),
    exclusive<T>(run: () => Promise<T>): Promise<T> {
      const next = queue.then(run, run);
      queue = next.catch(() => undefined);
      return next;
    },
  };
}

const loaded = new Map<string, Promise<LoadedLlama>>();

/** The model of this configuration, loaded once per process; a failed load is tried again next time. */
export function loadLlama(config: LlamaConfig): Promise<LoadedLlama> {
  const key = JSON.stringify([resolveGgufPath(config.gguf), config.gpuLayers, config.contextSize, config.threads]);
  let entry = loaded.get(key);
  if (!entry) {
    entry = load(config);
    loaded.set(key, entry);
    entry.catch(() => loaded.delete(key));
  }
  return entry;
}

/** Frees every loaded model (tests, and the CLI before it exits). */
export async function unloadLlamas(): Promise<void> {
  const all = [...loaded.values()];
  loaded.clear();
  for (const entry of all) {
    const l = await entry.catch(() => undefined);
    if (l) {
      await l.context.dispose();
      await l.model.dispose();
    }
  }
}
