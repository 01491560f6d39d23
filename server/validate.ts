// The /api routes' input validation: a Hono validator middleware from a zod schema, per part of the
// request (JSON body, path parameters, query string). A request that does not fit is answered 400 with
// the first problem, named by its path; the handler reads the parsed value with c.req.valid(target).
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { validator } from 'hono/validator';
import type { z } from 'zod';

type Target = 'json' | 'param' | 'query';

const jsonType = /^application\/([\w.-]+\+)?json\b/i;

function invalid(c: Context, message: string): Response {
  return c.json({ error: message }, 400);
}

export function valid<T extends Target, S extends z.ZodType>(target: T, schema: S) {
  return validator(target, (value, c) => {
    // Hono reads a body as JSON only when it says it is; anything else would reach the schema as {}.
    if (target === 'json' && !jsonType.test(c.req.header('content-type') ?? '')) return invalid(c, 'body: send JSON (content-type: application/json)');
    const result = schema.safeParse(value);
    if (!result.success) {
      const issue = result.error.issues[0];
      return invalid(c, `${issue?.path.join('.') || (target === 'json' ? 'body' : target)}: ${issue?.message}`);
    }
    return result.data as z.infer<S>;
  });
}

/** Hono's answer to a JSON body that does not parse, as a 400 the API's clients read like the others. */
export function malformedBody(err: unknown): string | undefined {
  return err instanceof HTTPException && err.status === 400 ? `body: ${err.message}` : undefined;
}
