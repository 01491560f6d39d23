// Reads a model's preprocessor_config.json (Hugging Face CLIP/SigLIP image processors) into a
// PreprocessSpec, filling what the file leaves out with that family's processor defaults.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { PreprocessSpec } from '../types.ts';

export type ModelFamily = 'clip' | 'siglip';

const clipMean: [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
const clipStd: [number, number, number] = [0.26862954, 0.26130258, 0.27577711];

const sizeSchema = z.union([
  z.number().int().positive(),
  z.object({ shortest_edge: z.number().int().positive() }),
  z.object({ height: z.number().int().positive(), width: z.number().int().positive() }),
]);
const triple = z.tuple([z.number(), z.number(), z.number()]);

const configSchema = z.looseObject({
  do_resize: z.boolean().optional(),
  size: sizeSchema.optional(),
  resample: z.number().int().optional(),
  do_center_crop: z.boolean().optional(),
  crop_size: sizeSchema.optional(),
  do_rescale: z.boolean().optional(),
  rescale_factor: z.number().positive().optional(),
  do_normalize: z.boolean().optional(),
  // Some exports write a single number for all channels.
  image_mean: z.union([triple, z.number()]).optional(),
  image_std: z.union([triple, z.number()]).optional(),
});

// PIL resampling codes used in the configs.
const resampleCodes: Record<number, PreprocessSpec['resample']> = { 0: 'nearest', 2: 'bilinear', 3: 'bicubic' };

function asTriple(value: [number, number, number] | number | undefined, fallback: [number, number, number]): [number, number, number] {
  if (value === undefined) return fallback;
  return typeof value === 'number' ? [value, value, value] : value;
}

function squareOrRect(size: z.infer<typeof sizeSchema>): { width: number; height: number } {
  if (typeof size === 'number') return { width: size, height: size };
  if ('shortest_edge' in size) return { width: size.shortest_edge, height: size.shortest_edge };
  return { width: size.width, height: size.height };
}

/** Builds the spec from the parsed JSON of preprocessor_config.json. `where` names it in errors. */
export function preprocessSpecFromConfig(raw: unknown, family: ModelFamily, where = 'preprocessor_config.json'): PreprocessSpec {
  const parsed = configSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${where}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  const c = parsed.data;
  if (c.do_resize === false) throw new Error(`${where}: do_resize=false is not supported (models need a fixed input size)`);
  const resample = resampleCodes[c.resample ?? (family === 'clip' ? 3 : 2)];
  if (!resample) throw new Error(`${where}: resample=${c.resample} is not supported (use 0, 2 or 3)`);
  const rescaleFactor = c.do_rescale === false ? 1 : (c.rescale_factor ?? 1 / 255);
  const normalize = c.do_normalize !== false;
  const mean = normalize ? asTriple(c.image_mean, family === 'clip' ? clipMean : [0.5, 0.5, 0.5]) : ([0, 0, 0] as [number, number, number]);
  const std = normalize ? asTriple(c.image_std, family === 'clip' ? clipStd : [0.5, 0.5, 0.5]) : ([1, 1, 1] as [number, number, number]);
  if (std.some((s) => s === 0)) throw new Error(`${where}: image_std contains 0`);

  const size = c.size ?? (family === 'clip' ? { shortest_edge: 224 } : { height: 224, width: 224 });
  const shortestEdge = typeof size === 'number' ? size : 'shortest_edge' in size ? size.shortest_edge : undefined;
  if (shortestEdge !== undefined && family === 'clip') {
    if (c.do_center_crop === false) {
      throw new Error(`${where}: shortest_edge resizing without do_center_crop gives no fixed input size`);
    }
    const crop = squareOrRect(c.crop_size ?? shortestEdge);
    return { resizeMode: 'shortest_edge', resizeTo: shortestEdge, cropWidth: crop.width, cropHeight: crop.height, resample, rescaleFactor, mean, std };
  }
  const exact = squareOrRect(size);
  return { resizeMode: 'exact', resizeTo: exact.height, cropWidth: exact.width, cropHeight: exact.height, resample, rescaleFactor, mean, std };
}

/** Reads <folder>/preprocessor_config.json (its absence means the family's defaults). */
export function readPreprocessSpec(folder: string, family: ModelFamily): PreprocessSpec {
  const file = join(folder, 'preprocessor_config.json');
  let raw: unknown = {};
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return preprocessSpecFromConfig(raw, family, file);
}
