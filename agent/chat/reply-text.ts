// The deterministic agent's short replies: what happened, and what the user can do next.
import type { RefineQueryOutput, SearchOutput } from '../../tools/contract/schemas.ts';

export function searchReply(output: SearchOutput, query: { text?: string; imageId?: number; uploaded?: boolean }): string {
  const n = output.results.length;
  const what = query.imageId !== undefined
    ? `images like #${query.imageId}`
    : query.uploaded
      ? `images like the one you added${query.text ? ` and “${query.text}”` : ''}`
      : `“${query.text ?? ''}”`;
  if (n === 0) return `Found nothing for ${what}. Try other words.`;
  return `Found ${n} ${n === 1 ? 'image' : 'images'} for ${what}. Mark what is right or wrong, draw boxes on parts in the large view, add a comment, then press Refine.`;
}

export function refineReply(output: RefineQueryOutput): string {
  const { movedUp, movedDown, newResults, summary } = output.explanation;
  // The tool's summary already says what moved; without one, say it here.
  return summary.trim() || `Refined the query: ${movedUp} moved up, ${movedDown} moved down, ${newResults} new.`;
}
