// Command-line flags: node's parseArgs for the syntax, zod for the values, UsageError for both.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { z } from 'zod';
import { UsageError } from './usage-error.ts';

export function parseFlags<S extends z.ZodType>(
  argv: string[],
  options: NonNullable<ParseArgsConfig['options']>,
  schema: S,
  allowPositionals = true,
): { values: z.infer<S>; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const result = schema.safeParse(parsed.values);
  if (!result.success) {
    const issue = result.error.issues[0];
    const flag = issue?.path.length ? `--${String(issue.path[0])}` : 'arguments';
    throw new UsageError(`${flag}: ${issue?.message ?? 'invalid value'}`);
  }
  return { values: result.data, positionals: parsed.positionals };
}
