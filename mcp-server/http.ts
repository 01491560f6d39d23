// The MCP Streamable HTTP endpoint: one transport and one McpServer per MCP session (stateful), so
// many clients can be connected at once without sharing protocol state. Idle sessions are closed.
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { log } from '../engine/log.ts';

export interface McpHttpOptions {
  /** Makes the McpServer of one new session. */
  createServer: () => McpServer;
  maxSessions: number;
  /** A session with no request for this long is closed. */
  idleMs: number;
  maxBodyBytes: number;
}

interface OpenSession {
  transport: WebStandardStreamableHTTPServerTransport;
  server: McpServer;
  lastSeen: number;
}

export interface McpHttpEndpoint {
  /** Routes for GET/POST/DELETE on the path it is mounted at. */
  routes: Hono;
  /** Number of open MCP sessions. */
  sessionCount(): number;
  close(): Promise<void>;
}

function jsonRpcError(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: '2.0', error: { code, message }, id: null }, { status });
}

export function createMcpHttpEndpoint(options: McpHttpOptions): McpHttpEndpoint {
  const sessions = new Map<string, OpenSession>();

  async function closeSession(id: string): Promise<void> {
    const session = sessions.get(id);
    if (!session) return;
    sessions.delete(id);
    await session.server.close().catch((err: unknown) => log.warn(`closing MCP session ${id}: ${String(err)}`));
  }

  const sweep = setInterval(
    () => {
      const now = Date.now();
      for (const [id, session] of sessions) {
        if (now - session.lastSeen > options.idleMs) void closeSession(id);
      }
    },
    Math.min(60_000, Math.max(1000, options.idleMs / 4)),
  );
  sweep.unref();

  async function openSession(request: Request, body: unknown): Promise<Response> {
    if (sessions.size >= options.maxSessions) {
      return jsonRpcError(503, -32000, `too many open MCP sessions (${options.maxSessions}); close one or raise mcp.maxSessions`);
    }
    const server = options.createServer();
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      maxRequestBodySize: options.maxBodyBytes,
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server, lastSeen: Date.now() });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    return transport.handleRequest(request, { parsedBody: body });
  }

  const routes = new Hono();
  routes.all('/', async (c) => {
    const request = c.req.raw;
    const sessionId = c.req.header('mcp-session-id');
    if (sessionId !== undefined) {
      const session = sessions.get(sessionId);
      if (!session) return jsonRpcError(404, -32001, 'unknown or expired MCP session: start a new one with initialize');
      session.lastSeen = Date.now();
      return session.transport.handleRequest(request);
    }
    if (request.method !== 'POST') return jsonRpcError(400, -32000, 'missing mcp-session-id header');
    const declared = Number(c.req.header('content-length') ?? 0);
    if (declared > options.maxBodyBytes) return jsonRpcError(413, -32000, `request body over ${options.maxBodyBytes} bytes`);
    const text = await request.text();
    if (text.length > options.maxBodyBytes) return jsonRpcError(413, -32000, `request body over ${options.maxBodyBytes} bytes`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return jsonRpcError(400, -32700, 'parse error: the body is not JSON');
    }
    if (!isInitializeRequest(body)) return jsonRpcError(400, -32000, 'missing mcp-session-id header: the first request must be initialize');
    return openSession(request, body);
  });

  return {
    routes,
    sessionCount: () => sessions.size,
    async close() {
      clearInterval(sweep);
      await Promise.all([...sessions.keys()].map(closeSession));
    },
  };
}
