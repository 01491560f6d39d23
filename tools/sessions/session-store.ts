// Search sessions in SQLite: the original and current query vectors, every turn (feedback, weights,
// explanation, results), the images already shown and regions captioned ahead of a refine. Each
// session is its own rows keyed by a random id, so many users never share query state (unlike the
// VisualReF demo's one global query), and reopening the database loses nothing.
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { ensureSchema, type Database } from '../../engine/store/database.ts';
import type { Modality, QueryState } from '../../engine/feedback/compose.ts';
import {
  pendingRegionInputSchema,
  sessionOptionsSchema,
  sessionTitleSchema,
  turnExplanationSchema,
  turnFeedbackSchema,
  turnResultSchema,
  type PendingRegionInput,
  type SessionOptions,
  type SessionOptionsInput,
  type TurnExplanation,
  type TurnFeedback,
  type TurnFeedbackInput,
  type TurnResult,
} from './session-records.ts';
import { maxSessionTitleLength } from '../contract/session-title.ts';

export class UnknownSessionError extends Error {
  readonly code = 'unknown-session';
  constructor(readonly sessionId: string) {
    super(`unknown session ${JSON.stringify(sessionId)}`);
    this.name = 'UnknownSessionError';
  }
}

export class SessionExpiredError extends Error {
  readonly code = 'session-expired';
  constructor(readonly sessionId: string) {
    super(`session ${JSON.stringify(sessionId)} has expired; start a new search`);
    this.name = 'SessionExpiredError';
  }
}

/** What the user searched with; both absent for a query by an uploaded image, which is not kept. */
export interface SessionQuery {
  text?: string;
  imageId?: number;
}

export interface Session {
  id: string;
  createdAt: number;
  updatedAt: number;
  /** The library (model slug) the vectors belong to, when the caller gave one. */
  model?: string;
  /** The first query as words, or what the user renamed the session to; a later query leaves it alone. */
  title: string;
  query: SessionQuery;
  originalVector: Float32Array;
  current: QueryState;
  options: SessionOptions;
  /** Turns recorded so far (the first search is turn 1). */
  turnCount: number;
}

/** A session as listed: no vectors. */
export interface SessionSummary {
  id: string;
  createdAt: number;
  updatedAt: number;
  title: string;
  query: SessionQuery;
  turnCount: number;
}

export interface NewSession {
  query: SessionQuery;
  originalVector: Float32Array;
  /** The query's modality: 'text' for typed text (also with an image), 'image' for query by example. */
  modality: Modality;
  model?: string;
  options?: SessionOptionsInput;
}

export interface NewTurn {
  /** null for a plain search. */
  feedback: TurnFeedbackInput | null;
  /** The weights actually used (after overrides). */
  weights?: Record<string, number>;
  explanation?: TurnExplanation | null;
  results: TurnResult[];
  /** The query searched with in this turn; becomes the session's current query. */
  state: QueryState;
}

export interface TurnRecord {
  turn: number;
  createdAt: number;
  feedback: TurnFeedback | null;
  weights: Record<string, number>;
  explanation: TurnExplanation | null;
  results: TurnResult[];
  queryVector: Float32Array;
}

export interface PendingRegion extends PendingRegionInput {
  regionId: string;
  createdAt: number;
}

export interface SessionStoreOptions {
  /** Sessions idle for longer than this expire (default 24 h, as configs/feedback.yaml). */
  ttlMs?: number;
  /** Clock, in ms since the epoch. */
  now?: () => number;
}

const DEFAULT_TTL_MS = 24 * 3600 * 1000;
const ID_PATTERN = /^[A-Za-z0-9_-]{32}$/;

// Versioned through engine/store/database.ts: version n is MIGRATIONS[n - 1].
const MIGRATIONS = [
  `
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  model TEXT,
  query_text TEXT,
  query_image_id INTEGER,
  original_vector BLOB NOT NULL,
  current_vector BLOB NOT NULL,
  current_modality TEXT NOT NULL,
  other_vector BLOB,
  other_weight REAL,
  options TEXT NOT NULL,
  turn_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS sessions_updated_at ON sessions(updated_at);
CREATE TABLE IF NOT EXISTS session_turns (
  session_id TEXT NOT NULL,
  turn INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  feedback TEXT,
  weights TEXT NOT NULL,
  explanation TEXT,
  results TEXT NOT NULL,
  query_vector BLOB NOT NULL,
  PRIMARY KEY (session_id, turn)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS session_seen (
  session_id TEXT NOT NULL,
  image_id INTEGER NOT NULL,
  first_turn INTEGER NOT NULL,
  PRIMARY KEY (session_id, image_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS session_pending_regions (
  session_id TEXT NOT NULL,
  region_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  region TEXT NOT NULL,
  PRIMARY KEY (session_id, region_id)
);
CREATE TABLE IF NOT EXISTS session_tombstones (
  id TEXT PRIMARY KEY,
  expired_at INTEGER NOT NULL
) WITHOUT ROWID;
`,
  // NULL in sessions made before titles: they are named after their query (titleOf).
  `ALTER TABLE sessions ADD COLUMN title TEXT;`,
];

