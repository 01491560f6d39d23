// visualref search: the nearest images to a text or to an image (a file or a library id).
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { parseFlags } from '../args.ts';
import type { Command } from '../main.ts';
import { UsageError } from '../usage-error.ts';
import { builtinModelWarning } from '../../engine/library/builtin-fit.ts';
import { QueryFileError, readQueryImageFile } from '../../engine/images/query-file.ts';
import { loadToolsConfig } from '../../tools/config.ts';
import { openLibraryBackend } from '../../engine/library/open-backend.ts';
import type { LibraryBackend } from '../../engine/library/library-backend.ts';
import { EmbeddedBackend } from '../../engine/library/embedded-backend.ts';

const flags = z.object({
  image: z.string().min(1).optional(),
  k: z.coerce.number().int().min(1).max(1000).default(10),
  json: z.boolean().optional(),
  model: z.string().min(1).optional(),
  data: z.string().min(1).optional(),
  db: z.string().min(1).max(2000).optional(),
  provider: z.enum(['cpu', 'webgpu', 'cuda']).optional(),
  help: z.boolean().optional(),
});

const usage = `usage: visualref search "text" [--k N] [--json]
       visualref search --image FILE|ID [--k N] [--json]
options: --model NAME|PATH  --data DIR | --db postgres://…  --provider cpu|webgpu|cuda`;

async function queryVector(library: LibraryBackend, text: string | undefined, image: string | undefined): Promise<Float32Array> {
  if (text !== undefined) return library.encodeText(text);
  const ref = image!;
  if (/^\d+$/.test(ref) && !existsSync(ref)) {
    const id = Number(ref);
    if (!(await library.getImage(id))) throw new UsageError(`--image: no image with id ${id} in the library`);
    return library.encodeImage({ id });
  }
  let bytes: Buffer;
  try {
    bytes = await readQueryImageFile(ref, loadToolsConfig().upload.maxBytes);
  } catch (err) {
    if (err instanceof QueryFileError) throw new UsageError(`--image: ${err.message}`);
    throw err;
  }
  return library.encodeImage(bytes);
}

export const command: Command = {
  summary: 'search the library with text or an image',
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      {
        image: { type: 'string' },
        k: { type: 'string' },
        json: { type: 'boolean' },
        model: { type: 'string' },
        data: { type: 'string' },
        db: { type: 'string' },
        provider: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      flags,
    );
    if (values.help) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    const text = positionals.join(' ').trim() || undefined;
    if (text === undefined && values.image === undefined) throw new UsageError(`give a text or --image\n${usage}`);
    if (text !== undefined && values.image !== undefined) throw new UsageError('give either a text or --image, not both');
    if (text !== undefined && text.length > 1000) throw new UsageError('the text is longer than 1000 characters');

    const library = await openLibraryBackend({ db: values.db, dataDir: values.data, model: values.model, provider: values.provider });
    try {
      const warning = builtinModelWarning(library instanceof EmbeddedBackend ? library.library : library);
      if (warning) process.stderr.write(`warning: ${warning}\n`);
      const vector = await queryVector(library, text, values.image);
      const found = await library.search(vector, values.k);
      const hits = await Promise.all(found.map(async (hit) => ({ id: hit.id, path: (await library.getImage(hit.id))?.relPath ?? '', score: hit.score })));
      if (values.json) {
        process.stdout.write(`${JSON.stringify(hits)}\n`);
        return 0;
      }
      if (hits.length === 0) {
        process.stdout.write('the library holds no images\n');
        return 0;
      }
      const lines = hits.map((h, i) => `${String(i + 1).padStart(4)}  ${h.score.toFixed(4)}  ${String(h.id).padStart(6)}  ${h.path}`);
      process.stdout.write(`rank  score   ${'id'.padStart(6)}  path\n${lines.join('\n')}\n`);
      return 0;
    } finally {
      await library.close();
    }
  },
};
