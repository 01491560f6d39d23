// The chat web app's HTTP API, mounted by server/app.ts under /api. Every parameter and body is
// validated; images are addressed by id only, never by path.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { Readable } from 'node:stream';
import { Hono, type Context } from 'hono';
import sharp from 'sharp';
import { z } from 'zod';
import { captionRegionInput } from '../tools/schemas.ts';
import type { AgentConfig } from '../agent/chat/agent-config.ts';
import { chatResponse } from '../agent/chat/chat-handler.ts';
import { chatRequestBody, type ChatSettings, type ChatTools } from '../agent/chat/protocol.ts';

export interface LibraryStatus {
  images: number;
  model: string;
  captioning?: { done: number; total: number; running: boolean };
}

/** What the routes need from the running server. */
export interface WebRouteDeps {
  tools: ChatTools;
  /** File of an image in the library, or undefined when the id is unknown. */
  imageFile(id: number): string | undefined;
  status(): LibraryStatus;
  sessions: {
    list(): unknown[];
    /** The stored session and the chat thread rebuilt from it, or undefined. */
    get(id: string): { session: unknown; messages: unknown[] } | undefined;
    /** The JSON export: query, turns, feedback, results. */
    exportJson(id: string): unknown;
  };
  agent: AgentConfig;
  defaultSettings: ChatSettings;
}

const idParam = z.object({ id: z.coerce.number().int().nonnegative() });
const thumbQuery = z.object({ size: z.coerce.number().int().min(32).max(1024).default(256) });
const sessionParam = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'not a session id') });

const mimeTypes: Record<string, string> = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp', '.gif': 'image/gif' };

function problem(c: Context, status: 400 | 404 | 500, message: string): Response {
  return c.json({ error: message }, status);
}

function parse<S extends z.ZodType>(schema: S, value: unknown): { ok: true; data: z.infer<S> } | { ok: false; message: string } {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, data: result.data };
  const issue = result.error.issues[0];
  return { ok: false, message: `${issue?.path.join('.') || 'body'}: ${issue?.message}` };
}

async function readJson(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    return undefined;
  }
}

/** Thumbnails are small and asked for again on every re-render of a grid: keep recent ones. */
class ThumbCache {
  private readonly entries = new Map<string, Buffer>();
  constructor(private readonly capacity: number) {}
  get(key: string): Buffer | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }
  set(key: string, value: Buffer): void {
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }
}

export function createWebRoutesFrom(deps: WebRouteDeps): Hono {
  const app = new Hono();
  const thumbs = new ThumbCache(2000);

  app.onError((err, c) => problem(c, 500, err.message));

  app.post('/chat', async (c) => {
    const body = parse(chatRequestBody, await readJson(c));
    if (!body.ok) return problem(c, 400, body.message);
    return chatResponse({ tools: deps.tools, defaults: deps.defaultSettings }, body.data, deps.agent);
  });

  app.post('/caption-region', async (c) => {
    const body = parse(captionRegionInput, await readJson(c));
    if (!body.ok) return problem(c, 400, body.message);
    if (!deps.imageFile(body.data.imageId)) return problem(c, 404, `no image ${body.data.imageId}`);
    return c.json(await deps.tools.captionRegion(body.data));
  });

  app.get('/images/:id', async (c) => {
    const params = parse(idParam, c.req.param());
    if (!params.ok) return problem(c, 400, params.message);
    const file = deps.imageFile(params.data.id);
    if (!file) return problem(c, 404, `no image ${params.data.id}`);
    const size = (await stat(file)).size;
    const stream = Readable.toWeb(createReadStream(file)) as ReadableStream;
    return new Response(stream, {
      headers: {
        'content-type': mimeTypes[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'content-length': String(size),
        'cache-control': 'private, max-age=3600',
      },
    });
  });

  app.get('/images/:id/thumb', async (c) => {
    const params = parse(idParam, c.req.param());
    if (!params.ok) return problem(c, 400, params.message);
    const query = parse(thumbQuery, c.req.query());
    if (!query.ok) return problem(c, 400, query.message);
    const file = deps.imageFile(params.data.id);
    if (!file) return problem(c, 404, `no image ${params.data.id}`);
    const key = `${params.data.id}:${query.data.size}`;
    let jpeg = thumbs.get(key);
    if (!jpeg) {
      jpeg = await sharp(file).rotate().resize(query.data.size, query.data.size, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 82 }).toBuffer();
      thumbs.set(key, jpeg);
    }
    return new Response(new Uint8Array(jpeg), { headers: { 'content-type': 'image/jpeg', 'cache-control': 'private, max-age=3600' } });
  });

  app.get('/status', (c) => c.json({ ...deps.status(), agent: agentInfo(deps.agent) }));

  app.get('/config', (c) => c.json({ settings: deps.defaultSettings, agent: agentInfo(deps.agent) }));

  app.get('/sessions', (c) => c.json({ sessions: deps.sessions.list() }));

  app.get('/sessions/:id', (c) => {
    const params = parse(sessionParam, c.req.param());
    if (!params.ok) return problem(c, 400, params.message);
    const found = deps.sessions.get(params.data.id);
    if (!found) return problem(c, 404, `no session ${params.data.id}`);
    return c.json(found);
  });

  app.get('/sessions/:id/export', (c) => {
    const params = parse(sessionParam, c.req.param());
    if (!params.ok) return problem(c, 400, params.message);
    if (!deps.sessions.get(params.data.id)) return problem(c, 404, `no session ${params.data.id}`);
    return new Response(JSON.stringify(deps.sessions.exportJson(params.data.id), null, 2), {
      headers: {
        'content-type': 'application/json',
        'content-disposition': `attachment; filename="visualref-session-${params.data.id}.json"`,
      },
    });
  });

  app.all('*', (c) => problem(c, 404, `no route ${c.req.method} ${c.req.path}`));
  return app;
}

function agentInfo(config: AgentConfig): { mode: AgentConfig['mode']; model?: string } {
  return config.mode === 'model' ? { mode: 'model', model: config.model?.name } : { mode: 'deterministic' };
}
