// The request guards of /mcp and /api on a real Hono app: Origin allow-list, loopback Host, bearer token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { checkLoopbackHost, checkOrigin, originAllowed, normaliseOrigins, requireBearerToken } from '../server/security.ts';

function guarded(): Hono {
  const app = new Hono();
  app.use('/mcp', checkOrigin(['https://tools.example.org:8443/']));
  app.use('/mcp', checkLoopbackHost());
  app.use('/mcp', requireBearerToken('s3cret'));
  app.post('/mcp', (c) => c.text('ok'));
  return app;
}

const base = { host: '127.0.0.1:7420', authorization: 'Bearer s3cret' };

test('origins: localhost on any port and the configured list pass, others are refused', () => {
  const allowed = normaliseOrigins(['https://tools.example.org:8443/']);
  assert.equal(originAllowed('http://localhost:5173', allowed), true);
  assert.equal(originAllowed('http://127.0.0.1', allowed), true);
  assert.equal(originAllowed('http://[::1]:3000', allowed), true);
  assert.equal(originAllowed('https://tools.example.org:8443', allowed), true);
  assert.equal(originAllowed('https://tools.example.org', allowed), false);
  assert.equal(originAllowed('http://localhost.evil.example', allowed), false);
  assert.equal(originAllowed('null', allowed), false);
  assert.equal(originAllowed('file://localhost', allowed), false);
});

test('a request from a foreign Origin gets 403 with a message naming the setting', async () => {
  const res = await guarded().request('/mcp', { method: 'POST', headers: { ...base, origin: 'https://evil.example' } });
  assert.equal(res.status, 403);
  assert.match(((await res.json()) as { error: string }).error, /allowedOrigins/);
  const ok = await guarded().request('/mcp', { method: 'POST', headers: { ...base, origin: 'http://localhost:5173' } });
  assert.equal(ok.status, 200);
  const noOrigin = await guarded().request('/mcp', { method: 'POST', headers: base });
  assert.equal(noOrigin.status, 200);
});

test('a rebinding Host name is refused while bound to loopback', async () => {
  const res = await guarded().request('/mcp', { method: 'POST', headers: { ...base, host: 'attacker.example:7420' } });
  assert.equal(res.status, 403);
  const local = await guarded().request('/mcp', { method: 'POST', headers: { ...base, host: 'localhost:7420' } });
  assert.equal(local.status, 200);
});

test('without the bearer token, or with a wrong one, the answer is 401', async () => {
  const none = await guarded().request('/mcp', { method: 'POST', headers: { host: base.host } });
  assert.equal(none.status, 401);
  assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
  const wrong = await guarded().request('/mcp', { method: 'POST', headers: { ...base, authorization: 'Bearer s3cre' } });
  assert.equal(wrong.status, 401);
  const right = await guarded().request('/mcp', { method: 'POST', headers: base });
  assert.equal(right.status, 200);
});
