// The relevance-feedback strategies measured by `visualref eval --strategy ...`, built on the pure
// functions of agent/feedback. Each simulates the user the paper or the probe (feedback-measured.md)
// describes:
//   prf                  extended Rocchio over the top-K shown images (no user).
//   grf                  extended Rocchio over caption embeddings of the top-K shown images (no user);
//                        a ground-truth caption other than the query stands in for the synthetic one,
//                        which makes this an optimistic GRF.
//   explicit             each turn the user types another caption of the target: norm(alpha q + beta e).
//   judged[-centered|-per-modality]
//                        the user marks whole shown images: relevant when it is the target or (world
//                        scenes) shares an object (colour and shape) with it, the others irrelevant;
//                        composed in the raw, centered or per-modality way (agent/feedback/compose.ts).
//   regions-visualref    the probe's region user: every object of a shown image that matches an object
//                        of the target (colour and shape) is boxed relevant, every other irrelevant;
//                        crop embeddings averaged into the query with the VisualReF weights.
//   regions-match        same marks, accumulated over turns, scored region against region against every
//                        image's object boxes (crop embeddings; ground-truth boxes, so an upper bound).
// The judging users stop once the target is at rank 1, as the probe's did.
import type { Box } from '../types.ts';
import { composeFeedback, composeOptionsFromConfig, fuseModalityScores, type FeedbackItem } from '../../agent/feedback/compose.ts';
import type { FeedbackConfig, ModalityMode } from '../../agent/feedback/config.ts';
import { explicitFeedback, extendedRocchio, visualRefRocchio } from '../../agent/feedback/rocchio.ts';
import { regionScore, type CandidateRegion, type RegionMark } from '../../agent/feedback/region-score.ts';
import { mean } from '../../agent/feedback/vectors.ts';
import { decodeImage } from '../images/decode.ts';
import { prepareForModel } from '../images/prepare.ts';
import type { EvalCollection } from './collection.ts';
import type { EvalImage, EvalObject } from './dataset.ts';
import { cosineScores, type FeedbackTurn, type QueryState, type Strategy } from './strategy.ts';

export const feedbackStrategyNames = [
  'prf',
  'grf',
  'explicit',
  'judged',
  'judged-centered',
  'judged-per-modality',
  'regions-visualref',
  'regions-match',
] as const;
export type FeedbackStrategyName = (typeof feedbackStrategyNames)[number];

/** Which strategies need every caption encoded, and which need the world's object crops. */
const needsCaptions: readonly FeedbackStrategyName[] = ['grf', 'explicit'];
const needsCrops: readonly FeedbackStrategyName[] = ['regions-visualref', 'regions-match'];

/** Pixels added around a tight object box, as a user draws it. */
const BOX_MARGIN = 3;

interface Prepared {
  collection: EvalCollection;
  config: FeedbackConfig;
  captionIndex: number;
  /** captionVectors[i][c] = text embedding of caption c of image i. */
  captionVectors?: Float32Array[][];
  /** regions[i] = crop embeddings of image i's objects, in the order of its objects. */
  regions?: CandidateRegion[][];
  /** Mean image embedding of the collection ('centered' mode). */
  imageMean?: Float32Array;
}

export interface FeedbackStrategyOptions {
  config: FeedbackConfig;
  /** The caption used as the query (the runner's captionIndex). */
  captionIndex?: number;
  onProgress?: (message: string) => void;
}

/** Encodes what the chosen strategies need (captions, object crops) once, then builds them. */
export async function buildFeedbackStrategies(
  names: readonly FeedbackStrategyName[],
  collection: EvalCollection,
  options: FeedbackStrategyOptions,
): Promise<Strategy[]> {
  const prepared: Prepared = { collection, config: options.config, captionIndex: options.captionIndex ?? 0 };
  if (names.some((n) => needsCaptions.includes(n))) prepared.captionVectors = await encodeCaptions(collection, options.onProgress);
  if (names.some((n) => needsCrops.includes(n))) {
    if (!collection.dataset.images.some((image) => image.objects?.length)) {
      throw new Error(`${names.filter((n) => needsCrops.includes(n)).join(', ')} need object boxes (a --world collection)`);
    }
    prepared.regions = await encodeObjectCrops(collection, options.onProgress);
  }
  if (names.includes('judged-centered')) {
    prepared.imageMean = mean(collection.dataset.images.map((image) => imageVector(collection, image.index)));
  }
  return names.map((name) => makeStrategy(name, prepared));
}

