// Which backbone an AFS was trained for: a fingerprint of the model folder's fp32 encoder graphs, so
// an afs.onnx copied next to another model (or left behind after a retrain) is refused, not misused.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { onnxFile } from '../../encoders/model-folder.ts';

export function backboneOf(folder: string): string {
  const hash = createHash('sha256');
  for (const part of ['vision', 'text'] as const) hash.update(readFileSync(onnxFile(folder, part, 'fp32')));
  return hash.digest('hex').slice(0, 16);
}
