// The relevance-feedback strategies measured by `visualref eval --strategy ...`, built on the pure
// functions of engine/feedback. Each simulates the user the paper or the probe (docs/feedback.md)
// describes:
//   none                 no feedback: the first results, repeated at every turn (the baseline line).
//   prf                  extended Rocchio over the top-K shown images (no user).
//   grf                  extended Rocchio over caption embeddings of the top-K shown images (no user);
//                        a ground-truth caption other than the query stands in for the synthetic one,
//                        which makes this an optimistic GRF.
//   explicit             each turn the user types another caption of the target: norm(alpha q + beta e).
//   judged[-centered|-per-modality]
//                        the user marks whole shown images: relevant when it is the target or (world
//                        scenes) holds most of its objects (colour and shape), the others irrelevant;
//                        composed in the raw, centered or per-modality way (engine/feedback/compose.ts).
//   region               region against region with label-free candidate regions (proposer / windows /
//                        tokens, configs/regions.yaml): strategies/region.ts; also region:SOURCE[:MARKS]
//                        and region-vector[:MARKS].
//   region-crop          the probe's region user: every object of a shown image that matches an object
//                        of the target (colour and shape) is boxed relevant, every other irrelevant;
//                        crop embeddings averaged into the query with the VisualReF weights.
//   region-caption       same boxes, but each is captioned by the configured captioner (for the built-in
//                        model the offline world-phrases one) and the captions' text embeddings are
//                        averaged in instead of the crops.
//   region-oracle        the region-crop marks, accumulated over turns, scored region against region
//                        against every image's GROUND-TRUTH object boxes: an upper bound, not a method.
//   combined             explicit + judged + region at once (weights: configs/feedback.yaml combined).
//   afs, afs-boxes       the attentive feedback summarizer over the top-K shown images, without and
//                        with the region user's boxes steering its attention: strategies/afs.ts.
//   combined-afs         afs-boxes moves the query first, then combined as above.
// The judging users stop once the target is at rank 1, as the probe's did.
import type { Box, RgbImage } from '../engine/types.ts';
import {
  composeFeedback,
  composeOptionsFromConfig,
  fuseModalityScores,
  type ComposeOptions,
  type FeedbackInputs,
  type FeedbackItem,
  type Judgement,
} from '../engine/feedback/compose.ts';
import type { FeedbackConfig, ModalityMode } from '../engine/feedback/config.ts';
import { explicitFeedback, extendedRocchio, visualRefRocchio } from '../engine/feedback/rocchio.ts';
import { regionScore, type CandidateRegion, type RegionMark } from '../engine/regions/region-score.ts';
import { mean } from '../engine/feedback/vectors.ts';
import { decodeImage } from '../engine/images/decode.ts';
import { prepareForModel } from '../engine/images/prepare.ts';
import { createCaptioner } from '../engine/captioners/create-captioner.ts';
import { regionStrategy, regionStrategyFromName } from './strategies/region.ts';
import { AfsEvalContext, afsStrategy } from './strategies/afs.ts';
import type { EvalCollection } from './collection.ts';
import type { EvalImage, EvalObject } from './dataset.ts';
import { cosineScores, type FeedbackTurn, type QueryState, type Strategy } from './strategy.ts';

export const feedbackStrategyNames = [
  'none',
  'prf',
  'grf',
  'explicit',
  'judged',
  'judged-centered',
  'judged-per-modality',
  'region',
  'region-crop',
  'region-caption',
  'region-oracle',
  'combined',
  'afs',
  'afs-boxes',
  'combined-afs',
] as const;
export type FeedbackStrategyName = (typeof feedbackStrategyNames)[number];

/** Earlier names, still accepted. */
export const strategyAliases: Readonly<Record<string, FeedbackStrategyName>> = {
  'regions-visualref': 'region-crop',
  'regions-match': 'region-oracle',
};

/** Strategies whose simulated user boxes objects: they need the objects' boxes (a --world collection). */
export const boxStrategyNames: readonly FeedbackStrategyName[] = ['region', 'region-crop', 'region-caption', 'region-oracle', 'combined', 'afs-boxes', 'combined-afs'];

/** The region strategies' variants (strategies/region.ts): region:SOURCE[:MARKS], region-vector[:MARKS]. */
const regionVariant = /^region(-vector)?:|^region-vector$/;