interface SessionRow {
  id: string;
  created_at: number;
  updated_at: number;
  model: string | null;
  query_text: string | null;
  query_image_id: number | null;
  original_vector: Buffer;
  current_vector: Buffer;
  current_modality: string;
  other_vector: Buffer | null;
  other_weight: number | null;
  options: string;
  turn_count: number;
  title: string | null;
}

interface TurnRow {
  turn: number;
  created_at: number;
  feedback: string | null;
  weights: string;
  explanation: string | null;
  results: string;
  query_vector: Buffer;
}

export class SessionStore {
  private readonly db: Database;
  private readonly ttlMs: number;
  private readonly now: () => number;

  /** `db` is the library database, opened with engine/store/database.ts openDatabase. */
  constructor(db: Database, options: SessionStoreOptions = {}) {
    this.db = db;
    this.ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    if (!(this.ttlMs > 0)) throw new Error(`session TTL must be positive, got ${this.ttlMs}`);
    this.now = options.now ?? Date.now;
    ensureSchema(db, 'sessions', MIGRATIONS);
  }

  create(input: NewSession): Session {
    const options = parseOrThrow(sessionOptionsSchema, input.options ?? {}, 'session options');
    const id = randomBytes(24).toString('base64url');
    const t = this.now();
    this.db
      .prepare(
        `INSERT INTO sessions (id, created_at, updated_at, model, title, query_text, query_image_id, original_vector, current_vector, current_modality, other_vector, options)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)`,
      )
      .run(
        id,
        t,
        t,
        input.model ?? null,
        titleOf(null, input.query),
        input.query.text ?? null,
        input.query.imageId ?? null,
        toBlob(input.originalVector),
        toBlob(input.originalVector),
        input.modality,
        JSON.stringify(options),
      );
    return this.get(id);
  }

  /** The session, or UnknownSessionError / SessionExpiredError. */
  get(id: string): Session {
    return toSession(this.row(id));
  }

