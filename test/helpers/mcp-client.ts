// MCP SDK clients for the tests: over stdio (spawning `node bin/visualref.js mcp`) and over HTTP.
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { repoRoot } from '../../engine/config/load-config.ts';

export const cliPath = join(repoRoot, 'bin', 'visualref.js');

export async function stdioClient(dataDir: string, model: string): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cliPath, 'mcp', '--data', dataDir, '--model', model],
    cwd: repoRoot,
    env: { ...(process.env as Record<string, string>) },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const client = new Client({ name: 'visualref-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

export async function httpClient(url: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'visualref-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

/** Calls a tool and returns its result as the SDK gives it. */
export async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

/** The structured output of a successful call (fails the test with the error text otherwise). */
export async function callOk<T>(client: Client, name: string, args: Record<string, unknown>): Promise<{ output: T; result: CallToolResult }> {
  const result = await call(client, name, args);
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  return { output: result.structuredContent as T, result };
}

/** The text of an error result. */
export function errorText(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join(' ');
}
