// The MCP Streamable HTTP endpoint: one transport and one McpServer per MCP session (stateful), so
// many clients can be connected at once without sharing protocol state. Idle sessions are closed, and
// sooner when they never made a call after initialize. When the sessions are all taken (or one client
// holds its share), the least recently used idle session is closed to make room: a flood of bare
// initialize requests cannot lock later clients out.
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
  /** Sessions one client address may hold; its own least recently used idle one makes room past this. */
  maxSessionsPerClient: number;
  /** A session with no request for this long is closed. */
  idleMs: number;
  /** A session that made no call after initialize is closed after this long without a request. */
  unusedIdleMs: number;
  maxBodyBytes: number;
}

interface OpenSession {
  transport: WebStandardStreamableHTTPServerTransport;
  server: McpServer;
  lastSeen: number;
  /** The remote address that opened it. */
  client: string;
  /** Requests after initialize. */
  calls: number;
  /** Requests being handled now: a session with one is never evicted. */
  inFlight: number;
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
        if (now - session.lastSeen > (session.calls === 0 ? options.unusedIdleMs : options.idleMs)) void closeSession(id);
      }
    },
    Math.min(60_000, Math.max(250, Math.min(options.idleMs, options.unusedIdleMs) / 4)),
  );
  sweep.unref();

  /** The least recently used session without a request in progress, among those `which` accepts. */
  function leastRecentlyUsedIdle(which: (session: OpenSession) => boolean): string | undefined {
    let oldest: [string, number] | undefined;
    for (const [id, session] of sessions) {
      if (session.inFlight === 0 && which(session) && (!oldest || session.lastSeen < oldest[1])) oldest = [id, session.lastSeen];
    }
    return oldest?.[0];
  }

  /** Makes room for one more session of `client`; false when every session that could go is busy. */
  async function makeRoom(client: string): Promise<boolean> {
    const own = [...sessions.values()].filter((s) => s.client === client).length;
    if (own >= options.maxSessionsPerClient) {
      const victim = leastRecentlyUsedIdle((s) => s.client === client);
      if (!victim) return false;
      log.warn(`MCP: client ${client} holds ${own} sessions (mcp.maxSessionsPerClient); closing its least recently used one`);
      await closeSession(victim);
    }
    if (sessions.size >= options.maxSessions) {
      const victim = leastRecentlyUsedIdle(() => true);
      if (!victim) return false;
      log.warn(`MCP: ${sessions.size} sessions open (mcp.maxSessions); closing the least recently used idle one`);
      await closeSession(victim);
    }
    return true;
  }

  async function openSession(request: Request, body: unknown, client: string): Promise<Response> {
    if (!(await makeRoom(client))) {
      return jsonRpcError(503, -32000, `too many busy MCP sessions (${options.maxSessions}); retry shortly or raise mcp.maxSessions`);
    }
    const server = options.createServer();
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      maxRequestBodySize: options.maxBodyBytes,
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server, lastSeen: Date.now(), client, calls: 0, inFlight: 0 });
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
      session.calls++;
      session.inFlight++;
      try {
        return await session.transport.handleRequest(request);
      } finally {
        session.inFlight--;
        session.lastSeen = Date.now();
      }
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
    const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
    return openSession(request, body, incoming?.socket?.remoteAddress ?? 'unknown');
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
