// Turns one user message (text, an uploaded image, structured feedback, settings) into tool inputs.
// Shared by both agents so that a switch of agent never changes what a turn means.
import type { RefineQueryInput, SearchInput } from '../../tools/contract/schemas.ts';
import { feedbackSources, type ChatRequestBody, type ChatSettings } from './protocol.ts';
import { onRequestSources } from '../../engine/feedback/sources.ts';

export class TurnInputError extends Error {}

export interface UserTurn {
  text: string;
  /** base64 (no data: prefix) of an uploaded image, when the message carries one. */
  imageBase64?: string;
  imageBytes?: number;
}

const dataUrl = /^data:image\/(?:jpeg|png|webp);base64,([A-Za-z0-9+/=]+)$/;

export function readUserTurn(message: ChatRequestBody['message']): UserTurn {
  const text = message.parts
    .map((p) => (p.type === 'text' && typeof p.text === 'string' ? p.text : ''))
    .join(' ')
    .trim();
  const file = message.parts.find((p) => p.type === 'file');
  if (!file) return { text };
  const match = dataUrl.exec(String(file.url));
  if (!match) throw new TurnInputError('the attached file must be a JPEG, PNG or WebP image');
  const imageBase64 = match[1];
  return { text, imageBase64, imageBytes: Math.floor((imageBase64.length * 3) / 4) };
}

export function searchInputFor(turn: UserTurn, body: ChatRequestBody): SearchInput {
  const request = body.message.metadata.request;
  if (request.action !== 'search') throw new TurnInputError('not a search turn');
  const input: SearchInput = { k: body.message.metadata.settings?.k };
  if (request.imageId !== undefined) input.imageId = request.imageId;
  else if (turn.imageBase64) input.imageBase64 = turn.imageBase64;
  if (turn.text) input.text = turn.text;
  if (!input.text && input.imageId === undefined && !input.imageBase64) {
    throw new TurnInputError('type what you are looking for, or add an image');
  }
  // "More like this" continues the session; a typed or uploaded query starts a new one.
  if (request.imageId !== undefined && body.sessionId) input.sessionId = body.sessionId;
  return input;
}

/**
 * Weight overrides for the tool: a source switched off gets 0; a value the user changed from the
 * default is sent; an untouched one is left out, so configs/feedback.yaml keeps deciding it (a
 * source's override sets both its positive and negative weight there). A source that runs only on
 * request (prf, grf, afs) always sends its weight when on: that is the request.
 */
export function weightsFor(settings: ChatSettings, defaults?: ChatSettings): NonNullable<RefineQueryInput['weights']> {
  const weights: NonNullable<RefineQueryInput['weights']> = {};
  const changed = (value: number, base: number | undefined) => base === undefined || Math.abs(value - base) > 1e-9;
  if (changed(settings.weights.alpha, defaults?.weights.alpha)) weights.alpha = settings.weights.alpha;
  if (changed(settings.temperature, defaults?.temperature)) weights.temperature = settings.temperature;
  for (const source of feedbackSources) {
    if (!settings.sources[source]) weights[source] = 0;
    else if (onRequestSources.has(source) || changed(settings.weights[source], defaults?.weights[source])) weights[source] = settings.weights[source];
  }
  return weights;
}

export function refineInputFor(turn: UserTurn, body: ChatRequestBody, defaults?: ChatSettings): RefineQueryInput {
  const request = body.message.metadata.request;
  if (request.action !== 'refine') throw new TurnInputError('not a refine turn');
  if (!body.sessionId) throw new TurnInputError('there is nothing to refine yet: search first');
  const settings = body.message.metadata.settings;
  const on = (source: (typeof feedbackSources)[number]) => settings?.sources[source] ?? true;
  const input: RefineQueryInput = { sessionId: body.sessionId, k: settings?.k };
  if (on('judged')) {
    if (request.relevant.length) input.relevant = request.relevant;
    if (request.irrelevant.length) input.irrelevant = request.irrelevant;
  }
  if (on('regions') && request.regions.length) input.regions = request.regions;
  if (on('regions') && request.pictureRegions?.length) input.pictureRegions = request.pictureRegions;
  // A removal is sent even with region feedback switched off, so the region stays removed when it is back on.
  if (request.removeRegions?.length) input.removeRegions = request.removeRegions;
  if (on('comment') && turn.text) input.comment = turn.text;
  if (settings) {
    const weights = weightsFor(settings, defaults);
    if (Object.keys(weights).length) input.weights = weights;
    // Session options: always sent, so switching one back off takes effect too.
    input.excludeSeen = settings.excludeSeen;
    input.fuseInitial = settings.fuseQuery;
    if (settings.visualize) input.visualize = true;
  }
  return input;
}

/** The search input as shown in the thread: an uploaded image is named, not echoed back. */
export function displayInput<T extends { imageBase64?: string }>(input: T, imageBytes?: number): T {
  if (!input.imageBase64) return input;
  return { ...input, imageBase64: `(uploaded image, ${Math.round((imageBytes ?? 0) / 1024)} kB)` };
}
