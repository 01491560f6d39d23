// Sessions in SQLite: persistence across close/reopen, expiry, isolation of many sessions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../engine/store/database.ts';
import { SessionExpiredError, SessionStore, UnknownSessionError } from '../tools/sessions/session-store.ts';

const v = (...xs: number[]) => new Float32Array(xs);

function tempDb(): { file: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'visualref-sessions-'));
  return { file: join(dir, 'library.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test('a session survives closing and reopening the database, turn by turn', (t) => {
  const { file, cleanup } = tempDb();
  t.after(cleanup);
  let db = openDatabase(file);
  let store = new SessionStore(db);
  const s = store.create({ query: { text: 'a red circle' }, originalVector: v(1, 0, 0), modality: 'text', model: 'builtin', options: { excludeSeen: true } });
  assert.match(s.id, /^[A-Za-z0-9_-]{32}$/);
  assert.equal(s.turnCount, 0);
  store.recordTurn(s.id, {
    feedback: null,
    results: [
      { id: 4, score: 0.9, rank: 1 },
      { id: 7, score: 0.8, rank: 2 },
    ],
    state: { vector: v(1, 0, 0), modality: 'text' },
  });
  const r1 = store.addPendingRegion(s.id, { imageId: 4, box: { x: 10, y: 20, w: 30, h: 40 }, caption: 'red circle', relevant: true, model: 'clip-phrases' });
  const r2 = store.addPendingRegion(s.id, { imageId: 7, box: { x: 0, y: 0, w: 5, h: 5 }, caption: 'grass', relevant: false });
  const explanation = {
    applied: [{ source: 'regions', weight: 0.2, negativeWeight: 0.2, positive: ['red circle'], negative: [] }],
    movedUp: 1,
    movedDown: 0,
    newResults: 1,
    summary: 'Used marked regions (+red circle). 1 moved up, 0 moved down, 1 new.',
  };
  const turn2 = store.recordTurn(s.id, {
    feedback: { relevant: [4], regions: [{ imageId: 4, box: r1.box, caption: r1.caption, relevant: true, regionId: r1.regionId }], comment: 'no people' },
    weights: { alpha: 0.8, regions: 0.2 },
    explanation,
    results: [
      { id: 7, score: 0.95, rank: 1 },
      { id: 9, score: 0.7, rank: 2 },
    ],
    state: { vector: v(0.6, 0.8, 0), modality: 'text', other: v(0, 0, 1), otherWeight: 0.25 },
  });
  assert.equal(turn2.turn, 2);
  db.close();

  db = openDatabase(file);
  store = new SessionStore(db);
  const back = store.get(s.id);
  assert.deepEqual(back.query, { text: 'a red circle' });
  assert.equal(back.model, 'builtin');
  assert.equal(back.turnCount, 2);
  assert.deepEqual(Array.from(back.originalVector), [1, 0, 0]);
  assert.deepEqual(Array.from(back.current.vector), Array.from(v(0.6, 0.8, 0)));
  assert.deepEqual(Array.from(back.current.other!), [0, 0, 1]);
  assert.equal(back.current.otherWeight, 0.25);
  assert.equal(back.options.excludeSeen, true);
  assert.deepEqual([...store.seenIds(s.id)].sort(), [4, 7, 9]);
  // The region used in turn 2 is consumed; the other one still waits for the next refine.
  assert.deepEqual(
    store.pendingRegions(s.id).map((r) => [r.regionId, r.caption, r.relevant, r.box]),
    [[r2.regionId, 'grass', false, { x: 0, y: 0, w: 5, h: 5 }]],
  );
  const turns = store.turns(s.id);
  assert.deepEqual(
    turns.map((x) => x.turn),
    [1, 2],
  );
  assert.equal(turns[0].feedback, null);
  assert.deepEqual(turns[1].feedback?.relevant, [4]);
  assert.equal(turns[1].feedback?.regions[0].caption, 'red circle');
  assert.equal(turns[1].feedback?.comment, 'no people');
  assert.deepEqual(turns[1].explanation, explanation);
  assert.deepEqual(turns[1].weights, { alpha: 0.8, regions: 0.2 });
  assert.deepEqual(turns[1].results[1], { id: 9, score: 0.7, rank: 2 });
  assert.equal(store.lastTurn(s.id)?.turn, 2);
  db.close();
});

test('expired sessions are told apart from unknown ones, before and after purging', () => {
  const db = openDatabase(':memory:');
  let now = 1_000_000;
  const store = new SessionStore(db, { ttlMs: 1000, now: () => now });
  const old = store.create({ query: { imageId: 3 }, originalVector: v(0, 1), modality: 'image' });
  const active = store.create({ query: { text: 'dogs' }, originalVector: v(1, 0), modality: 'text' });
  store.recordTurn(old.id, { feedback: null, results: [{ id: 3, score: 1, rank: 1 }], state: { vector: v(0, 1), modality: 'image' } });
  now += 900;
  store.addPendingRegion(active.id, { imageId: 1, box: { x: 0, y: 0, w: 1, h: 1 }, caption: 'a dog', relevant: true });
  now += 200; // old: idle 1100 ms > TTL; active: idle 200 ms (the region write counted as activity)
  assert.throws(() => store.get(old.id), SessionExpiredError);
  assert.equal(store.get(active.id).id, active.id);
  assert.equal(store.purgeExpired(), 1);
  assert.throws(() => store.get(old.id), (e: unknown) => e instanceof SessionExpiredError && e.code === 'session-expired');
  assert.throws(() => store.turns(old.id), SessionExpiredError);
  assert.throws(() => store.get('x'.repeat(32)), (e: unknown) => e instanceof UnknownSessionError && e.code === 'unknown-session');
  assert.throws(() => store.get('../../etc/passwd'), UnknownSessionError);
  // Purging removed the old session's turns and seen images, not just its row.
  assert.deepEqual(db.prepare('SELECT COUNT(*) AS n FROM session_turns WHERE session_id = ?').get(old.id), { n: 0 });
  assert.deepEqual(db.prepare('SELECT COUNT(*) AS n FROM session_seen WHERE session_id = ?').get(old.id), { n: 0 });
  assert.deepEqual(db.prepare('SELECT COUNT(*) AS n FROM sessions').get(), { n: 1 });
  db.close();
});

