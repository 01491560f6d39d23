// The MCP server: the four tools (search, caption-region, refine-query, visualize-query) over the shared tool
// functions, the image://{id} resources and the library status resource. One McpServer is made per
// connection (stdio, or each HTTP session); what they share (thumbnail cache, library watcher) lives
// in McpShared.
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { log } from '../engine/log.ts';
import type { Library } from '../engine/library/library.ts';
import { regionsFileName } from '../engine/regions/region-indexer.ts';
import type { ToolContext } from '../tools/context.ts';
import { ToolError } from '../tools/errors.ts';
import { search } from '../tools/search.ts';
import { captionRegion } from '../tools/caption-region.ts';
import { refineQuery } from '../tools/refine-query.ts';
import { visualizeQuery } from '../tools/visualize-query.ts';
import { visualizeQueryInput, visualizeQueryOutput } from '../tools/visualize-query-schemas.ts';
import {
  searchInput,
  searchOutput,
  captionRegionInput,
  captionRegionOutput,
  refineQueryInput,
  refineQueryOutput,
} from '../tools/schemas.ts';
import { Thumbnailer } from './thumbnails.ts';
import { LibraryWatcher } from './library-watcher.ts';
import { errorResult, imageListResult, jsonResult, pictureResult, type ThumbnailPolicy } from './tool-result.ts';
import { toolDescriptions } from './descriptions.ts';

const serverVersion = '0.1.0';

/** State shared by every MCP connection of one process. */
export interface McpShared {
  ctx: ToolContext;
  thumbnails: ThumbnailPolicy;
  watcher: LibraryWatcher;
  close(): void;
}

export function createMcpShared(ctx: ToolContext): McpShared {
  const settings = ctx.config.server.mcp;
  const thumbnailer = new Thumbnailer((id) => ctx.library.imagePath(id), settings.thumbnails);
  const watcher = new LibraryWatcher(librarySignature(ctx.library), settings.watchSeconds * 1000);
  watcher.onChange(() => {
    // Another process (visualref index, a region pass) changed the data: catch up before telling clients.
    ctx.reload();
    thumbnailer.clear();
  });
  return {
    ctx,
    thumbnails: { thumbnailer, count: settings.thumbnails.count, maxBytes: settings.maxResultBytes },
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

const imageMimeTypes: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.avif': 'image/avif',
  '.bmp': 'image/bmp',
};

export function imageMimeType(path: string): string {
  const dot = path.lastIndexOf('.');
  return imageMimeTypes[path.slice(dot).toLowerCase()] ?? 'application/octet-stream';
}

/** Runs a tool; a ToolError becomes its message, any other failure a short internal-error line. */
async function runTool<T>(name: string, call: () => Promise<T>, toResult: (output: T) => Promise<CallToolResult> | CallToolResult): Promise<CallToolResult> {
  try {
    return await toResult(await call());
  } catch (err) {
    if (err instanceof ToolError) return errorResult(err.message);
    const message = err instanceof Error ? err.message : String(err);
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

  server.registerTool(
    'search',
    { title: 'Search images', description: toolDescriptions.search, inputSchema: searchInput, outputSchema: searchOutput },
    (input) => runTool('search', () => search(ctx, input), (out) => imageListResult(out, shared.thumbnails)),
  );
  server.registerTool(
    'caption-region',
    { title: 'Describe a region of an image', description: toolDescriptions.captionRegion, inputSchema: captionRegionInput, outputSchema: captionRegionOutput },
    (input) => runTool('caption-region', () => captionRegion(ctx, input), jsonResult),
  );
  server.registerTool(
    'refine-query',
    { title: 'Refine the search with feedback', description: toolDescriptions.refineQuery, inputSchema: refineQueryInput, outputSchema: refineQueryOutput },
    (input) => runTool('refine-query', () => refineQuery(ctx, input), (out) => imageListResult(out, shared.thumbnails)),
  );
  server.registerTool(
    'visualize-query',
    { title: 'Draw what the search is looking for', description: toolDescriptions.visualizeQuery, inputSchema: visualizeQueryInput, outputSchema: visualizeQueryOutput },
    (input) => runTool('visualize-query', () => visualizeQuery(ctx, input), (out) => pictureResult(out, ctx.library.dir)),
  );

  server.registerResource(
    'image',
    new ResourceTemplate('image://{id}', {
      list: () => ({
        resources: ctx.library.listImages().slice(0, ctx.config.server.mcp.listImages).map((image) => ({
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
      if (ctx.library.getImage(id)?.status !== 'indexed') throw new Error(`image://${id}: no such image in the library`);
      const path = ctx.library.imagePath(id);
      const bytes = await readFile(path);
      return { contents: [{ uri: uri.href, mimeType: imageMimeType(path), blob: bytes.toString('base64') }] };
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
