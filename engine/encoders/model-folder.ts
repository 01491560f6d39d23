// A model folder in the Hugging Face ONNX layout: config.json, preprocessor_config.json,
// tokenizer files, onnx/{vision,text}_model[_fp16|_quantized].onnx.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { ModelFamily } from './preprocess-spec.ts';

export type ModelDtype = 'fp32' | 'fp16' | 'q8';

const suffixes: Record<ModelDtype, string> = { fp32: '', fp16: '_fp16', q8: '_quantized' };

const configSchema = z.looseObject({
  model_type: z.string(),
  projection_dim: z.number().int().positive().optional(),
  text_config: z.looseObject({
    hidden_size: z.number().int().positive().optional(),
    max_position_embeddings: z.number().int().positive().optional(),
  }).optional(),
  vision_config: z.looseObject({
    hidden_size: z.number().int().positive().optional(),
    image_size: z.number().int().positive().optional(),
    patch_size: z.number().int().positive().optional(),
  }).optional(),
});

export interface ModelFolder {
  folder: string;
  family: ModelFamily;
  /** Embedding size stated by config.json (the graph's output shape wins when it states one). */
  dim: number | undefined;
  maxPositions: number | undefined;
}

export function readModelFolder(folder: string): ModelFolder {
  const file = join(folder, 'config.json');
  if (!existsSync(file)) throw new Error(`${folder} is not a model folder (no config.json)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  const c = parsed.data;
  const type = c.model_type.toLowerCase();
  const family: ModelFamily | undefined = type.startsWith('clip') ? 'clip' : type.startsWith('siglip') ? 'siglip' : undefined;
  if (!family) throw new Error(`${file}: model_type "${c.model_type}" is not supported (clip or siglip)`);
  // SigLIP has no projection: its embedding is the vision hidden size.
  const dim = c.projection_dim ?? (family === 'siglip' ? c.vision_config?.hidden_size : undefined);
  return { folder, family, dim, maxPositions: c.text_config?.max_position_embeddings };
}

/** Path of onnx/<part>_model<variant>.onnx; throws naming the missing file. */
export function onnxFile(folder: string, part: 'vision' | 'text', dtype: ModelDtype): string {
  const file = join(folder, 'onnx', `${part}_model${suffixes[dtype]}.onnx`);
  if (!existsSync(file)) {
    const available = (['fp32', 'fp16', 'q8'] as const).filter((d) => existsSync(join(folder, 'onnx', `${part}_model${suffixes[d]}.onnx`)));
    throw new Error(`${file} is missing (dtype ${dtype}); available for ${part}: ${available.join(', ') || 'none'}`);
  }
  return file;
}
