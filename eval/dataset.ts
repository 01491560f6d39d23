// Captioned collections in the Karpathy layout (`images[].filename`, `split`, `sentences[].raw`),
// as written by `visualref world` (with objects and background) or shipped with Flickr8k/COCO.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';

const objectSchema = z.object({
  box: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  shape: z.string(),
  colour: z.string(),
  size: z.string(),
  pattern: z.string(),
});

const imageSchema = z.looseObject({
  filename: z.string().min(1),
  filepath: z.string().optional(),
  imgid: z.number().int().optional(),
  split: z.string().optional(),
  sentences: z.array(z.looseObject({ raw: z.string() })).min(1),
  objects: z.array(objectSchema).optional(),
  background: z.string().optional(),
});

const fileSchema = z.looseObject({
  dataset: z.string().optional(),
  images: z.array(imageSchema).min(1),
});

export type EvalObject = z.infer<typeof objectSchema>;

/** One image of an evaluation collection with its ground truth. */
export interface EvalImage {
  /** Position in the collection (the index label used by the runner). */
  index: number;
  path: string;
  filename: string;
  captions: string[];
  /** Synthetic-world scenes only: each object's tight box and attributes. */
  objects?: EvalObject[];
  background?: string;
}

export interface EvalDataset {
  name: string;
  images: EvalImage[];
}

export interface LoadDatasetOptions {
  /** Keep only images of this split (e.g. "test"); all images when absent. */
  split?: string;
  /** Images folder; defaults to the folder of the captions file, or its images/ sub-folder. */
  imagesDir?: string;
}

// Karpathy files sit either beside their images or beside an images/ folder (Flickr8k, COCO).
function defaultImagesDir(captionsFile: string, filepath: string, filename: string): string {
  const beside = dirname(captionsFile);
  const nested = join(beside, 'images');
  return !existsSync(join(beside, filepath, filename)) && existsSync(join(nested, filepath, filename)) ? nested : beside;
}

export async function loadKarpathyDataset(captionsFile: string, options: LoadDatasetOptions = {}): Promise<EvalDataset> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(captionsFile, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read captions file ${captionsFile}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${captionsFile} is not a Karpathy captions file: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  const selected = parsed.data.images.filter((image) => options.split === undefined || image.split === options.split);
  if (selected.length === 0) throw new Error(`${captionsFile} has no images in split "${options.split}"`);
  const imagesDir = resolve(options.imagesDir ?? defaultImagesDir(captionsFile, selected[0].filepath ?? '', selected[0].filename));
  const images = selected.map((image, index): EvalImage => ({
    index,
    path: join(imagesDir, image.filepath ?? '', image.filename),
    filename: image.filename,
    captions: image.sentences.map((s) => s.raw.trim()),
    objects: image.objects,
    background: image.background,
  }));
  return { name: parsed.data.dataset ?? basename(dirname(resolve(captionsFile))), images };
}
