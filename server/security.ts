// Request guards for /mcp and /api: an Origin allow-list against DNS rebinding and cross-site
// requests from browsers, a Host check while bound to loopback, and an optional bearer token.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function isLoopbackHostname(hostname: string): boolean {
  return loopbackHosts.has(hostname.toLowerCase());
}

function hostnameOf(hostHeader: string): string {
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return '';
  }
}

/** True for the loopback interfaces the server may be bound to. */
export function isLoopbackAddress(host: string): boolean {
  return isLoopbackHostname(host) || host.startsWith('127.');
}

/** Normalises configured origins ("http://example.org:8080/") to the Origin header form. */
export function normaliseOrigins(origins: string[]): Set<string> {
  return new Set(origins.map((o) => new URL(o).origin));
}

export function originAllowed(origin: string, allowed: Set<string>): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if ((url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHostname(url.hostname)) return true;
  return allowed.has(url.origin);
}

/**
 * Refuses (403) a request whose Origin header names a site other than localhost or the allowed list.
 * Requests without Origin (MCP clients, curl) are not from a browser page and pass.
 */
export function checkOrigin(allowedOrigins: string[]): MiddlewareHandler {
  const allowed = normaliseOrigins(allowedOrigins);
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (origin !== undefined && !originAllowed(origin, allowed)) {
      return c.json({ error: `origin ${origin} is not allowed; add it to http.allowedOrigins in configs/server.yaml` }, 403);
    }
    await next();
  };
}

/**
 * While the server listens on loopback only, refuses requests whose Host is not a loopback name:
 * a DNS-rebinding page reaches 127.0.0.1 under its own host name.
 */
export function checkLoopbackHost(): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header('host');
    if (host === undefined || !isLoopbackHostname(hostnameOf(host))) {
      return c.json({ error: `host ${host ?? '(none)'} is not allowed: this server answers on localhost only` }, 403);
    }
    await next();
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Requires `Authorization: Bearer <token>` (401 otherwise); compares in constant time. */
export function requireBearerToken(token: string): MiddlewareHandler {
  const expected = digest(token);
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match || !timingSafeEqual(digest(match[1].trim()), expected)) {
      c.header('WWW-Authenticate', 'Bearer realm="visualref"');
      return c.json({ error: 'missing or wrong bearer token: send "Authorization: Bearer $VISUALREF_TOKEN"' }, 401);
    }
    await next();
  };
}
