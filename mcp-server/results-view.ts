// The MCP Apps view of search and refine-query results (built from web/mcp-app/ into one HTML file).
// It is offered only to a host that announces the MCP Apps extension when it initializes: such a host
// sees `_meta.ui.resourceUri` on the tools that declare a view and can read the ui:// resource; any
// other host sees the tools and resources exactly as before.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { getUiCapability, RESOURCE_MIME_TYPE, registerAppResource, registerAppTool, type McpUiAppToolConfig } from '@modelcontextprotocol/ext-apps/server';
import { repoRoot } from '../engine/config/load-config.ts';
import { log } from '../engine/log.ts';

/** Where `npm run build:web` writes the view (web/mcp-app/vite.config.ts). */
export const resultsViewFile = join(repoRoot, 'web', 'dist-mcp-app', 'index.html');

/**
 * The view makes no network request of its own: its script and styles are inline, its images are
 * data: URLs made from tool results and image:// resources that the host fetches for it.
 */
const viewCsp = { connectDomains: [], resourceDomains: [] };

export interface ViewTool {
  name: string;
  view: string;
  registered: RegisteredTool;
}

function hostRendersViews(server: McpServer): boolean {
  const capabilities = server.server.getClientCapabilities() as Parameters<typeof getUiCapability>[0];
  return getUiCapability(capabilities)?.mimeTypes?.includes(RESOURCE_MIME_TYPE) ?? false;
}

async function readView(uri: string): Promise<ReadResourceResult> {
  if (!existsSync(resultsViewFile)) throw new Error(`${uri}: the view is not built; run \`npm run build:web\``);
  const html = await readFile(resultsViewFile, 'utf8');
  return { contents: [{ uri, mimeType: RESOURCE_MIME_TYPE, text: html, _meta: { ui: { csp: viewCsp, prefersBorder: true } } }] };
}

/**
 * Once the client has initialized: when it renders MCP Apps views, give each tool of `tools` its view
 * (the helper's _meta, applied to the tool registered before connecting) and register the view's
 * resource. Tools must be registered before connecting, so the view is added to them afterwards.
 */
export function offerResultsView(server: McpServer, tools: ViewTool[]): void {
  server.server.oninitialized = () => {
    if (tools.length === 0 || !hostRendersViews(server)) return;
    for (const tool of tools) {
      const applyMeta = { registerTool: (_name: string, config: McpUiAppToolConfig) => (tool.registered.update({ _meta: config._meta }), tool.registered) };
      registerAppTool(applyMeta as unknown as Pick<McpServer, 'registerTool'>, tool.name, { _meta: { ui: { resourceUri: tool.view } } }, () => ({ content: [] }));
    }
    for (const uri of new Set(tools.map((t) => t.view))) {
      registerAppResource(
        server,
        'results-view',
        uri,
        {
          title: 'visualref results view',
          description: 'Interactive results: mark, box, caption and refine inside the conversation.',
          _meta: { ui: { csp: viewCsp, prefersBorder: true } },
        },
        (url) => readView(url.href),
      );
    }
    log.info(`MCP client renders MCP Apps views: ${tools.map((t) => t.name).join(', ')} show ${[...new Set(tools.map((t) => t.view))].join(', ')}`);
  };
}