function makeStrategy(name: FeedbackStrategyName, p: Prepared): Strategy {
  switch (name) {
    case 'prf':
      return { name, refine: async (turn) => prf(turn, p) };
    case 'grf':
      return { name, refine: async (turn) => grf(turn, p) };
    case 'explicit':
      return { name, refine: async (turn) => explicit(turn, p) };
    case 'judged':
      return { name, refine: async (turn) => judged(turn, p, 'raw') };
    case 'judged-centered':
      return { name, refine: async (turn) => judged(turn, p, 'centered') };
    case 'judged-per-modality':
      return { name, refine: async (turn) => judged(turn, p, 'per-modality') };
    case 'regions-visualref':
      return { name, refine: async (turn) => regionsVisualRef(turn, p) };
    case 'regions-match':
      return { name, refine: async (turn) => regionsMatch(turn, p) };
  }
}

function withVector(state: QueryState, vector: Float32Array, collection: EvalCollection, memory?: unknown): QueryState {
  return { ...state, vector, scores: cosineScores(vector, collection), memory };
}

function imageVector(collection: EvalCollection, index: number): Float32Array {
  return collection.matrix.slice(index * collection.dim, (index + 1) * collection.dim);
}

function prf(turn: FeedbackTurn, p: Prepared): QueryState {
  const vectors = turn.shown.map((h) => imageVector(turn.collection, h.id));
  const r = extendedRocchio(turn.state.vector, vectors, p.config.rocchio);
  return withVector(turn.state, r.query, turn.collection);
}

/** The stand-in for a shown image's synthetic caption: the caption after the query caption. */
function grfCaption(p: Prepared, image: number): Float32Array {
  const captions = p.captionVectors![image];
  return captions[(p.captionIndex + 1) % captions.length];
}

function grf(turn: FeedbackTurn, p: Prepared): QueryState {
  const vectors = turn.shown.map((h) => grfCaption(p, h.id));
  const r = extendedRocchio(turn.state.vector, vectors, p.config.rocchio);
  return withVector(turn.state, r.query, turn.collection);
}

function explicit(turn: FeedbackTurn, p: Prepared): QueryState {
  const captions = p.captionVectors![turn.target.index];
  // Turn t gives the t-th caption after the query's own (wrapping round, never the query itself).
  const others = captions.filter((_, c) => c !== p.captionIndex);
  if (others.length === 0) return turn.state;
  const e = others[(turn.turn - 1) % others.length];
  const { alpha, beta } = p.config.rocchio;
  return withVector(turn.state, explicitFeedback(turn.state.vector, e, { alpha, beta }), turn.collection);
}

const sameThing = (a: EvalObject, b: EvalObject) => a.colour === b.colour && a.shape === b.shape;

function targetAtTop(turn: FeedbackTurn): boolean {
  return turn.shown[0]?.id === turn.target.index;
}

function judgedRelevant(image: EvalImage, target: EvalImage): boolean {
  if (image.index === target.index) return true;
  return (image.objects ?? []).some((o) => (target.objects ?? []).some((t) => sameThing(o, t)));
}

interface JudgedMemory {
  /** The image-side query of per-modality mode, carried between turns. */
  other?: Float32Array;
  otherWeight?: number;
}

function judged(turn: FeedbackTurn, p: Prepared, mode: ModalityMode): QueryState {
  if (targetAtTop(turn)) return turn.state;
  const images = turn.collection.dataset.images;
  const item = (id: number): FeedbackItem => ({ label: String(id), vector: imageVector(turn.collection, id), modality: 'image' });
  const positive = turn.shown.filter((h) => judgedRelevant(images[h.id], turn.target)).map((h) => item(h.id));
  const negative = turn.shown.filter((h) => !judgedRelevant(images[h.id], turn.target)).map((h) => item(h.id));
  const memory = (turn.state.memory ?? {}) as JudgedMemory;
  const options = composeOptionsFromConfig(p.config, {}, { modalityMode: mode, modalityMeans: mode === 'centered' ? { image: p.imageMean! } : undefined });
  const result = composeFeedback(
    { vector: turn.state.vector, modality: 'text', other: memory.other, otherWeight: memory.otherWeight },
    { judged: { positive, negative } },
    options,
  );
  const next: JudgedMemory = { other: result.state.other, otherWeight: result.state.otherWeight };
  if (result.scoring.length === 1) return withVector(turn.state, result.state.vector, turn.collection, next);
  const perQuery = result.scoring.map((s) => Array.from(cosineScores(s.vector, turn.collection)));
  const fused = fuseModalityScores(
    perQuery,
    result.scoring.map((s) => s.weight),
  );
  return { ...turn.state, vector: result.state.vector, scores: Float32Array.from(fused), memory: next };
}

