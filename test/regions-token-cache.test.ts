// The cache of marked images' tokens: bounded by bytes, least recently used out first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenCache } from '../engine/regions/token-cache.ts';
import type { ImageTokens } from '../engine/regions/region-embedding.ts';

/** Tokens of `floats` values in all (4 bytes each), split between the projected and the head tokens. */
function tokens(floats: number, head = 0): ImageTokens {
  const matrix = (n: number) => ({ data: new Float32Array(n), count: 1, dim: n });
  return { tokenEmbeds: matrix(floats - head), ...(head ? { headTokens: matrix(head) } : {}) };
}

test('keeps at most maxBytes, dropping the least recently used; a get counts as a use', () => {
  const cache = new TokenCache(1000);
  cache.set('a', tokens(100)); // 400 bytes
  cache.set('b', tokens(100, 40)); // 400 bytes, head tokens counted
  assert.equal(cache.usedBytes, 800);
  assert.ok(cache.get('a'), 'a is now the most recently used');
  cache.set('c', tokens(100)); // 1,200 bytes > 1,000: b goes
  assert.equal(cache.get('b'), undefined);
  assert.ok(cache.get('a') && cache.get('c'));
  assert.equal(cache.usedBytes, 800);
  cache.set('a', tokens(50)); // replaced, not added
  assert.equal(cache.usedBytes, 600);
  assert.equal(cache.size, 2);
});

test('an entry larger than the whole cache is not kept; a cache of 0 bytes keeps nothing', () => {
  const cache = new TokenCache(1000);
  cache.set('big', tokens(300));
  assert.equal(cache.get('big'), undefined);
  assert.equal(cache.usedBytes, 0);
  const none = new TokenCache(0);
  none.set('a', tokens(1));
  assert.equal(none.size, 0);
  cache.set('x', tokens(10));
  cache.clear();
  assert.equal(cache.size, 0);
  assert.equal(cache.usedBytes, 0);
});
