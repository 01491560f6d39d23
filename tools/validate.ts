// Tool inputs are validated here as well as by the MCP SDK, because the web agent and tests call the
// tool functions directly.
import type { z } from 'zod';
import { ToolError } from './errors.ts';

export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'input';
  throw new ToolError('bad-input', `${where}: ${issue?.message ?? 'invalid value'}`);
}
