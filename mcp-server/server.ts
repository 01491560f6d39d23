// The MCP server: the tools of the tool registry (tools/registry.ts), the image://{id} resources and
// the library status resource. One McpServer is made per connection (stdio, or each HTTP session); what they share (thumbnail cache, library watcher) lives
// in McpShared.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { log } from '../engine/log.ts';
import { imageMimeType } from '../engine/images/mime.ts';
import type { Library } from '../engine/library/library.ts';
import { ImageFileChangedError } from '../engine/library/image-file.ts';
import { regionsFileName } from '../engine/regions/region-indexer.ts';
import type { ToolContext } from '../tools/context.ts';
import { reportError } from '../tools/errors.ts';
import { toolRegistry } from '../tools/registry.ts';
import type { ResultItem } from '../tools/contract/schemas.ts';
import type { VisualizeQueryOutput } from '../tools/contract/visualize-query.ts';
import type { ServerConfig } from '../server/config.ts';
import { LibraryWatcher } from './library-watcher.ts';
import { errorResult, imageListResult, jsonResult, pictureResult, type ThumbnailPolicy } from './tool-result.ts';
import { offerResultsView, type ViewTool } from './results-view.ts';

const serverVersion = '0.1.0';

/** State shared by every MCP connection of one process. */
export interface McpShared {
  ctx: ToolContext;
  thumbnails: ThumbnailPolicy;
  /** image://{id} resources listed by resources/list. */
  listImages: number;
  watcher: LibraryWatcher;
  close(): void;
}

export function createMcpShared(ctx: ToolContext, settings: ServerConfig['mcp']): McpShared {
  const watcher = new LibraryWatcher(librarySignature(ctx.library), settings.watchSeconds * 1000);
  watcher.onChange(() => {
    // Another process (visualref index, a region pass) changed the data: catch up before telling clients.
    ctx.reload();
  });
  return {
    ctx,
    thumbnails: {
      thumbnailer: ctx.thumbnails,
      size: { maxSide: settings.thumbnails.maxSide, quality: settings.thumbnails.quality },
      count: settings.thumbnails.count,
      maxBytes: settings.maxResultBytes,
    },
    listImages: settings.listImages,
    watcher,
    close: () => watcher.close(),
  };
}

/** Changes whenever images are added, replaced or removed, or regions written, by any process. */
function librarySignature(library: Library): () => string {
  const query = library.db.prepare('SELECT count(*) AS n, coalesce(max(vector_seq), 0) AS seq, coalesce(max(updated_at), 0) AS t FROM images');
  const regionsFile = join(library.dir, regionsFileName);
  return () => {
    const row = query.get() as { n: number; seq: number; t: number };
    const regionBytes = existsSync(regionsFile) ? statSync(regionsFile).size : 0;
    return `${row.n}:${row.seq}:${row.t}:${regionBytes}`;
  };
}

/** Runs a tool; a ToolError becomes its message, any other failure a short internal-error line. */
async function runTool<T>(name: string, call: () => Promise<T>, toResult: (output: T) => Promise<CallToolResult> | CallToolResult): Promise<CallToolResult> {
  try {
    return await toResult(await call());
  } catch (err) {
    const { message, internal } = reportError(err);
    if (!internal) return errorResult(message);
    log.error(`tool ${name} failed: ${err instanceof Error && err.stack ? err.stack : message}`);
    return errorResult(`${name} failed: ${message}`);
  }
}

function parseImageId(raw: string | string[] | undefined): number {
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (text === undefined || !/^\d{1,15}$/.test(text)) throw new Error(`image://${String(text)}: the id must be a whole number`);
  return Number(text);
}

export function createMcpServer(shared: McpShared): McpServer {
  const { ctx } = shared;
  const server = new McpServer(
    { name: 'visualref', title: 'visualref image search', version: serverVersion },
    {
      capabilities: { tools: {}, resources: { listChanged: true } },
      instructions:
        'Search a local image library with relevance feedback: call search, look at the results, then refine-query with ' +
        'what is right or wrong (ids, boxed regions, a comment). caption-region describes a part of an image in words.',
    },
  );

  const viewTools: ViewTool[] = [];
  for (const tool of toolRegistry) {
    const present = (out: Record<string, unknown>) => {
      if (tool.result === 'images') return imageListResult(out as { results: ResultItem[] }, shared.thumbnails);
      if (tool.result === 'picture') return pictureResult(out as VisualizeQueryOutput, ctx.library.dir);
      return jsonResult(out);
    };
    const registered = server.registerTool(tool.name, { title: tool.title, description: tool.description, inputSchema: tool.input, outputSchema: tool.output }, (input) =>
      runTool(tool.name, () => tool.handler(ctx, input), present),
    );
    if (tool.view) viewTools.push({ name: tool.name, view: tool.view, registered });
  }
  offerResultsView(server, viewTools);

  server.registerResource(
    'image',
    new ResourceTemplate('image://{id}', {
      list: () => ({
        resources: ctx.library.listImages().slice(0, shared.listImages).map((image) => ({
          uri: `image://${image.id}`,
          name: `image ${image.id}`,
          title: image.relPath,
          mimeType: imageMimeType(image.relPath),
        })),
      }),
    }),
    { title: 'Library image', description: 'The original file of an image in the library, by the id that search returns.' },
    async (uri, variables): Promise<ReadResourceResult> => {
      const id = parseImageId(variables.id);
      const record = ctx.library.getImage(id);
      if (record?.status !== 'indexed') throw new Error(`image://${id}: no such image in the library`);
      let bytes: Buffer;
      try {
        bytes = await ctx.library.readImageFile(id);
      } catch (err) {
        if (err instanceof ImageFileChangedError) throw new Error(`image://${id}: ${err.message}`);
        throw err;
      }
      // A host reads the original to show it (the results view draws boxes on it): its tokens are made ready for them meanwhile.
      ctx.warmMarkTokens(id);
      return { contents: [{ uri: uri.href, mimeType: imageMimeType(record.relPath), blob: bytes.toString('base64') }] };
    },
  );
  server.registerResource(
    'status',
    'visualref://status',
    { title: 'Library status', description: 'What the library holds: model, image counts, index state.', mimeType: 'application/json' },
    (uri): ReadResourceResult => ({
      contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(ctx.library.status(), null, 2) }],
    }),
  );

  const stopWatching = shared.watcher.onChange(() => {
    if (server.isConnected()) server.sendResourceListChanged();
  });
  server.server.onclose = stopWatching;
  return server;
}
