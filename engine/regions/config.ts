// Settings of region extraction, storage and re-ranking, read from configs/regions.yaml.
import { z } from 'zod';
import { loadConfig } from '../config/load-config.ts';

const windowLevel = z.object({
  grid: z.number().int().min(1).max(32),
  size: z.number().gt(0).max(1),
});

export const regionSourceSchema = z.enum(['windows', 'proposer', 'tokens', 'cells']);
export type RegionSource = z.infer<typeof regionSourceSchema>;

export const regionsConfigSchema = z.object({
  enabled: z.boolean(),
  source: regionSourceSchema,
  embed: z.enum(['tokens', 'crops']),
  windows: z.array(windowLevel).min(1),
  proposer: z.object({
    workSide: z.number().int().min(32).max(2048),
    scale: z.number().positive(),
    sigma: z.number().min(0).max(10),
    minSize: z.number().int().min(1),
    maxBoxes: z.number().int().min(1).max(200),
    minArea: z.number().min(0).max(1),
    maxArea: z.number().gt(0).max(1),
    dedupeIoU: z.number().min(0).max(1),
    areaWeight: z.number().min(0).max(2),
    fillWeight: z.number().min(0).max(4),
    merge: z.boolean(),
    plusWindows: z.array(windowLevel),
  }),
  tokens: z.object({ embed: z.enum(['crops', 'direct']) }),
  store: z.object({ dtype: z.enum(['fp16', 'int8']) }),
  rerank: z.object({
    pool: z.number().int().min(1).max(100_000),
    marks: z.enum(['crop', 'caption', 'both']),
    tokenCacheMB: z.number().min(0).max(65_536),
  }),
});

export type RegionsConfig = z.infer<typeof regionsConfigSchema>;

export function loadRegionsConfig(): RegionsConfig {
  return loadConfig('regions', regionsConfigSchema);
}
