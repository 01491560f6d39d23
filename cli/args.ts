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
    parsed = parseArgs({ args: joinNegativeValues(argv, options), allowPositionals, options, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const result = schema.safeParse(parsed.values);
  if (!result.success) {
    const issue = result.error.issues[0];
    if (!issue?.path.length) throw new UsageError(`arguments: ${issue?.message ?? 'invalid value'}`);
    const key = String(issue.path[0]);
    const given = (parsed.values as Record<string, unknown>)[key];
    throw new UsageError(`--${key}: ${given === undefined && issue.code === 'invalid_type' ? 'is required' : describeIssue(issue)}${given === undefined || typeof given === 'boolean' ? '' : ` (got "${String(given)}")`}`);
  }
  return { values: result.data, positionals: parsed.positionals };
}

/**
 * `--k -5` reads to parseArgs as a flag without a value; a negative number after a flag that takes a
 * value is that value, so it reaches validation and gets a message about the number.
 */
function joinNegativeValues(argv: string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith('--') ? argv[i].slice(2) : undefined;
    if (name && options[name]?.type === 'string' && /^-\d/.test(argv[i + 1] ?? '')) out.push(`${argv[i]}=${argv[++i]}`);
    else out.push(argv[i]);
  }
  return out;
}

/** A zod issue as a sentence about a command-line value. */
function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'number' || issue.expected === 'int' ? 'expected a whole number' : `expected ${issue.expected}`;
    case 'too_small':
      return `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    default:
      return issue.message;
  }
}
