// One rendering thread of generateWorld: renders the scenes it is sent into the world folder and
// replies with their annotations.
import { parentPort, workerData } from 'node:worker_threads';
import { writeWorldImage, type RenderReply, type WorldSplit } from './generate-world.ts';

const { seed, split, outDir } = workerData as { seed: number; split: WorldSplit; outDir: string };

parentPort!.on('message', async (index: number) => {
  let reply: RenderReply;
  try {
    reply = { index, entry: await writeWorldImage(outDir, seed, split, index) };
  } catch (err) {
    reply = { index, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(reply);
});