/** The probe's region user: objects of shown images matching a target object are relevant, the rest not. */
function regionMarks(turn: FeedbackTurn, p: Prepared): RegionMark[] {
  const images = turn.collection.dataset.images;
  const marks: RegionMark[] = [];
  for (const hit of turn.shown) {
    (images[hit.id].objects ?? []).forEach((o, k) => {
      const relevant = (turn.target.objects ?? []).some((t) => sameThing(o, t));
      marks.push({ label: `${o.colour} ${o.shape} in ${hit.id}`, vector: p.regions![hit.id][k].vector, relevant });
    });
  }
  return marks;
}

function regionsVisualRef(turn: FeedbackTurn, p: Prepared): QueryState {
  if (targetAtTop(turn)) return turn.state;
  const marks = regionMarks(turn, p);
  const r = visualRefRocchio(
    turn.state.vector,
    marks.filter((m) => m.relevant).map((m) => m.vector),
    marks.filter((m) => !m.relevant).map((m) => m.vector),
    p.config.visualref,
  );
  return withVector(turn.state, r.query, turn.collection);
}

function regionsMatch(turn: FeedbackTurn, p: Prepared): QueryState {
  if (targetAtTop(turn)) return turn.state;
  // Marks accumulate over turns; the query vector itself is left alone.
  const seen = new Set(((turn.state.memory as RegionMark[] | undefined) ?? []).map((m) => m.label));
  const marks = [...((turn.state.memory as RegionMark[] | undefined) ?? []), ...regionMarks(turn, p).filter((m) => !seen.has(m.label))];
  const global = cosineScores(turn.state.vector, turn.collection);
  const scores = new Float32Array(global.length);
  for (let i = 0; i < global.length; i++) scores[i] = regionScore(global[i], marks, p.regions![i], p.config.regionScore).score;
  return { ...turn.state, scores, memory: marks };
}

async function encodeCaptions(collection: EvalCollection, onProgress?: (message: string) => void): Promise<Float32Array[][]> {
  const images = collection.dataset.images;
  const flat = images.flatMap((image) => image.captions);
  const vectors: Float32Array[] = [];
  for (let start = 0; start < flat.length; start += 256) {
    vectors.push(...(await collection.text.encodeTexts(flat.slice(start, start + 256))));
  }
  onProgress?.(`eval: encoded ${flat.length} captions`);
  let at = 0;
  return images.map((image) => image.captions.map(() => vectors[at++]));
}

async function encodeObjectCrops(collection: EvalCollection, onProgress?: (message: string) => void): Promise<CandidateRegion[][]> {
  const regions: CandidateRegion[][] = [];
  let count = 0;
  for (const image of collection.dataset.images) {
    const objects = image.objects ?? [];
    if (objects.length === 0) {
      regions.push([]);
      continue;
    }
    const rgb = await decodeImage(image.path);
    const boxes: Box[] = objects.map(({ box: [x, y, w, h] }) => {
      const x0 = Math.max(0, x - BOX_MARGIN);
      const y0 = Math.max(0, y - BOX_MARGIN);
      return { x: x0, y: y0, w: Math.min(rgb.width, x + w + BOX_MARGIN) - x0, h: Math.min(rgb.height, y + h + BOX_MARGIN) - y0 };
    });
    const pixels = await Promise.all(boxes.map((box) => prepareForModel(rgb, collection.image.preprocess, box)));
    const encoded = await collection.image.encodePixels(pixels);
    regions.push(boxes.map((box, k) => ({ box, vector: encoded[k].embedding })));
    count += boxes.length;
  }
  onProgress?.(`eval: encoded ${count} object crops`);
  return regions;
}
