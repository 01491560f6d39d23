// Settings of the vector index and the indexer, read from configs/index.yaml.
import { z } from 'zod';
import { loadConfig } from '../config/load-config.ts';

export const hnswParamsSchema = z.object({
  m: z.number().int().min(2).max(128),
  efConstruction: z.number().int().min(8).max(4096),
  efSearch: z.number().int().min(1).max(4096),
  growBy: z.number().int().min(16),
});

export const indexConfigSchema = z.object({
  /** A postgres:// URL: the library lives in that database (engine/library/postgres/) instead of the data folder. */
  database: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL').max(2000).optional(),
  kind: z.enum(['hnsw', 'flat']),
  /** Vectors of the index file compared with the database's on open (all of them in smaller libraries). */
  verifySample: z.number().int().min(1).default(256),
  hnsw: hnswParamsSchema,
  indexer: z.object({
    batchSize: z.number().int().min(1).max(1024),
    decodeAhead: z.number().int().min(1).max(1024),
    saveEverySeconds: z.number().positive(),
    maxPixels: z.number().int().positive(),
    extensions: z.array(z.string().regex(/^\.[a-z0-9]+$/, 'a lower-case extension with its dot')).min(1),
  }),
});

export type HnswParams = z.infer<typeof hnswParamsSchema>;
export type IndexConfig = z.infer<typeof indexConfigSchema>;

export function loadIndexConfig(): IndexConfig {
  return loadConfig('index', indexConfigSchema);
}
