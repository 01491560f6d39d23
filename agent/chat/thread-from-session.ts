// Rebuilds the chat thread of a stored session, so a reload or a server restart shows the same
// turns: each turn becomes the user's request and the answer with its tool part and results.
import type { UIDataTypes, UIMessage } from 'ai';
import type { Library } from '../../engine/library/library.ts';
import type { Session, TurnRecord } from '../../tools/sessions/session-store.ts';
import type { ResultItem } from '../../tools/contract/schemas.ts';
import { toResultItems } from '../../tools/library-access.ts';
import type { AssistantMetadata, ChatUITools, TurnRequest, UserMetadata } from './protocol.ts';
import { refineReply, searchReply } from './reply-text.ts';

export type ThreadMessage = UIMessage<Partial<UserMetadata> & Partial<AssistantMetadata>, UIDataTypes, ChatUITools>;

function userRequest(turn: TurnRecord, session: Session, isLastSearch: boolean): { request: TurnRequest; text: string } {
  if (!turn.feedback) {
    // The store keeps the session's current query only: earlier searches of a restarted session are shown generically.
    const query = isLastSearch ? session.query : {};
    return { request: { action: 'search', imageId: query.imageId }, text: query.imageId === undefined ? (query.text ?? '(new search)') : (query.text ?? '') };
  }
  const f = turn.feedback;
  return {
    request: {
      action: 'refine',
      relevant: f.relevant,
      irrelevant: f.irrelevant,
      regions: f.regions.map((r) => ({ imageId: r.imageId, ...(r.box ? { box: r.box, units: 'px' as const } : {}), caption: r.caption, relevant: r.relevant })),
      ...(f.removedRegions.length ? { removeRegions: f.removedRegions } : {}),
    },
    text: f.comment ?? '',
  };
}

export function threadFromSession(library: Library, session: Session, turns: TurnRecord[]): ThreadMessage[] {
  const messages: ThreadMessage[] = [];
  const lastSearch = turns.findLastIndex((t) => !t.feedback);
  turns.forEach((turn, i) => {
    const previous = i > 0 ? new Map(turns[i - 1].results.map((r) => [r.id, r.rank])) : undefined;
    const results: ResultItem[] = toResultItems(library, turn.results, previous);
    // Matched regions were stored with the turn ("matched here"): a reload draws them again.
    turn.results.forEach((r, j) => {
      if (r.matches) results[j].matches = r.matches;
    });
    const { request, text } = userRequest(turn, session, i === lastSearch);
    messages.push({
      id: `${session.id}-u${turn.turn}`,
      role: 'user',
      metadata: { request },
      parts: text ? [{ type: 'text', text }] : [],
    });
    const meta: AssistantMetadata = { sessionId: session.id, turn: turn.turn };
    const toolCallId = `${session.id}-t${turn.turn}`;
    if (request.action === 'search') {
      const output = { sessionId: session.id, turn: turn.turn, results };
      messages.push({
        id: `${session.id}-a${turn.turn}`,
        role: 'assistant',
        metadata: meta,
        parts: [
          { type: 'tool-search', toolCallId, state: 'output-available', input: { text: text || undefined, imageId: request.imageId }, output },
          { type: 'text', text: searchReply(output, { text: text || undefined, imageId: request.imageId }) },
        ],
      });
    } else {
      const explanation = turn.explanation ?? { applied: [], movedUp: 0, movedDown: 0, newResults: 0, summary: '' };
      const output = {
        sessionId: session.id,
        turn: turn.turn,
        results,
        explanation: {
          applied: explanation.applied.map(({ source, weight, positive, negative }) => ({ source, weight, positive, negative })),
          movedUp: explanation.movedUp,
          movedDown: explanation.movedDown,
          newResults: explanation.newResults,
          summary: explanation.summary,
        },
        ...(explanation.visualization && { visualization: explanation.visualization }),
        ...(explanation.activeRegions && { activeRegions: explanation.activeRegions }),
      };
      messages.push({
        id: `${session.id}-a${turn.turn}`,
        role: 'assistant',
        metadata: meta,
        parts: [
          { type: 'tool-refine-query', toolCallId, state: 'output-available', input: { sessionId: session.id, ...request, comment: text || undefined }, output },
          { type: 'text', text: refineReply(output) },
        ],
      });
    }
  });
  return messages;
}

/** The session as a JSON document for download: query, options, and every turn's feedback and results. */
export function exportSession(session: Session, turns: TurnRecord[]) {
  return {
    id: session.id,
    createdAt: new Date(session.createdAt).toISOString(),
    updatedAt: new Date(session.updatedAt).toISOString(),
    model: session.model,
    title: session.title,
    query: session.query,
    options: session.options,
    turns: turns.map((t) => ({
      turn: t.turn,
      createdAt: new Date(t.createdAt).toISOString(),
      feedback: t.feedback,
      weights: t.weights,
      explanation: t.explanation,
      results: t.results,
    })),
  };
}
