// One decoding thread of the DecodePool: reads a file and prepares the model's input pixels with
// sharp (the same function the indexer uses), then hands the pixels back without copying them again.
import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import sharp from 'sharp';
import { prepareForModel } from '../../engine/images/prepare.ts';
import type { PreprocessSpec } from '../../engine/types.ts';
import type { DecodeReply, DecodeRequest } from './decode-pool.ts';

const { spec, maxPixels } = workerData as { spec: PreprocessSpec; maxPixels: number };

// The pool's parallelism is its workers, one image each: libvips threads inside every image would
// only oversubscribe the cores (the setting is per process; the pool owns the process's decoding).
sharp.concurrency(1);

parentPort!.on('message', async ({ id, file }: DecodeRequest) => {
  let reply: DecodeReply;
  try {
    const image = await prepareForModel(await readFile(file), spec, undefined, { maxPixels });
    // sharp's output buffer cannot always be detached: copy once into a transferable one.
    const data = new Uint8Array(image.data);
    reply = { id, data, width: image.width, height: image.height };
    parentPort!.postMessage(reply, [data.buffer]);
  } catch (err) {
    reply = { id, error: err instanceof Error ? err.message : String(err) };
    parentPort!.postMessage(reply);
  }
});
