// The chat web app's HTTP API, mounted by server/app.ts under /api (`createApp(ctx, { extraRoutes:
// createWebRoutes })`). Every parameter and body is validated; images are addressed by id only.
import { basename } from 'node:path';
import { Hono, type Context } from 'hono';
import { malformedBody, valid } from './validate.ts';
import { z } from 'zod';
import type { ToolContext } from '../tools/context.ts';
import { reportError } from '../tools/errors.ts';
import { log } from '../engine/log.ts';
import { toolRegistry } from '../tools/registry.ts';
import { readPicture } from '../tools/generated-pictures.ts';
import { CaptionStore } from '../engine/captioners/caption-store.ts';
import { ImageFileChangedError } from '../engine/library/image-file.ts';
import { imageMimeType } from '../engine/images/mime.ts';
import { SessionExpiredError, UnknownSessionError, type Session, type TurnRecord } from '../tools/sessions/session-store.ts';
import { sessionTitleSchema } from '../tools/sessions/session-records.ts';
import { builtinModelWarning } from '../engine/library/builtin-fit.ts';
import { loadAgentConfig, type AgentConfig } from '../agent/chat/agent-config.ts';
import { chatResponse } from '../agent/chat/chat-handler.ts';
import { chatRequestBody, type ChatContext } from '../agent/chat/protocol.ts';
import { chatContextFor } from '../agent/chat/chat-context.ts';
import { exportSession, threadFromSession } from '../agent/chat/thread-from-session.ts';

const idParam = z.object({ id: z.coerce.number().int().nonnegative() });
const thumbQuery = z.object({ size: z.coerce.number().int().min(32).max(1024).default(256) });
const sessionParam = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'not a session id') });
const renameBody = z.object({ title: sessionTitleSchema }).strict();

function problem(c: Context, status: 400 | 404 | 500 | 502, message: string): Response {
  return c.json({ error: message }, status);
}

function agentInfo(config: AgentConfig): { mode: AgentConfig['mode']; model?: string } {
  if (config.mode === 'llama') return { mode: 'llama', model: config.llama && basename(config.llama.gguf) };
  return config.mode === 'model' ? { mode: 'model', model: config.model?.name } : { mode: 'deterministic' };
}

export interface WebRouteOptions {
  /** Overrides configs/agent.yaml (tests). */
  agent?: AgentConfig;
}

