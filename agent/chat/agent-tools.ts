// The chat's tools as the llama agent offers them to its model: the registry's contracts
// (tools/contract/tools.ts), each calling the tool bound to the turn's library. A small local model's
// context is short, so each tool is described by its one-sentence summary.
import type { z } from 'zod';
import { toolContracts } from '../../tools/contract/tools.ts';
import type { ChatTools } from './protocol.ts';

export interface AgentTool {
  name: string;
  title: string;
  description: string;
  input: z.ZodObject;
  output: z.ZodType;
  handler(input: never): Promise<unknown>;
}

export function agentTools(tools: ChatTools): AgentTool[] {
  return Object.values(toolContracts).map((c) => ({
    name: c.name,
    title: c.title,
    description: c.summary,
    input: c.input,
    output: c.output,
    handler: (input: never) => (tools[c.name] as (input: never) => Promise<unknown>)(input),
  }));
}
