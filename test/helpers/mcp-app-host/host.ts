// A minimal MCP Apps host for the browser tests, built the way the extension's example host works:
// the MCP SDK client talks to `visualref serve` over Streamable HTTP (same origin), and the
// extension's own AppBridge loads the tool's ui:// view into a sandboxed iframe and proxies the
// view's tool calls and resource reads to the server. Bundled by esbuild in the test.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { AppBridge, PostMessageTransport, RESOURCE_MIME_TYPE, getToolUiResourceUri } from '@modelcontextprotocol/ext-apps/app-bridge';

/** The CSP a host builds from the view's declared `_meta.ui.csp` with no domains: nothing from the network. */
const viewCsp = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'none'";

interface TestHost {
  /** What the view told the model (ui/update-model-context), in order. */
  contextUpdates: string[];
  /** Bytes of the view's HTML as resources/read returned it. */
  viewBytes: number;
  search(text: string): Promise<CallToolResult>;
  /** Calls a tool as the model would and shows the view its input and result. */
  call(name: string, args: Record<string, unknown>): Promise<CallToolResult>;
  /** Sends the view a tool result as if the model had called a tool with the view. */
  sendToolResult(result: CallToolResult): Promise<void>;
}

declare global {
  interface Window {
    testHost: Promise<TestHost>;
  }
}

async function start(): Promise<TestHost> {
  const client = new Client(
    { name: 'visualref test host', version: '1.0.0' },
    { capabilities: { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: [RESOURCE_MIME_TYPE] } } } },
  );
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', location.origin)));
  const { tools } = await client.listTools();
  const searchTool = tools.find((t) => t.name === 'search');
  const uri = searchTool && getToolUiResourceUri(searchTool);
  if (!uri) throw new Error('search declares no ui:// view');
  const read = await client.readResource({ uri });
  const content = read.contents[0];
  if (!content || !('text' in content) || content.mimeType !== RESOURCE_MIME_TYPE) throw new Error(`${uri} is not an MCP Apps view`);
  const html = content.text.replace('<head>', `<head><meta http-equiv="Content-Security-Policy" content="${viewCsp}">`);

  const iframe = document.createElement('iframe');
  iframe.sandbox.add('allow-scripts');
  iframe.title = 'visualref results view';
  iframe.style.cssText = 'width: 1000px; height: 900px; border: 1px solid #cbd5e1; border-radius: 12px; background: white';
  document.getElementById('conversation')!.append(iframe);

  const contextUpdates: string[] = [];
  const bridge = new AppBridge(
    client,
    { name: 'visualref test host', version: '1.0.0' },
    { serverTools: {}, serverResources: {}, updateModelContext: { text: {} }, logging: {} },
  );
  bridge.onupdatemodelcontext = async (params) => {
    contextUpdates.push((params.content ?? []).map((block: { type: string; text?: string }) => block.text ?? '').join('\n'));
    return {};
  };
  bridge.onsizechange = ({ height }) => {
    if (height !== undefined) iframe.style.height = `${Math.max(900, height)}px`;
  };
  const initialized = new Promise<void>((resolve) => {
    bridge.oninitialized = () => resolve();
  });
  await bridge.connect(new PostMessageTransport(iframe.contentWindow!, iframe.contentWindow!));
  iframe.srcdoc = html;
  await initialized;

  const call = async (name: string, args: Record<string, unknown>) => {
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    await bridge.sendToolInput({ arguments: args });
    await bridge.sendToolResult(result);
    return result;
  };
  return {
    contextUpdates,
    viewBytes: new TextEncoder().encode(content.text).length,
    search: (text) => call('search', { text, k: 12 }),
    call,
    async sendToolResult(result) {
      await bridge.sendToolResult(result);
    },
  };
}

window.testHost = start();