export function createWebRoutes(ctx: ToolContext, options: WebRouteOptions = {}): Hono {
  const agent = options.agent ?? loadAgentConfig();
  const chat: ChatContext = chatContextFor(ctx);
  const captions = new CaptionStore(ctx.library.db);
  /** The bytes and name of an indexed image, or undefined when it is unknown or changed on disk. */
  const imageFile = async (id: number): Promise<{ bytes: Buffer; relPath: string } | undefined> => {
    const record = ctx.library.getImage(id);
    if (record?.status !== 'indexed') return undefined;
    try {
      return { bytes: await ctx.library.readImageFile(id), relPath: record.relPath };
    } catch (err) {
      if (err instanceof ImageFileChangedError) return undefined;
      throw err;
    }
  };

  /** The stored session, or the reason there is none (unknown, expired). */
  const findSession = (id: string): { session: Session; turns: TurnRecord[] } | { missing: string } => {
    try {
      return { session: ctx.sessions.get(id), turns: ctx.sessions.turns(id) };
    } catch (err) {
      if (err instanceof UnknownSessionError || err instanceof SessionExpiredError) return { missing: err.message };
      throw err;
    }
  };

  let warnedAt = -1;
  let builtinWarning: string | undefined;

  const app = new Hono();
  app.onError((err, c) => {
    const malformed = malformedBody(err);
    if (malformed) return problem(c, 400, malformed);
    const { status, message, internal } = reportError(err);
    if (internal) log.error(`${c.req.method} ${c.req.path} failed: ${err.stack ?? message}`);
    return problem(c, status, message);
  });

  app.post('/chat', valid('json', chatRequestBody), (c) => chatResponse(chat, c.req.valid('json'), agent, c.req.raw.signal));

  // Every tool of the registry at /api/<name> (the web app's box dialog calls caption-region).
  for (const tool of toolRegistry) {
    app.post(`/${tool.name}`, valid('json', tool.input), async (c) => c.json(await tool.handler(ctx, c.req.valid('json'))));
  }

  app.get('/sessions/:id/pictures/:picture', (c) => {
    const png = readPicture(ctx.library.dir, c.req.param('id'), c.req.param('picture'));
    if (!png) return problem(c, 404, `no picture ${c.req.param('picture')} in session ${c.req.param('id')}`);
    return c.body(new Uint8Array(png), 200, { 'content-type': 'image/png', 'cache-control': 'private, max-age=86400' });
  });

  app.get('/images/:id', valid('param', idParam), async (c) => {
    const { id } = c.req.valid('param');
    const file = await imageFile(id);
    if (!file) return problem(c, 404, `no image ${id} in the library (unknown, or its file changed since indexing)`);
    // The viewer shows the original to draw boxes on: its tokens are made ready for them meanwhile.
    ctx.warmMarkTokens(id);
    return new Response(new Uint8Array(file.bytes), {
      headers: {
        'content-type': imageMimeType(file.relPath),
        'content-length': String(file.bytes.length),
        'cache-control': 'private, max-age=3600',
      },
    });
  });

  app.get('/images/:id/thumb', valid('param', idParam), valid('query', thumbQuery), async (c) => {
    const { id } = c.req.valid('param');
    const query = c.req.valid('query');
    if (ctx.library.getImage(id)?.status !== 'indexed') return problem(c, 404, `no image ${id} in the library`);
    let jpeg: Buffer;
    try {
      jpeg = await ctx.thumbnails.thumbnail(id, { maxSide: query.size, quality: 82 });
    } catch (err) {
      if (err instanceof ImageFileChangedError) return problem(c, 404, `no image ${id} in the library (its file changed since indexing)`);
      throw err;
    }
    return new Response(new Uint8Array(jpeg), { headers: { 'content-type': 'image/jpeg', 'cache-control': 'private, max-age=3600' } });
  });

  // What the large view shows under an image: its file name, folder path, size and date.
  app.get('/images/:id/info', valid('param', idParam), async (c) => {
    const { id } = c.req.valid('param');
    const file = await imageFile(id);
    const record = ctx.library.getImage(id);
    if (!file || !record) return problem(c, 404, `no image ${id} in the library (unknown, or its file changed since indexing)`);
    return c.json({
      id: record.id,
      filename: basename(record.relPath),
      path: ctx.library.imagePath(record.id),
      width: record.width,
      height: record.height,
      bytes: record.size,
      modified: new Date(record.mtimeMs).toISOString(),
    });
  });

  app.get('/status', (c) => {
    const status = ctx.library.status();
    // Polled every few seconds: the check (one bounded query) is redone only when the count changes.
    if (status.images !== warnedAt) {
      warnedAt = status.images;
      builtinWarning = builtinModelWarning(ctx.library);
    }
    const job = captions.jobs().at(-1);
    return c.json({
      images: status.images,
      model: status.model,
      ...(builtinWarning ? { warning: builtinWarning } : {}),
      ...(job ? { captioning: { done: job.done, total: job.total, running: job.state === 'running' } } : {}),
      agent: agentInfo(agent),
    });
  });

  app.get('/config', (c) => c.json({ settings: chat.defaults, agent: agentInfo(agent) }));

  app.get('/sessions', (c) =>
    c.json({
      sessions: ctx.sessions.list().map((s) => ({
        id: s.id,
        title: s.title,
        turns: s.turnCount,
        updatedAt: new Date(s.updatedAt).toISOString(),
        // The picture the list shows: the top result of the session's last turn.
        thumbId: ctx.sessions.lastTurn(s.id)?.results[0]?.id,
      })),
    }),
  );

  app.get('/sessions/:id', valid('param', sessionParam), (c) => {
    const { id } = c.req.valid('param');
    const found = findSession(id);
    if ('missing' in found) return problem(c, 404, found.missing);
    return c.json({ session: exportSession(found.session, found.turns), messages: threadFromSession(ctx.library, found.session, found.turns) });
  });

  app.patch('/sessions/:id', valid('param', sessionParam), valid('json', renameBody), (c) => {
    const { id } = c.req.valid('param');
    try {
      return c.json({ id, title: ctx.sessions.rename(id, c.req.valid('json').title).title });
    } catch (err) {
      if (err instanceof UnknownSessionError || err instanceof SessionExpiredError) return problem(c, 404, err.message);
      throw err;
    }
  });

  app.delete('/sessions/:id', valid('param', sessionParam), (c) => {
    const { id } = c.req.valid('param');
    if (!ctx.sessions.delete(id)) return problem(c, 404, `no session ${id}`);
    return c.json({ deleted: id });
  });

  app.get('/sessions/:id/export', valid('param', sessionParam), (c) => {
    const { id } = c.req.valid('param');
    const found = findSession(id);
    if ('missing' in found) return problem(c, 404, found.missing);
    return new Response(JSON.stringify(exportSession(found.session, found.turns), null, 2), {
      headers: {
        'content-type': 'application/json',
        'content-disposition': `attachment; filename="visualref-session-${id}.json"`,
      },
    });
  });

  app.all('*', (c) => problem(c, 404, `no route ${c.req.method} ${c.req.path}`));
  return app;
}