  /** Records a turn atomically: its number, the new current query, the images shown, consumed pending regions. */
  recordTurn(id: string, input: NewTurn): TurnRecord {
    const feedback = input.feedback === null ? null : parseOrThrow(turnFeedbackSchema, input.feedback, 'turn feedback');
    const explanation = input.explanation ? parseOrThrow(turnExplanationSchema, input.explanation, 'turn explanation') : null;
    const results = input.results.map((r) => parseOrThrow(turnResultSchema, r, 'turn result'));
    const weights = input.weights ?? {};
    const write = this.db.transaction((): TurnRecord => {
      const row = this.row(id);
      for (const v of [input.state.vector, input.state.other]) {
        if (v && v.byteLength !== row.original_vector.byteLength) {
          throw new Error(`query vector has ${v.length} dimensions, the session ${row.original_vector.byteLength / 4}`);
        }
      }
      const turn = row.turn_count + 1;
      const t = this.now();
      this.db
        .prepare(
          `INSERT INTO session_turns (session_id, turn, created_at, feedback, weights, explanation, results, query_vector) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(id, turn, t, feedback && JSON.stringify(feedback), JSON.stringify(weights), explanation && JSON.stringify(explanation), JSON.stringify(results), toBlob(input.state.vector));
      this.db
        .prepare(
          `UPDATE sessions SET turn_count = ?, updated_at = ?, current_vector = ?, current_modality = ?, other_vector = ?, other_weight = ? WHERE id = ?`,
        )
        .run(turn, t, toBlob(input.state.vector), input.state.modality, input.state.other ? toBlob(input.state.other) : null, input.state.otherWeight ?? null, id);
      const seen = this.db.prepare(`INSERT OR IGNORE INTO session_seen (session_id, image_id, first_turn) VALUES (?, ?, ?)`);
      for (const r of results) seen.run(id, r.id, turn);
      const consume = this.db.prepare(`DELETE FROM session_pending_regions WHERE session_id = ? AND region_id = ?`);
      for (const region of feedback?.regions ?? []) if (region.regionId) consume.run(id, region.regionId);
      return { turn, createdAt: t, feedback, weights, explanation, results, queryVector: new Float32Array(input.state.vector) };
    });
    return write.immediate();
  }

  turns(id: string): TurnRecord[] {
    this.row(id);
    const rows = this.db
      .prepare(`SELECT turn, created_at, feedback, weights, explanation, results, query_vector FROM session_turns WHERE session_id = ? ORDER BY turn`)
      .all(id) as TurnRow[];
    return rows.map(toTurn);
  }

  lastTurn(id: string): TurnRecord | null {
    this.row(id);
    const row = this.db
      .prepare(`SELECT turn, created_at, feedback, weights, explanation, results, query_vector FROM session_turns WHERE session_id = ? ORDER BY turn DESC LIMIT 1`)
      .get(id) as TurnRow | undefined;
    return row ? toTurn(row) : null;
  }

  /** Every image id shown in any turn of the session. */
  seenIds(id: string): Set<number> {
    this.row(id);
    const rows = this.db.prepare(`SELECT image_id FROM session_seen WHERE session_id = ?`).all(id) as { image_id: number }[];
    return new Set(rows.map((r) => r.image_id));
  }

  /** Remembers a region captioned before a refine; returns it with its id. */
  addPendingRegion(id: string, region: PendingRegionInput): PendingRegion {
    const value = parseOrThrow(pendingRegionInputSchema, region, 'pending region');
    const regionId = `r-${randomBytes(6).toString('base64url')}`;
    const t = this.now();
    this.db.transaction(() => {
      this.row(id);
      this.db.prepare(`INSERT INTO session_pending_regions (session_id, region_id, created_at, region) VALUES (?, ?, ?, ?)`).run(id, regionId, t, JSON.stringify(value));
      this.db.prepare(`UPDATE sessions SET updated_at = ? WHERE id = ?`).run(t, id);
    })();
    return { ...value, regionId, createdAt: t };
  }

  /** Regions waiting for the next refine, oldest first. */
  pendingRegions(id: string): PendingRegion[] {
    this.row(id);
    const rows = this.db
      .prepare(`SELECT region_id, created_at, region FROM session_pending_regions WHERE session_id = ? ORDER BY created_at, rowid`)
      .all(id) as { region_id: string; created_at: number; region: string }[];
    return rows.map((r) => ({ ...parseStored(pendingRegionInputSchema, r.region), regionId: r.region_id, createdAt: r.created_at }));
  }

  removePendingRegion(id: string, regionId: string): boolean {
    this.row(id);
    return this.db.prepare(`DELETE FROM session_pending_regions WHERE session_id = ? AND region_id = ?`).run(id, regionId).changes > 0;
  }

  updateOptions(id: string, patch: SessionOptionsInput): Session {
    this.db.transaction(() => {
      const current = toSession(this.row(id)).options;
      const merged = parseOrThrow(sessionOptionsSchema, { ...current, ...patch, weights: { ...current.weights, ...patch.weights } }, 'session options');
      this.db.prepare(`UPDATE sessions SET options = ?, updated_at = ? WHERE id = ?`).run(JSON.stringify(merged), this.now(), id);
    })();
    return this.get(id);
  }

  /** Names the session (the title is trimmed and bounded by sessionTitleSchema). */
  rename(id: string, title: string): Session {
    const value = parseOrThrow(sessionTitleSchema, title, 'session title');
    this.db.transaction(() => {
      this.row(id);
      this.db.prepare(`UPDATE sessions SET title = ?, updated_at = ? WHERE id = ?`).run(value, this.now(), id);
    })();
    return this.get(id);
  }

  /** A new query in the same session (the user retyped it): it becomes the original and the current query. */
  restartQuery(id: string, query: SessionQuery, vector: Float32Array, modality: Modality): Session {
    this.db.transaction(() => {
      this.row(id);
      this.db
        .prepare(
          `UPDATE sessions SET query_text = ?, query_image_id = ?, original_vector = ?, current_vector = ?, current_modality = ?, other_vector = NULL, other_weight = NULL, updated_at = ? WHERE id = ?`,
        )
        .run(query.text ?? null, query.imageId ?? null, toBlob(vector), toBlob(vector), modality, this.now(), id);
    })();
    return this.get(id);
  }

  /** Live sessions, most recently used first (for a list of past sessions). */
  list(limit = 100): SessionSummary[] {
    const rows = this.db
      .prepare(`SELECT id, created_at, updated_at, title, query_text, query_image_id, turn_count FROM sessions WHERE updated_at >= ? ORDER BY updated_at DESC LIMIT ?`)
      .all(this.now() - this.ttlMs, limit) as Pick<SessionRow, 'id' | 'created_at' | 'updated_at' | 'title' | 'query_text' | 'query_image_id' | 'turn_count'>[];
    return rows.map((r) => {
      const query = queryOf(r);
      return { id: r.id, createdAt: r.created_at, updatedAt: r.updated_at, title: titleOf(r.title, query), query, turnCount: r.turn_count };
    });
  }

  delete(id: string): boolean {
    return this.db.transaction(() => this.deleteRows(id))();
  }

  /** Deletes sessions idle past the TTL, keeping their ids so that later calls say "expired". Returns how many. */
  purgeExpired(): number {
    const cutoff = this.now() - this.ttlMs;
    return this.db.transaction(() => {
      const ids = (this.db.prepare(`SELECT id FROM sessions WHERE updated_at < ?`).all(cutoff) as { id: string }[]).map((r) => r.id);
      const tomb = this.db.prepare(`INSERT OR REPLACE INTO session_tombstones (id, expired_at) VALUES (?, ?)`);
      for (const id of ids) {
        this.deleteRows(id);
        tomb.run(id, this.now());
      }
      return ids.length;
    })();
  }

  private deleteRows(id: string): boolean {
    for (const table of ['session_turns', 'session_seen', 'session_pending_regions']) {
      this.db.prepare(`DELETE FROM ${table} WHERE session_id = ?`).run(id);
    }
    return this.db.prepare(`DELETE FROM sessions WHERE id = ?`).run(id).changes > 0;
  }

  private row(id: string): SessionRow {
    if (!ID_PATTERN.test(id)) throw new UnknownSessionError(id);
    const row = this.db.prepare(`SELECT * FROM sessions WHERE id = ?`).get(id) as SessionRow | undefined;
    if (!row) {
      if (this.db.prepare(`SELECT 1 FROM session_tombstones WHERE id = ?`).get(id)) throw new SessionExpiredError(id);
      throw new UnknownSessionError(id);
    }
    if (row.updated_at < this.now() - this.ttlMs) throw new SessionExpiredError(id);
    return row;
  }
}

function toSession(row: SessionRow): Session {
  const current: QueryState = { vector: fromBlob(row.current_vector), modality: row.current_modality === 'image' ? 'image' : 'text' };
  if (row.other_vector) current.other = fromBlob(row.other_vector);
  if (row.other_weight !== null) current.otherWeight = row.other_weight;
  const query = queryOf(row);
  return {
    id: row.id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...(row.model !== null ? { model: row.model } : {}),
    title: titleOf(row.title, query),
    query,
    originalVector: fromBlob(row.original_vector),
    current,
    options: parseStored(sessionOptionsSchema, row.options),
    turnCount: row.turn_count,
  };
}

function queryOf(row: Pick<SessionRow, 'query_text' | 'query_image_id'>): SessionQuery {
  const query: SessionQuery = {};
  if (row.query_text !== null) query.text = row.query_text;
  if (row.query_image_id !== null) query.imageId = row.query_image_id;
  return query;
}

/** The stored title, or one made from the first query: its words (bounded), or the image it was like. */
function titleOf(stored: string | null, query: SessionQuery): string {
  if (stored !== null) return stored;
  const text = query.text?.trim();
  if (text) return text.length > maxSessionTitleLength ? `${text.slice(0, maxSessionTitleLength - 1)}…` : text;
  return query.imageId !== undefined ? `like image #${query.imageId}` : 'an uploaded image';
}

function toTurn(row: TurnRow): TurnRecord {
  return {
    turn: row.turn,
    createdAt: row.created_at,
    feedback: row.feedback === null ? null : parseStored(turnFeedbackSchema, row.feedback),
    weights: JSON.parse(row.weights) as Record<string, number>,
    explanation: row.explanation === null ? null : parseStored(turnExplanationSchema, row.explanation),
    results: (JSON.parse(row.results) as unknown[]).map((r) => turnResultSchema.parse(r)),
    queryVector: fromBlob(row.query_vector),
  };
}

function toBlob(v: Float32Array): Buffer {
  if (v.length === 0 || !v.every(Number.isFinite)) throw new Error('query vectors must be non-empty and finite');
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** Copies out of the Buffer so the result is aligned and owned by the caller. */
function fromBlob(b: Buffer): Float32Array {
  if (b.byteLength % 4 !== 0) throw new Error(`stored vector has ${b.byteLength} bytes, not a multiple of 4`);
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new Error(`invalid ${what}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return r.data;
}

function parseStored<S extends z.ZodType>(schema: S, json: string): z.infer<S> {
  return parseOrThrow(schema, JSON.parse(json), 'stored session data');
}
