// Binds a tool list ({ name, description, input (zod) ... }) to node-llama-cpp function calling: each
// tool's zod input becomes the JSON schema that node-llama-cpp turns into a grammar, so the model can
// only write arguments of the right shape, and image ids only from those the turn has seen. The
// arguments are validated again with zod before a tool runs.
import { z } from 'zod';
import type { ChatModelFunctions, GbnfJsonSchema } from 'node-llama-cpp';
import { imageId } from '../../tools/contract/schemas.ts';
import type { AgentTool } from './agent-tools.ts';

export interface FunctionBinding {
  /** Input fields the agent fills in itself (the session, an upload, the settings panel's values), per tool. */
  agentFields: Readonly<Record<string, readonly string[]>>;
  /** Image ids the model may name: those of the turn's request and of the results it has seen. */
  knownIds: readonly number[];
  /** Tools not offered now (refine-query before there is a session). */
  unavailable: ReadonlySet<string>;
}

// Bounds that keep one call short on a small model; zod still checks the tool's own limits.
const maxStringLength = 200;
const maxArrayItems = 20;
const maxEnumRange = 100;
const imageIdMark = 'x-image-id';

type JsonNode = Record<string, unknown>;

function modelInput(tool: AgentTool, binding: FunctionBinding): z.ZodObject {
  const own = binding.agentFields[tool.name] ?? [];
  const mask: Record<string, true> = {};
  for (const key of own) if (key in tool.input.shape) mask[key] = true;
  return tool.input.omit(mask as Record<string, true> & Record<number, never>);
}

/** JSON schema (from zod) → node-llama-cpp's grammar schema; undefined when the model cannot fill it (no known ids). */
function toGrammarSchema(node: JsonNode, ids: readonly number[]): GbnfJsonSchema | undefined {
  const description = typeof node.description === 'string' ? node.description : undefined;
  const withDescription = <T extends object>(s: T): T => (description ? { ...s, description } : s);
  if (node[imageIdMark]) return ids.length ? withDescription({ enum: [...ids] }) : undefined;
  if (Array.isArray(node.enum)) return withDescription({ enum: node.enum as (string | number | boolean | null)[] });
  if (node.const !== undefined) return withDescription({ const: node.const as string | number | boolean | null });
  const alternatives = (node.anyOf ?? node.oneOf) as JsonNode[] | undefined;
  if (alternatives) {
    const options = alternatives.map((a) => toGrammarSchema(a, ids)).filter((s): s is GbnfJsonSchema => s !== undefined);
    return options.length ? withDescription({ oneOf: options }) : undefined;
  }
  switch (node.type) {
    case 'object': {
      const properties: Record<string, GbnfJsonSchema> = {};
      const required = new Set((node.required as string[] | undefined) ?? []);
      for (const [key, child] of Object.entries((node.properties as Record<string, JsonNode> | undefined) ?? {})) {
        const schema = toGrammarSchema(child, ids);
        if (schema) properties[key] = schema;
        else if (required.has(key)) return undefined;
      }
      return withDescription({ type: 'object' as const, properties, required: [...required].filter((k) => k in properties) });
    }
    case 'array': {
      const items = node.items ? toGrammarSchema(node.items as JsonNode, ids) : undefined;
      if (!items) return undefined;
      const maxItems = Math.min(Number(node.maxItems ?? maxArrayItems), maxArrayItems);
      return withDescription({ type: 'array' as const, items, ...(node.minItems !== undefined ? { minItems: Number(node.minItems) } : {}), maxItems });
    }
    case 'string': {
      const maxLength = Math.min(Number(node.maxLength ?? maxStringLength), maxStringLength);
      return withDescription({ type: 'string' as const, ...(node.minLength !== undefined ? { minLength: Number(node.minLength) } : {}), maxLength });
    }
    case 'integer': {
      const min = node.minimum as number | undefined;
      const max = node.maximum as number | undefined;
      if (min !== undefined && max !== undefined && max - min < maxEnumRange) {
        return withDescription({ enum: Array.from({ length: max - min + 1 }, (_, i) => min + i) });
      }
      return withDescription({ type: 'integer' as const });
    }
    case 'number':
    case 'boolean':
    case 'null':
      return withDescription({ type: node.type as 'number' | 'boolean' | 'null' });
    default:
      return undefined;
  }
}

function grammarSchemaOf(input: z.ZodObject, ids: readonly number[]): GbnfJsonSchema | undefined {
  const json = z.toJSONSchema(input, {
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      if (ctx.zodSchema === imageId) (ctx.jsonSchema as JsonNode)[imageIdMark] = true;
    },
  });
  return toGrammarSchema(json as JsonNode, ids);
}

/** The functions offered to the model now, by tool name. */
export function modelFunctions(tools: readonly AgentTool[], binding: FunctionBinding): ChatModelFunctions {
  const functions: Record<string, { description: string; params: GbnfJsonSchema }> = {};
  for (const tool of tools) {
    if (binding.unavailable.has(tool.name)) continue;
    const params = grammarSchemaOf(modelInput(tool, binding), binding.knownIds);
    if (params) functions[tool.name] = { description: tool.description, params };
  }
  return functions;
}

export type ParsedCall = { ok: true; tool: AgentTool; args: Record<string, unknown> } | { ok: false; message: string };

/** Checks a call the model wrote against the tool's zod input (less the agent's own fields). */
export function parseCall(tools: readonly AgentTool[], binding: FunctionBinding, name: string, params: unknown): ParsedCall {
  const tool = tools.find((t) => t.name === name);
  if (!tool || binding.unavailable.has(name)) return { ok: false, message: `the model called "${name}", which is not offered now` };
  const result = modelInput(tool, binding).strict().safeParse(params ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    return { ok: false, message: `${name}: ${issue?.path.join('.') || 'arguments'}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, tool, args: result.data as Record<string, unknown> };
}
