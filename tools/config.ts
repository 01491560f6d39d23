// configs/tools.yaml: settings of the tools, read by the tools (not by the faces that call them).
import { z } from 'zod';
import { loadConfig } from '../engine/config/load-config.ts';

export const toolsConfigSchema = z
  .object({
    refine: z.object({ maxRegionMarks: z.number().int().min(1).max(200) }).strict(),
    upload: z.object({ maxBytes: z.number().int().positive(), maxPixels: z.number().int().positive() }).strict(),
  })
  .strict();

export type ToolsConfig = z.infer<typeof toolsConfigSchema>;

export function loadToolsConfig(): ToolsConfig {
  return loadConfig('tools', toolsConfigSchema);
}
