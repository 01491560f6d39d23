// The ONNX AFS of a model folder against the PyTorch outputs training/train_afs.py recorded at export.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AfsModel } from '../../engine/feedback/afs/afs-model.ts';

interface Tensor {
  dims: number[];
  data: number[];
}

function readReference(folder: string): Record<string, Tensor> {
  return JSON.parse(readFileSync(join(folder, 'afs-reference.json'), 'utf8')) as Record<string, Tensor>;
}

/** The ONNX AFS of `folder` on the reference inputs: the largest difference from the PyTorch outputs. */
export async function referenceDifference(folder: string): Promise<number> {
  const reference = readReference(folder);
  const model = await AfsModel.load(folder, { image: true, text: true });
  try {
    const feeds = Object.fromEntries(
      ['query_tokens', 'query_mask', 'item_tokens', 'attention_bias'].map((name) => [name, { dims: reference[name].dims, data: Float32Array.from(reference[name].data) }]),
    );
    const outputs = await model.runRaw(feeds);
    let worst = 0;
    for (const name of ['summary', 'attention']) {
      assert.equal(outputs[name].length, reference[name].data.length, `${name} size`);
      outputs[name].forEach((x, i) => (worst = Math.max(worst, Math.abs(x - reference[name].data[i]))));
    }
    return worst;
  } finally {
    await model.dispose();
  }
}

