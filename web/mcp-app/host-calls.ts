// The view's only way out: tool calls and resource reads that the MCP host makes for it. Every
// answer is checked against the tools' contracts before the view uses it.
import type { App } from '@modelcontextprotocol/ext-apps';
import type { z } from 'zod';
import { captionRegionOutput, refineQueryOutput, searchOutput, type CaptionRegionOutput, type RefineQueryInput, type RefineQueryOutput, type SearchOutput } from '../../tools/contract/schemas.ts';
import { toolContracts } from '../../tools/contract/tools.ts';
import type { Box } from '../src/types.ts';

type ToolResult = Awaited<ReturnType<App['callServerTool']>>;

/** What a search or refine-query result shows: the output and the thumbnails it carried, by image id. */
export interface ShownResult {
  output: SearchOutput | RefineQueryOutput;
  thumbnails: Map<number, string>;
}

function resultText(result: ToolResult): string {
  return result.content
    .filter((block) => block.type === 'text')
    .map((block) => block.text)
    .join(' ')
    .trim();
}

function structured<S extends z.ZodType>(tool: string, schema: S, result: ToolResult): z.infer<S> {
  if (result.isError) throw new Error(`${tool}: ${resultText(result) || 'failed without a message'}`);
  const parsed = schema.safeParse(result.structuredContent);
  if (!parsed.success) throw new Error(`${tool}: the result is not what ${tool} returns (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  return parsed.data;
}

/**
 * A tool result of search or refine-query, with each inline thumbnail matched to the image link after
 * it. `tool` names the call in errors; a result the host forwards is told apart by its explanation.
 */
export function shownResult(result: ToolResult, tool?: 'search' | 'refine-query'): ShownResult {
  const refined = tool ? tool === toolContracts.refineQuery.name : Boolean(result.structuredContent && 'explanation' in result.structuredContent);
  const output = refined ? structured(toolContracts.refineQuery.name, refineQueryOutput, result) : structured(tool ?? 'the tool result', searchOutput, result);
  const thumbnails = new Map<number, string>();
  let pending: string | undefined;
  for (const block of result.content) {
    if (block.type === 'image') pending = `data:${block.mimeType};base64,${block.data}`;
    if (block.type === 'resource_link') {
      const id = /^image:\/\/(\d+)$/.exec(block.uri)?.[1];
      if (pending && id) thumbnails.set(Number(id), pending);
      pending = undefined;
    }
  }
  return { output, thumbnails };
}

export function hostCalls(app: App) {
  return {
    async refine(input: RefineQueryInput): Promise<ShownResult> {
      return shownResult(await app.callServerTool({ name: toolContracts.refineQuery.name, arguments: input }), 'refine-query');
    },
    async moreLike(sessionId: string, imageId: number): Promise<ShownResult> {
      return shownResult(await app.callServerTool({ name: toolContracts.search.name, arguments: { sessionId, imageId } }), 'search');
    },
    async captionRegion(body: { imageId: number; box: Box; units: 'px'; relevant: boolean }): Promise<CaptionRegionOutput> {
      const name = toolContracts.captionRegion.name;
      return structured(name, captionRegionOutput, await app.callServerTool({ name, arguments: body }));
    },
    /** The original image as a data: URL, read through the host from image://{id}. */
    async image(id: number): Promise<string> {
      const read = await app.readServerResource({ uri: `image://${id}` });
      const content = read.contents[0];
      if (!content || !('blob' in content)) throw new Error(`image://${id}: the host returned no image`);
      return `data:${content.mimeType ?? 'image/jpeg'};base64,${content.blob}`;
    },
  };
}

export type HostCalls = ReturnType<typeof hostCalls>;
