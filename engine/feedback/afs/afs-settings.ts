// afs.json beside a model folder's onnx/afs.onnx: the settings the attentive feedback summarizer was
// trained with (training/train_afs.py) and the backbone it was trained for.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const afsSettingsSchema = z
  .object({
    format: z.literal(1),
    backbone: z.string().min(1).max(64),
    embedDim: z.number().int().positive().max(8192),
    textWidth: z.number().int().positive().max(8192),
    imageWidth: z.number().int().positive().max(8192),
    imageTokens: z.number().int().positive().max(4096),
    width: z.number().int().positive().max(8192),
    heads: z.number().int().positive().max(64),
    topK: z.number().int().positive().max(100),
    tau: z.number().positive().max(10),
    objective: z.enum(['rocchio', 'cosine']).optional(),
    valLoss: z.number().optional(),
    steps: z.number().int().optional(),
  })
  .strict();

export type AfsSettings = z.infer<typeof afsSettingsSchema>;

/** What to run to (re)train the AFS of a model folder, for error messages. */
export function trainCommand(folder: string): string {
  return `npm run train:afs -- --model ${folder} --captions FILE --images DIR`;
}

export function afsFiles(folder: string): { onnx: string; settings: string } {
  return { onnx: join(folder, 'onnx', 'afs.onnx'), settings: join(folder, 'afs.json') };
}

/** The settings of a model folder's AFS; a clear error naming the file and the command when missing or bad. */
export function readAfsSettings(folder: string): AfsSettings {
  const { onnx, settings } = afsFiles(folder);
  if (!existsSync(settings) || !existsSync(onnx)) {
    throw new Error(`the model ${folder} has no attentive feedback summarizer (${existsSync(settings) ? onnx : settings} is missing): run ${trainCommand(folder)}`);
  }
  if (readFileSync(settings).length > 64 * 1024) throw new Error(`${settings} is too large to be an AFS settings file: run ${trainCommand(folder)}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(settings, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read ${settings} (${err instanceof Error ? err.message : String(err)}): run ${trainCommand(folder)}`);
  }
  const parsed = afsSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${settings}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}: run ${trainCommand(folder)}`);
  }
  return parsed.data;
}
