// Turns a tool's output into an MCP tool result: structured content, the same JSON as text for
// clients that ignore structuredContent, inline JPEG thumbnails of the first results, and a
// resource_link to image://{id} for every result. The whole result is kept under a byte budget.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ResultItem } from '../tools/contract/schemas.ts';
import { readPicture } from '../tools/generated-pictures.ts';
import type { VisualizeQueryOutput } from '../tools/contract/visualize-query.ts';
import { log } from '../engine/log.ts';
import type { Thumbnailer, ThumbnailSize } from '../engine/images/thumbnails.ts';

export interface ThumbnailPolicy {
  thumbnailer: Thumbnailer;
  size: ThumbnailSize;
  /** How many of the first results get an inline thumbnail. */
  count: number;
  /** The most bytes a serialised result may take. */
  maxBytes: number;
}

type Content = CallToolResult['content'][number];

export function resultBytes(result: CallToolResult): number {
  return Buffer.byteLength(JSON.stringify(result), 'utf8');
}

function link(item: ResultItem): Content {
  return {
    type: 'resource_link',
    uri: `image://${item.id}`,
    name: `image ${item.id}`,
    description: `rank ${item.rank}, score ${item.score.toFixed(4)}, ${item.width}x${item.height} px`,
  };
}

async function thumbnailBlocks(results: ResultItem[], policy: ThumbnailPolicy): Promise<Map<number, Content>> {
  const chosen = results.slice(0, policy.count);
  const made = await Promise.all(
    chosen.map(async (item) => {
      try {
        const jpeg = await policy.thumbnailer.thumbnail(item.id, policy.size);
        return [item.id, { type: 'image', data: jpeg.toString('base64'), mimeType: 'image/jpeg' } satisfies Content] as const;
      } catch (err) {
        log.warn(`no thumbnail for image ${item.id}: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      }
    }),
  );
  return new Map(made.filter((entry) => entry !== undefined));
}

/** The tool result for an output that lists images; throws when even without thumbnails it is over budget. */
export async function imageListResult<T extends { results: ResultItem[] }>(output: T, policy: ThumbnailPolicy): Promise<CallToolResult> {
  const thumbnails = await thumbnailBlocks(output.results, policy);
  const build = (withThumbs: Set<number>): CallToolResult => {
    const content: Content[] = [{ type: 'text', text: JSON.stringify(output) }];
    for (const item of output.results) {
      const thumb = withThumbs.has(item.id) ? thumbnails.get(item.id) : undefined;
      if (thumb) content.push(thumb);
      content.push(link(item));
    }
    return { content, structuredContent: output as unknown as Record<string, unknown> };
  };
  const kept = [...thumbnails.keys()];
  let result = build(new Set(kept));
  // Over budget: drop thumbnails from the lowest-ranked up.
  while (resultBytes(result) > policy.maxBytes && kept.length > 0) {
    kept.pop();
    result = build(new Set(kept));
  }
  const bytes = resultBytes(result);
  if (bytes > policy.maxBytes) throw new Error(`the result is ${bytes} bytes, over the ${policy.maxBytes}-byte limit; ask for fewer results (k)`);
  return result;
}

/** A tool result with structured content and its JSON text. */
export function jsonResult<T extends object>(output: T): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(output) }], structuredContent: output as Record<string, unknown> };
}

/** The JSON of visualize-query, with the generated picture itself as image content. */
export function pictureResult(output: VisualizeQueryOutput, libraryDir: string): CallToolResult {
  const result = jsonResult(output);
  const png = output.picture && readPicture(libraryDir, output.sessionId, output.picture.id);
  if (png) result.content.push({ type: 'image', data: png.toString('base64'), mimeType: 'image/png' });
  return result;
}

export function errorResult(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}