/**
 * The strategies a `--strategy` list names, canonical and without repeats: "all" is every strategy of
 * feedbackStrategyNames; aliases map to their new names; region variants pass through as they are.
 */
export function resolveStrategyNames(list: string): string[] {
  const names = list === 'all' ? [...feedbackStrategyNames] : list.split(',').map((n) => n.trim()).filter(Boolean);
  const resolved = names.map((n) => strategyAliases[n] ?? n);
  const unknown = resolved.filter((n) => !(feedbackStrategyNames as readonly string[]).includes(n) && !regionVariant.test(n));
  if (unknown.length) throw new Error(`unknown strategy ${unknown.join(', ')} (known: ${feedbackStrategyNames.join(', ')}, region:SOURCE[:MARKS], region-vector[:MARKS])`);
  return [...new Set(resolved)];
}

export function needsBoxes(name: string): boolean {
  return (boxStrategyNames as readonly string[]).includes(name) || regionVariant.test(name);
}

/** Which strategies need every caption encoded, the world's object crops, or the object crops' captions. */
const needsCaptions: readonly string[] = ['grf', 'explicit', 'combined', 'combined-afs'];
const needsCrops: readonly string[] = ['region-crop', 'region-oracle'];

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
  /** objectCaptions[i][k] = the captioner's caption of object k of image i, and its text embedding. */
  objectCaptions?: { text: string; vector: Float32Array }[][];
  /** Mean image embedding of the collection ('centered' mode). */
  imageMean?: Float32Array;
  /** The model's attentive feedback summarizer and its token caches (afs, afs-boxes). */
  afs?: AfsEvalContext;
}

export interface FeedbackStrategyOptions {
  config: FeedbackConfig;
  /** The caption used as the query (the runner's captionIndex). */
  captionIndex?: number;
  /** The captioner of region-caption (configs/captioning/captioners.yaml; default: the model's). */
  captioner?: string;
  onProgress?: (message: string) => void;
}

/** Encodes what the chosen strategies need (captions, object crops) once, then builds them. */
export async function buildFeedbackStrategies(names: readonly string[], collection: EvalCollection, options: FeedbackStrategyOptions): Promise<Strategy[]> {
  const boxed = names.filter(needsBoxes);
  if (boxed.length && !collection.dataset.images.some((image) => image.objects?.length)) {
    throw new Error(`${boxed.join(', ')} need object boxes, which ${collection.dataset.name} does not have (use --world, or strategies without boxes: none, prf, grf, explicit, judged)`);
  }
  const prepared: Prepared = { collection, config: options.config, captionIndex: options.captionIndex ?? 0 };
  if (names.some((n) => needsCaptions.includes(n))) prepared.captionVectors = await encodeCaptions(collection, options.onProgress);
  if (names.some((n) => needsCrops.includes(n))) prepared.regions = await encodeObjectCrops(collection, options.onProgress);
  if (names.includes('region-caption')) prepared.objectCaptions = await captionObjects(collection, options.captioner, options.onProgress);
  if (names.some((n) => n === 'afs' || n === 'afs-boxes' || n === 'combined-afs')) prepared.afs = await AfsEvalContext.create(collection);
  if (names.includes('judged-centered')) {
    prepared.imageMean = mean(collection.dataset.images.map((image) => imageVector(collection, image.index)));
  }
  // "none" is no strategy: the runner always reports the first results, at every turn.
  return names.filter((name) => name !== 'none').map((name) => makeStrategy(name, prepared));
}

function makeStrategy(name: string, p: Prepared): Strategy {
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
    case 'region-crop':
      return { name, refine: async (turn) => regionsVisualRef(turn, regionMarks(turn, (id, k) => p.regions![id][k].vector), p) };
    case 'region-caption':
      return { name, refine: async (turn) => regionsVisualRef(turn, regionMarks(turn, (id, k) => p.objectCaptions![id][k].vector), p) };
    case 'region-oracle':
      return { name, refine: async (turn) => regionsMatch(turn, p) };
    case 'combined':
      return combinedStrategy(p);
    case 'afs':
    case 'afs-boxes':
      return afsStrategy(name, p.afs!, p.config.rocchio);
    case 'combined-afs': {
      const afs = afsStrategy('afs-boxes', p.afs!, p.config.rocchio);
      const combined = combinedStrategy(p);
      return { name, refine: async (turn) => combined.refine({ ...turn, state: await afs.refine(turn) }) };
    }
  }
  const region = regionStrategyFromName(name);
  if (!region) throw new Error(`unknown strategy ${name}`);
  return region;
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

