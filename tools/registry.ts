// The tool registry: each tool's contract (tools/contract/tools.ts) with its handler. Adding a tool is
// its handler file, its contract entry and one line here; MCP, the web API and the chat agents pick it
// up from the registry.
import type { z } from 'zod';
import type { ToolContext } from './context.ts';
import { toolContracts, type ToolCalls, type ToolContract } from './contract/tools.ts';
import { captionRegion } from './caption-region.ts';
import { refineQuery } from './refine-query.ts';
import { search } from './search.ts';
import { visualizeQuery } from './visualize-query.ts';

export interface ToolDefinition<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> extends ToolContract<I, O> {
  handler(ctx: ToolContext, input: z.input<I>): Promise<z.infer<O>>;
}

function define<I extends z.ZodObject, O extends z.ZodObject>(
  contract: ToolContract<I, O>,
  handler: (ctx: ToolContext, input: z.input<I>) => Promise<z.infer<O>>,
): ToolDefinition<I, O> {
  return { ...contract, handler };
}

export const toolRegistry: readonly ToolDefinition[] = [
  define(toolContracts.search, search),
  define(toolContracts.captionRegion, captionRegion),
  define(toolContracts.refineQuery, refineQuery),
  define(toolContracts.visualizeQuery, visualizeQuery),
] as ToolDefinition[];

/** Every tool bound to one context, by name. */
export function bindTools(ctx: ToolContext): ToolCalls {
  return Object.fromEntries(toolRegistry.map((t) => [t.name, (input: never) => t.handler(ctx, input)])) as unknown as ToolCalls;
}
