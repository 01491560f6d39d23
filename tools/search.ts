// The search tool: a text and/or an example image (library id or upload) → a new session, or a new
// query in an existing one, and its first results.
import type { Modality } from '../engine/feedback/compose.ts';
import { normalize, weightedSum } from '../engine/feedback/vectors.ts';
import type { ToolContext } from './context.ts';
import { ToolError } from './errors.ts';
import { requireImage, toResultItems } from './library-access.ts';
import { searchInput, type SearchInput, type SearchOutput } from './contract/schemas.ts';
import { withSession } from './session-access.ts';
import { decodeUpload } from './upload.ts';
import { parseInput } from './validate.ts';
import type { z } from 'zod';

export const defaultResultCount = 12;

interface QueryVector {
  vector: Float32Array;
  /** 'text' whenever words are part of the query, 'image' for query by example alone. */
  modality: Modality;
}

async function queryVector(ctx: ToolContext, input: SearchInput): Promise<QueryVector> {
  const { library } = ctx;
  const parts: Float32Array[] = [];
  if (input.text !== undefined) {
    if (input.text.trim() === '') throw new ToolError('bad-input', 'text: is blank; describe what to look for');
    parts.push(await library.encodeText(input.text));
  }
  if (input.imageId !== undefined) {
    requireImage(library, input.imageId);
    parts.push(await library.encodeImage({ id: input.imageId }));
  }
  if (input.imageBase64 !== undefined) {
    parts.push(await library.encodeImage(await decodeUpload(input.imageBase64, ctx.config.tools.upload)));
  }
  // Text and image together: the mean of the two directions.
  const vector = parts.length === 1 ? parts[0] : normalize(weightedSum(parts, parts.map(() => 1)));
  return { vector, modality: input.text !== undefined ? 'text' : 'image' };
}

export async function search(ctx: ToolContext, rawInput: z.input<typeof searchInput>): Promise<SearchOutput> {
  const input = parseInput(searchInput, rawInput);
  if (input.text === undefined && input.imageId === undefined && input.imageBase64 === undefined) {
    throw new ToolError('bad-input', 'give text, imageId or imageBase64 (or text with an image): there is nothing to search for');
  }
  if (input.imageId !== undefined && input.imageBase64 !== undefined) {
    throw new ToolError('bad-input', 'give either imageId or imageBase64, not both');
  }
  const { sessions, library } = ctx;
  if (input.sessionId !== undefined) withSession(() => sessions.get(input.sessionId!));
  const query = await queryVector(ctx, input);
  const stored = { text: input.text, imageId: input.imageId };

  const session =
    input.sessionId !== undefined
      ? withSession(() => sessions.restartQuery(input.sessionId!, stored, query.vector, query.modality))
      : sessions.create({ query: stored, originalVector: query.vector, modality: query.modality, model: library.model, options: { k: input.k, fuseInitial: ctx.config.feedback.compose.fuseInitial } });
  const previous = input.sessionId !== undefined ? withSession(() => sessions.lastTurn(session.id)) : null;

  const k = input.k ?? session.options.k ?? defaultResultCount;
  const hits = library.search(query.vector, k);
  const turn = withSession(() =>
    sessions.recordTurn(session.id, {
      feedback: null,
      results: hits.map((hit, i) => ({ id: hit.id, score: hit.score, rank: i + 1 })),
      state: { vector: query.vector, modality: query.modality },
    }),
  );
  const previousRanks = previous ? new Map(previous.results.map((r) => [r.id, r.rank])) : undefined;
  return { sessionId: session.id, turn: turn.turn, results: toResultItems(library, hits, previousRanks) };
}
