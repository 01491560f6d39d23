// visualref caption: captions an image of the library (by id) or an image file, or a box of it.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { parseFlags } from '../args.ts';
import type { Command } from '../main.ts';
import { UsageError } from '../usage-error.ts';
import type { Box, RgbImage } from '../../engine/types.ts';
import { BoxError, parseBoxText, partlyOutside, resolveBox } from '../../engine/images/box.ts';
import { decodeImage } from '../../engine/images/decode.ts';
import { openExistingLibrary } from '../../engine/library/open-existing.ts';
import type { Library } from '../../engine/library/library.ts';
import { loadModelRuntime, type ModelRuntime } from '../../engine/library/model-runtime.ts';
import { captionerConfig, chooseCaptionerName, createCaptioner, type VersionedCaptioner } from '../../engine/captioners/create-captioner.ts';
import { captionerForLibrary, runtimeEmbedder } from '../../engine/captioners/for-library.ts';
import { QueryFileError, readQueryImageFile } from '../../engine/images/query-file.ts';
import { loadToolsConfig } from '../../tools/config.ts';
import { loadIndexConfig } from '../../engine/index/config.ts';

const flags = z.object({
  box: z.string().optional(),
  units: z.enum(['px', 'fraction']).optional(),
  captioner: z.string().min(1).optional(),
  prompt: z.string().min(1).optional(),
  instructions: z.string().max(500).optional(),
  query: z.string().max(1000).optional(),
  json: z.boolean().optional(),
  model: z.string().min(1).optional(),
  data: z.string().min(1).optional(),
  provider: z.enum(['cpu', 'webgpu', 'cuda']).optional(),
  help: z.boolean().optional(),
});

const usage = `usage: visualref caption ID|FILE [--box x,y,w,h [--units px|fraction]] [--json]
options: --captioner NAME (configs/captioning/captioners.yaml)  --prompt NAME (configs/captioning/)
         --instructions TEXT  --query TEXT  --model NAME|PATH  --data DIR  --provider cpu|webgpu|cuda
A box is in pixels of the image as displayed (EXIF orientation applied), or fractions 0..1 of its sides.`;

interface Target {
  image: RgbImage;
  source: { id: number } | { file: string };
  library?: Library;
  runtime?: ModelRuntime;
}

/** A captioner that ranks phrases with a model needs one: the library's, or the one named with --model. */
function needsModel(captionerName: string): boolean {
  return captionerConfig(captionerName).kind === 'clip-phrases';
}

async function loadTarget(ref: string, values: z.infer<typeof flags>): Promise<Target> {
  if (/^\d+$/.test(ref) && !existsSync(ref)) {
    const library = await openExistingLibrary({ dataDir: values.data, model: values.model, provider: values.provider });
    const id = Number(ref);
    if (!library.getImage(id)) {
      await library.close();
      throw new UsageError(`no image with id ${id} in the library`);
    }
    return { image: await library.loadImage(id), source: { id }, library };
  }
  let bytes: Buffer;
  try {
    bytes = await readQueryImageFile(ref, loadToolsConfig().upload.maxBytes);
  } catch (err) {
    if (err instanceof QueryFileError) throw new UsageError(`${err.message}`);
    throw err;
  }
  const image = await decodeImage(bytes, { maxPixels: loadIndexConfig().indexer.maxPixels });
  const target: Target = { image, source: { file: resolve(ref) } };
  // Without --model the library's model decides the captioner (and is its embedder), as for an id.
  if (values.model) {
    if (needsModel(chooseCaptionerName(values.captioner, values.model))) target.runtime = await loadModelRuntime(values.model, values.provider ?? 'cpu');
  } else if (needsModel(chooseCaptionerName(values.captioner))) {
    target.library = await openExistingLibrary({ dataDir: values.data, provider: values.provider });
  }
  return target;
}

function captionerFor(target: Target, name: string, model: string | undefined): VersionedCaptioner {
  if (target.library) return captionerForLibrary(target.library, name);
  const runtime = target.runtime;
  return createCaptioner(name, {
    model,
    embedder: runtime && model ? runtimeEmbedder(model, async () => runtime) : undefined,
  });
}

export const command: Command = {
  summary: 'caption an image or a box of it',
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      {
        box: { type: 'string' },
        units: { type: 'string' },
        captioner: { type: 'string' },
        prompt: { type: 'string' },
        instructions: { type: 'string' },
        query: { type: 'string' },
        json: { type: 'boolean' },
        model: { type: 'string' },
        data: { type: 'string' },
        provider: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      flags,
    );
    if (values.help) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError(`give one image id or file\n${usage}`);
    captionerConfig(chooseCaptionerName(values.captioner, values.model));
    const target = await loadTarget(positionals[0], values);
    try {
      // Chosen once the library is open: its model picks the default captioner (world-phrases for builtin).
      const name = chooseCaptionerName(values.captioner, target.library?.model ?? values.model);
      captionerConfig(name);
      let box: Box | undefined;
      if (values.box !== undefined) {
        try {
          const asked = parseBoxText(values.box);
          box = resolveBox(asked, values.units, target.image);
          if (partlyOutside(asked, values.units, target.image)) {
            process.stderr.write(`note: the box ${values.box} reaches outside the ${target.image.width}x${target.image.height} image; captioning the part inside: ${box.x},${box.y},${box.w},${box.h}\n`);
          }
        } catch (err) {
          if (err instanceof BoxError) throw new UsageError(`--box: ${err.message}`);
          throw err;
        }
      }
      const captioner = captionerFor(target, name, target.library?.model ?? values.model);
      const [result] = await captioner.caption([
        { image: target.image, box, prompt: values.prompt, instructions: values.instructions, query: values.query, seed: 'id' in target.source ? target.source.id : undefined },
      ]);
      const output = {
        text: result.text,
        model: result.model,
        latencyMs: result.latencyMs,
        box: box ?? { x: 0, y: 0, w: target.image.width, h: target.image.height },
        captioner: captioner.name,
        promptVersion: captioner.versionFor(values.prompt),
        image: { ...target.source, width: target.image.width, height: target.image.height },
        ...(result.scores ? { scores: result.scores } : {}),
      };
      if (values.json) {
        process.stdout.write(`${JSON.stringify(output)}\n`);
      } else {
        process.stdout.write(`${result.text}\n`);
        process.stderr.write(`${captioner.name} (${result.model}), ${result.latencyMs} ms, box ${output.box.x},${output.box.y},${output.box.w},${output.box.h}\n`);
      }
      return 0;
    } finally {
      await target.library?.close();
      await target.runtime?.dispose();
    }
  },
};