test('20 sessions interleaved, on two handles of one file, stay isolated', async (t) => {
  const { file, cleanup } = tempDb();
  t.after(cleanup);
  const dbA = openDatabase(file);
  const dbB = openDatabase(file);
  const stores = [new SessionStore(dbA), new SessionStore(dbB)];
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  const ids: string[] = [];
  await Promise.all(
    Array.from({ length: 20 }, async (_, n) => {
      const store = stores[n % 2];
      const s = store.create({ query: { text: `query ${n}` }, originalVector: v(n, 1), modality: 'text' });
      ids[n] = s.id;
      for (let turn = 1; turn <= 3; turn++) {
        await tick();
        if (turn > 1) store.addPendingRegion(s.id, { imageId: n, box: { x: turn, y: 0, w: 1, h: 1 }, caption: `c${n}-${turn}`, relevant: true });
        await tick();
        stores[(n + turn) % 2].recordTurn(s.id, {
          feedback: turn === 1 ? null : { relevant: [n * 100 + turn - 1] },
          results: [{ id: n * 100 + turn, score: 1, rank: 1 }],
          state: { vector: v(n, turn), modality: 'text' },
        });
      }
    }),
  );
  assert.equal(new Set(ids).size, 20);
  ids.forEach((id, n) => {
    const store = stores[(n + 1) % 2];
    const s = store.get(id);
    assert.equal(s.query.text, `query ${n}`);
    assert.equal(s.turnCount, 3);
    assert.deepEqual(Array.from(s.current.vector), [n, 3]);
    assert.deepEqual(
      [...store.seenIds(id)].sort((a, b) => a - b),
      [n * 100 + 1, n * 100 + 2, n * 100 + 3],
    );
    assert.deepEqual(
      store.turns(id).map((x) => [x.turn, x.feedback?.relevant ?? null]),
      [
        [1, null],
        [2, [n * 100 + 1]],
        [3, [n * 100 + 2]],
      ],
    );
    assert.deepEqual(
      store.pendingRegions(id).map((r) => r.caption),
      [`c${n}-2`, `c${n}-3`],
    );
  });
  dbA.close();
  dbB.close();
});

test('bad input is refused and leaves the session as it was', () => {
  const db = openDatabase(':memory:');
  const store = new SessionStore(db);
  const s = store.create({ query: { text: 'cats' }, originalVector: v(1, 0), modality: 'text' });
  assert.throws(
    () => store.recordTurn(s.id, { feedback: { relevant: [-1] }, results: [], state: { vector: v(1, 0), modality: 'text' } }),
    /invalid turn feedback: relevant\.0/,
  );
  assert.throws(() => store.recordTurn(s.id, { feedback: null, results: [], state: { vector: v(1, 0, 0), modality: 'text' } }), /3 dimensions, the session 2/);
  assert.throws(() => store.recordTurn(s.id, { feedback: null, results: [], state: { vector: v(Number.NaN, 0), modality: 'text' } }), /finite/);
  assert.throws(() => store.addPendingRegion(s.id, { imageId: 1, box: { x: 0, y: 0, w: 0, h: 4 }, caption: 'x', relevant: true }), /invalid pending region: box\.w/);
  assert.equal(store.get(s.id).turnCount, 0);
  assert.deepEqual(store.turns(s.id), []);
  assert.deepEqual(store.pendingRegions(s.id), []);
  db.close();
});

test('options merge, a retyped query restarts from its own vector, delete forgets', () => {
  const db = openDatabase(':memory:');
  const store = new SessionStore(db);
  const s = store.create({ query: { text: 'cats' }, originalVector: v(1, 0), modality: 'text', options: { weights: { judged: 0.3 } } });
  const updated = store.updateOptions(s.id, { fuseInitial: true, weights: { comment: 0.1 } });
  assert.deepEqual(updated.options, { excludeSeen: false, fuseInitial: true, weights: { judged: 0.3, comment: 0.1 } });
  store.recordTurn(s.id, { feedback: null, results: [{ id: 1, score: 1, rank: 1 }], state: { vector: v(0.6, 0.8), modality: 'text', other: v(0, 1) } });
  const restarted = store.restartQuery(s.id, { text: 'black cats', imageId: 1 }, v(0, 1), 'text');
  assert.deepEqual(restarted.query, { text: 'black cats', imageId: 1 });
  assert.deepEqual(Array.from(restarted.current.vector), [0, 1]);
  assert.equal(restarted.current.other, undefined);
  assert.equal(restarted.turnCount, 1);
  assert.equal(store.delete(s.id), true);
  assert.throws(() => store.get(s.id), UnknownSessionError);
  db.close();
});