/** The caption the explicit user types at this turn: the t-th after the query's own (wrapping round, never the query itself). */
function explicitCaption(turn: FeedbackTurn, p: Prepared): Float32Array | undefined {
  const others = p.captionVectors![turn.target.index].filter((_, c) => c !== p.captionIndex);
  return others.length ? others[(turn.turn - 1) % others.length] : undefined;
}

function explicit(turn: FeedbackTurn, p: Prepared): QueryState {
  const e = explicitCaption(turn, p);
  if (!e) return turn.state;
  const { alpha, beta } = p.config.rocchio;
  return withVector(turn.state, explicitFeedback(turn.state.vector, e, { alpha, beta }), turn.collection);
}

const sameThing = (a: EvalObject, b: EvalObject) => a.colour === b.colour && a.shape === b.shape;

function targetAtTop(turn: FeedbackTurn): boolean {
  return turn.shown[0]?.id === turn.target.index;
}

/** Relevant: the target itself, or (world scenes) an image holding most (more than half) of the target's objects. */
export function judgedRelevant(image: EvalImage, target: EvalImage): boolean {
  if (image.index === target.index) return true;
  const wanted = target.objects ?? [];
  const found = wanted.filter((t) => (image.objects ?? []).some((o) => sameThing(o, t))).length;
  return wanted.length > 0 && found * 2 > wanted.length;
}

/** The shown images as the judging user marks them. */
function judgedImages(turn: FeedbackTurn): Judgement {
  const images = turn.collection.dataset.images;
  const item = (id: number): FeedbackItem => ({ label: String(id), vector: imageVector(turn.collection, id), modality: 'image' });
  return {
    positive: turn.shown.filter((h) => judgedRelevant(images[h.id], turn.target)).map((h) => item(h.id)),
    negative: turn.shown.filter((h) => !judgedRelevant(images[h.id], turn.target)).map((h) => item(h.id)),
  };
}

interface JudgedMemory {
  /** The image-side query of per-modality mode, carried between turns. */
  other?: Float32Array;
  otherWeight?: number;
}

