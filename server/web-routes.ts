// The chat web app's HTTP API, mounted by server/app.ts under /api (`createApp(ctx, { extraRoutes:
// createWebRoutes })`). Every parameter and body is validated; images are addressed by id only.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { Readable } from 'node:stream';
import { Hono, type Context } from 'hono';
import sharp from 'sharp';
import { z } from 'zod';
import { captionRegionInput } from '../tools/schemas.ts';
import type { ToolContext } from '../tools/context.ts';
import { ToolError } from '../tools/errors.ts';
import { search } from '../tools/search.ts';
import { refineQuery } from '../tools/refine-query.ts';
import { captionRegion } from '../tools/caption-region.ts';
import { visualizeQuery } from '../tools/visualize-query.ts';
import { visualizeQueryInput } from '../tools/visualize-query-schemas.ts';
import { readPicture } from '../tools/generated-pictures.ts';
import { CaptionStore } from '../engine/captioners/caption-store.ts';
import { SessionExpiredError, UnknownSessionError, type Session, type TurnRecord } from '../agent/sessions/session-store.ts';
import { loadAgentConfig, type AgentConfig } from '../agent/chat/agent-config.ts';
import { chatResponse } from '../agent/chat/chat-handler.ts';
import { chatRequestBody, type ChatContext } from '../agent/chat/protocol.ts';
import { defaultSettings } from '../agent/chat/settings-defaults.ts';
import { exportSession, threadFromSession } from '../agent/chat/thread-from-session.ts';

const idParam = z.object({ id: z.coerce.number().int().nonnegative() });
const thumbQuery = z.object({ size: z.coerce.number().int().min(32).max(1024).default(256) });
const sessionParam = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'not a session id') });

const mimeTypes: Record<string, string> = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp', '.gif': 'image/gif' };

function problem(c: Context, status: 400 | 404 | 500 | 502, message: string): Response {
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

function agentInfo(config: AgentConfig): { mode: AgentConfig['mode']; model?: string } {
  return config.mode === 'model' ? { mode: 'model', model: config.model?.name } : { mode: 'deterministic' };
}

export interface WebRouteOptions {
  /** Overrides configs/agent.yaml (tests). */
  agent?: AgentConfig;
}

export function createWebRoutes(ctx: ToolContext, options: WebRouteOptions = {}): Hono {
  const agent = options.agent ?? loadAgentConfig();
  const chat: ChatContext = {
    tools: {
      search: (input) => search(ctx, input),
      refineQuery: (input) => refineQuery(ctx, input),
      captionRegion: (input) => captionRegion(ctx, input),
      visualizeQuery: (input) => visualizeQuery(ctx, input),
    },
    defaults: defaultSettings(ctx.config.feedback),
  };
  const captions = new CaptionStore(ctx.library.db);
  const thumbs = new ThumbCache(2000);
  const imageFile = (id: number): string | undefined => (ctx.library.getImage(id)?.status === 'indexed' ? ctx.library.imagePath(id) : undefined);

  /** The stored session, or the reason there is none (unknown, expired). */
  const findSession = (id: string): { session: Session; turns: TurnRecord[] } | { missing: string } => {
    try {
      return { session: ctx.sessions.get(id), turns: ctx.sessions.turns(id) };
    } catch (err) {
      if (err instanceof UnknownSessionError || err instanceof SessionExpiredError) return { missing: err.message };
      throw err;
    }
  };

  const app = new Hono();
  app.onError((err, c) => {
    if (err instanceof ToolError) return problem(c, err.code === 'unknown-image' ? 404 : err.code === 'captioner' || err.code === 'generator' ? 502 : 400, err.message);
    return problem(c, 500, err.message);
  });

  app.post('/chat', async (c) => {
    const body = parse(chatRequestBody, await readJson(c));
    if (!body.ok) return problem(c, 400, body.message);
    return chatResponse(chat, body.data, agent);
  });

  app.post('/caption-region', async (c) => {
    const body = parse(captionRegionInput, await readJson(c));
    if (!body.ok) return problem(c, 400, body.message);
    return c.json(await chat.tools.captionRegion(body.data));
  });

  app.post('/visualize-query', async (c) => {
    const body = parse(visualizeQueryInput, await readJson(c));
    if (!body.ok) return problem(c, 400, body.message);
    return c.json(await chat.tools.visualizeQuery(body.data));
  });

  app.get('/sessions/:id/pictures/:picture', (c) => {
    const png = readPicture(ctx.library.dir, c.req.param('id'), c.req.param('picture'));
    if (!png) return problem(c, 404, `no picture ${c.req.param('picture')} in session ${c.req.param('id')}`);
    return c.body(new Uint8Array(png), 200, { 'content-type': 'image/png', 'cache-control': 'private, max-age=86400' });
  });

  app.get('/images/:id', async (c) => {
    const params = parse(idParam, c.req.param());
    if (!params.ok) return problem(c, 400, params.message);
    const file = imageFile(params.data.id);
    if (!file) return problem(c, 404, `no image ${params.data.id} in the library`);
    const size = (await stat(file)).size;
    return new Response(Readable.toWeb(createReadStream(file)) as ReadableStream, {
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
    const file = imageFile(params.data.id);
    if (!file) return problem(c, 404, `no image ${params.data.id} in the library`);
    const key = `${params.data.id}:${query.data.size}`;
    let jpeg = thumbs.get(key);
    if (!jpeg) {
      jpeg = await sharp(file).rotate().resize(query.data.size, query.data.size, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 82 }).toBuffer();
      thumbs.set(key, jpeg);
    }
    return new Response(new Uint8Array(jpeg), { headers: { 'content-type': 'image/jpeg', 'cache-control': 'private, max-age=3600' } });
  });

  app.get('/status', (c) => {
    const status = ctx.library.status();
    const job = captions.jobs().at(-1);
    return c.json({
      images: status.images,
      model: status.model,
      ...(job ? { captioning: { done: job.done, total: job.total, running: job.state === 'running' } } : {}),
      agent: agentInfo(agent),
    });
  });

  app.get('/config', (c) => c.json({ settings: chat.defaults, agent: agentInfo(agent) }));

  app.get('/sessions', (c) =>
    c.json({
      sessions: ctx.sessions.list().map((s) => ({
        id: s.id,
        query: s.query.text ?? (s.query.imageId !== undefined ? `like image #${s.query.imageId}` : ''),
        turns: s.turnCount,
        updatedAt: new Date(s.updatedAt).toISOString(),
      })),
    }),
  );

  app.get('/sessions/:id', (c) => {
    const params = parse(sessionParam, c.req.param());
    if (!params.ok) return problem(c, 400, params.message);
    const found = findSession(params.data.id);
    if ('missing' in found) return problem(c, 404, found.missing);
    return c.json({ session: exportSession(found.session, found.turns), messages: threadFromSession(ctx.library, found.session, found.turns) });
  });

  app.get('/sessions/:id/export', (c) => {
    const params = parse(sessionParam, c.req.param());
    if (!params.ok) return problem(c, 400, params.message);
    const found = findSession(params.data.id);
    if ('missing' in found) return problem(c, 404, found.missing);
    return new Response(JSON.stringify(exportSession(found.session, found.turns), null, 2), {
      headers: {
        'content-type': 'application/json',
        'content-disposition': `attachment; filename="visualref-session-${params.data.id}.json"`,
      },
    });
  });

  app.all('*', (c) => problem(c, 404, `no route ${c.req.method} ${c.req.path}`));
  return app;
}
