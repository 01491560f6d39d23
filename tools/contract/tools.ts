// Each tool's contract, once: name, title, description, input and output schemas, and whether its
// result is a list of images. The MCP server, the web API, the chat agents and the browser all take
// their tools from here (handlers are bound in tools/registry.ts). This folder imports nothing from
// Node, so the web bundle shares it instead of keeping copies.
import type { z } from 'zod';
import { toolDescriptions } from './descriptions.ts';
import { visualizeQueryInput, visualizeQueryOutput } from './visualize-query.ts';
import { captionRegionInput, captionRegionOutput, refineQueryInput, refineQueryOutput, searchInput, searchOutput } from './schemas.ts';

export interface ToolContract<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  /** One sentence, for agents whose model has a short context (the in-process llama agent). */
  summary: string;
  input: I;
  output: O;
  /** What the result shows: `images` (MCP adds thumbnails and image links, clients show a grid), a generated `picture` (MCP adds it as an image), or plain `json`. */
  result: 'images' | 'picture' | 'json';
  /** The ui:// view that MCP hosts with the MCP Apps extension show its results in (mcp-server/results-view.ts). */
  view?: typeof resultsViewUri;
}

/** The one interactive results view (web/mcp-app/) that search and refine-query declare. */
export const resultsViewUri = 'ui://visualref/results-view.html';

function contract<I extends z.ZodObject, O extends z.ZodObject, N extends string>(c: ToolContract<I, O> & { name: N }): ToolContract<I, O> & { name: N } {
  return c;
}

export const toolContracts = {
  search: contract({
    name: 'search',
    title: 'Search images',
    description: toolDescriptions.search,
    summary: 'Search the image library by text or by an image already in it. An image the user uploaded is attached automatically.',
    input: searchInput,
    output: searchOutput,
    result: 'images',
    view: resultsViewUri,
  }),
  captionRegion: contract({
    name: 'caption-region',
    title: 'Describe a region of an image',
    description: toolDescriptions.captionRegion,
    summary: 'Describe a boxed region of a result image in a few words.',
    input: captionRegionInput,
    output: captionRegionOutput,
    result: 'json',
  }),
  refineQuery: contract({
    name: 'refine-query',
    title: 'Refine the search with feedback',
    description: toolDescriptions.refineQuery,
    summary: 'Refine the current session with relevance feedback: marked images, boxed regions, a comment.',
    input: refineQueryInput,
    output: refineQueryOutput,
    result: 'images',
    view: resultsViewUri,
  }),
  visualizeQuery: contract({
    name: 'visualize-query',
    title: 'Draw what the search is looking for',
    description: toolDescriptions.visualizeQuery,
    summary: 'Draw a picture of what the current session is looking for.',
    input: visualizeQueryInput,
    output: visualizeQueryOutput,
    result: 'picture',
  }),
};

type Contracts = (typeof toolContracts)[keyof typeof toolContracts];
export type ToolName = Contracts['name'];
type ContractNamed<N extends ToolName> = Extract<Contracts, { name: N }>;

/** Input and output of every tool by its name, e.g. for the AI SDK's typed UI messages (`tool-search` parts). */
export type ToolIO = { [N in ToolName]: { input: z.infer<ContractNamed<N>['input']>; output: z.infer<ContractNamed<N>['output']> } };

/** The tools as functions of their input, by name: what the faces call. */
export type ToolCalls = { [N in ToolName]: (input: z.input<ContractNamed<N>['input']>) => Promise<z.infer<ContractNamed<N>['output']>> };

export const toolNames = Object.values(toolContracts).map((c) => c.name) as ToolName[];
