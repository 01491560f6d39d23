// The chat's tools as a list of { name, title, description, input, output, handler }, the shape of
// the coming tool registry (tools/registry.ts), which will replace this file.
import type { z } from 'zod';
import {
  captionRegionInput,
  captionRegionOutput,
  refineQueryInput,
  refineQueryOutput,
  searchInput,
  searchOutput,
} from '../../tools/schemas.ts';
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
  return [
    {
      name: 'search',
      title: 'Search',
      description: 'Search the image library by text or by an image already in it. An image the user uploaded is attached automatically.',
      input: searchInput,
      output: searchOutput,
      handler: (input: z.infer<typeof searchInput>) => tools.search(input),
    },
    {
      name: 'refine-query',
      title: 'Refine the query',
      description: 'Refine the current session with relevance feedback: marked images, boxed regions, a comment.',
      input: refineQueryInput,
      output: refineQueryOutput,
      handler: (input: z.infer<typeof refineQueryInput>) => tools.refineQuery(input),
    },
    {
      name: 'caption-region',
      title: 'Caption a region',
      description: 'Describe a boxed region of a result image in a few words.',
      input: captionRegionInput,
      output: captionRegionOutput,
      handler: (input: z.infer<typeof captionRegionInput>) => tools.captionRegion(input),
    },
  ];
}
