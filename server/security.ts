// Request guards for /mcp and /api: an Origin allow-list against DNS rebinding and cross-site
// requests from browsers, a Host check while bound to loopback, and an optional bearer token.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

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

/** The cookie that carries the token for the web app's own requests (set by acceptTokenLink). */
export const tokenCookie = 'visualref_token';

function sameToken(given: string | undefined, expected: Buffer): boolean {
  return given !== undefined && timingSafeEqual(digest(given), expected);
}

/** Whether a request carries the token, as a bearer header or as the web app's cookie (constant time). */
export function carriesToken(token: string): (c: Context) => boolean {
  const expected = digest(token);
  return (c) => {
    const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1]?.trim();
    return sameToken(bearer, expected) || sameToken(getCookie(c, tokenCookie), expected);
  };
}

/**
 * Requires the token: `Authorization: Bearer <token>` (MCP clients, scripts) or the cookie a browser
 * got from acceptTokenLink (the web app). 401 otherwise; compares in constant time.
 */
export function requireBearerToken(token: string): MiddlewareHandler {
  const carries = carriesToken(token);
  return async (c, next) => {
    if (!carries(c)) {
      c.header('WWW-Authenticate', 'Bearer realm="visualref"');
      return c.json({ error: 'missing or wrong bearer token: send "Authorization: Bearer $VISUALREF_TOKEN"' }, 401);
    }
    await next();
  };
}

/**
 * Opening the web app as `/?token=<token>` stores the token in a same-site, HTTP-only cookie and
 * redirects to the address without it, so the browser's later /api calls carry it.
 */
export function acceptTokenLink(token: string): MiddlewareHandler {
  const expected = digest(token);
  return async (c, next) => {
    const given = c.req.query('token');
    if (given === undefined) return next();
    if (!sameToken(given, expected)) return c.text('wrong token in the address: use the value of VISUALREF_TOKEN', 401);
    setCookie(c, tokenCookie, given, { httpOnly: true, sameSite: 'Strict', path: '/' });
    const url = new URL(c.req.url);
    url.searchParams.delete('token');
    return c.redirect(`${url.pathname}${url.search}`, 302);
  };
}