function judged(turn: FeedbackTurn, p: Prepared, mode: ModalityMode): QueryState {
  if (targetAtTop(turn)) return turn.state;
  const memory = (turn.state.memory ?? {}) as JudgedMemory;
  const options = composeOptionsFromConfig(p.config, {}, { modalityMode: mode, modalityMeans: mode === 'centered' ? { image: p.imageMean! } : undefined });
  const result = composeFeedback(
    { vector: turn.state.vector, modality: 'text', other: memory.other, otherWeight: memory.otherWeight },
    { judged: judgedImages(turn) },
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

/**
 * The probe's region user: objects of shown images matching a target object are relevant, the rest
 * not; `vectorOf(image, object)` is what a mark contributes (crop or caption embedding).
 */
function regionMarks(turn: FeedbackTurn, vectorOf: (image: number, object: number) => Float32Array): RegionMark[] {
  const images = turn.collection.dataset.images;
  const marks: RegionMark[] = [];
  for (const hit of turn.shown) {
    (images[hit.id].objects ?? []).forEach((o, k) => {
      const relevant = (turn.target.objects ?? []).some((t) => sameThing(o, t));
      marks.push({ label: `${o.colour} ${o.shape} in ${hit.id}`, vector: vectorOf(hit.id, k), relevant });
    });
  }
  return marks;
}

function regionsVisualRef(turn: FeedbackTurn, marks: RegionMark[], p: Prepared): QueryState {
  if (targetAtTop(turn)) return turn.state;
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
  const marks = [...((turn.state.memory as RegionMark[] | undefined) ?? []), ...regionMarks(turn, (id, k) => p.regions![id][k].vector).filter((m) => !seen.has(m.label))];
  const global = cosineScores(turn.state.vector, turn.collection);
  const scores = new Float32Array(global.length);
  for (let i = 0; i < global.length; i++) scores[i] = regionScore(global[i], marks, p.regions![i], p.config.regionScore).score;
  return { ...turn.state, scores, memory: marks };
}

/**
 * All three users at once, each turn: the explicit user's next caption and the judging user's thumbs
 * move the query (q' = norm(alpha q + explicit e + judged p - judged n), raw mode), then the region
 * user's accumulated marks re-rank around the moved query (label-free regions, strategies/region.ts).
 * Thumbs stop once the target is first, as the judging user's do.
 */
function combinedStrategy(p: Prepared): Strategy {
  const weights = p.config.combined;
  const region = regionStrategy({ name: 'combined', lambda: weights.region.lambda, mu: weights.region.mu });
  const options: ComposeOptions = {
    ...composeOptionsFromConfig(p.config, {}, { modalityMode: 'raw' }),
    alpha: weights.alpha,
    sources: { ...p.config.compose.sources, explicit: { positive: weights.explicit, negative: 0 }, judged: weights.judged },
  };
  return {
    name: 'combined',
    async refine(turn) {
      const e = explicitCaption(turn, p);
      const inputs: FeedbackInputs = {};
      if (e) inputs.explicit = [{ label: 'caption', vector: e, modality: 'text' }];
      if (!targetAtTop(turn)) inputs.judged = judgedImages(turn);
      const vector = composeFeedback({ vector: turn.state.vector, modality: 'text' }, inputs, options).state.vector;
      return region.refine({ ...turn, state: { ...turn.state, vector } });
    },
  };
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

/** The object boxes of an image as a user draws them: the tight box with a small margin, inside the image. */
function drawnBoxes(image: EvalImage, rgb: RgbImage): Box[] {
  return (image.objects ?? []).map(({ box: [x, y, w, h] }) => {
    const x0 = Math.max(0, x - BOX_MARGIN);
    const y0 = Math.max(0, y - BOX_MARGIN);
    return { x: x0, y: y0, w: Math.min(rgb.width, x + w + BOX_MARGIN) - x0, h: Math.min(rgb.height, y + h + BOX_MARGIN) - y0 };
  });
}

/**
 * Every object's box captioned by the configured captioner (what region-caption's user would see for
 * each box) and the captions encoded. Done once for the collection: a box's caption does not depend on
 * the query.
 */
async function captionObjects(collection: EvalCollection, name: string | undefined, onProgress?: (message: string) => void): Promise<{ text: string; vector: Float32Array }[][]> {
  const captioner = createCaptioner(name, {
    model: collection.model,
    embedder: {
      id: collection.model,
      async encodeImage(image) {
        const [encoded] = await collection.image.encodePixels([await prepareForModel(image, collection.image.preprocess)]);
        return encoded.embedding;
      },
      encodeTexts: (texts) => collection.text.encodeTexts(texts),
    },
  });
  const result: { text: string; vector: Float32Array }[][] = [];
  const distinct = new Map<string, Float32Array>();
  let count = 0;
  for (const image of collection.dataset.images) {
    if (!image.objects?.length) {
      result.push([]);
      continue;
    }
    const rgb = await decodeImage(image.path);
    const captions = await captioner.caption(drawnBoxes(image, rgb).map((box) => ({ image: rgb, box })));
    const missing = [...new Set(captions.map((c) => c.text).filter((t) => !distinct.has(t)))];
    if (missing.length) (await collection.text.encodeTexts(missing)).forEach((v, k) => distinct.set(missing[k], v));
    result.push(captions.map((c) => ({ text: c.text, vector: distinct.get(c.text)! })));
    count += captions.length;
    if (image.index % 200 === 199) onProgress?.(`eval: ${captioner.name} captioned the objects of ${image.index + 1} images`);
  }
  onProgress?.(`eval: ${captioner.name} captioned ${count} object boxes (${distinct.size} distinct captions)`);
  return result;
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
    const boxes = drawnBoxes(image, rgb);
    const pixels = await Promise.all(boxes.map((box) => prepareForModel(rgb, collection.image.preprocess, box)));
    const encoded = await collection.image.encodePixels(pixels);
    regions.push(boxes.map((box, k) => ({ box, vector: encoded[k].embedding })));
    count += boxes.length;
  }
  onProgress?.(`eval: encoded ${count} object crops`);
  return regions;
}
