// The `llama` section of configs/agent.yaml: a GGUF chat model run in this process by node-llama-cpp.
import { z } from 'zod';

export const llamaConfigSchema = z.object({
  /** The GGUF file; a relative path is resolved against the repository root. */
  gguf: z.string().min(1).max(4096),
  contextSize: z.number().int().min(512).max(131_072).default(4096),
  /** Layers offloaded to a GPU: 0 runs on the CPU only; "auto" lets node-llama-cpp fit as many as memory allows. */
  gpuLayers: z.union([z.number().int().min(0).max(1000), z.literal('auto')]).default(0),
  /** CPU threads; 0 lets node-llama-cpp choose. */
  threads: z.number().int().min(0).max(256).default(0),
  /** Most tool-call rounds per turn before the model must answer in words. */
  maxSteps: z.number().int().min(1).max(20).default(4),
  /** Most tokens per generation (one tool call, or the reply). */
  maxTokens: z.number().int().min(16).max(8192).default(512),
  /** 0 decodes greedily (the same answer every time). */
  temperature: z.number().min(0).max(2).default(0),
});

export type LlamaConfig = z.infer<typeof llamaConfigSchema>;
