// Mixes every kind of feedback of one refine-query turn into the next query:
//
//   q' = norm( alpha * q + sum_s ( w+_s * p_s  -  w-_s * n_s ) )
//
// where each source s that enters the query (engine/feedback/sources.ts: judged images, comment
// phrases, explicit text, PRF, GRF; boxed regions re-rank instead, engine/regions/rerank.ts) gives a
// positive vector p_s and/or a negative vector n_s (a missing one weighs 0), then optionally
// q' = norm((q' + q0) / 2) with the original query q0 ("fuse initial query", as VisualReF).
//
// How the sources build their vectors:
//   judged   strategy "rocchio" (and "auto"): p = mean of relevant images, n = mean of irrelevant;
//            "extended-rocchio": p = norm(sum softmax_i(cos(q, v_i) / tau) v_i) over the relevant,
//            n likewise over the irrelevant, so the irrelevant images nearest the query weigh most.
//   comment: p = mean of the positive phrase vectors, n = mean of the negative ones (VisualReF).
//   explicit: p = mean of the new text embeddings; no negative.
//   prf, grf: extended Rocchio (eq. 1) over the top-K image / caption embeddings, in rank order.
//   afs:     p = the attentive feedback summarizer's summary, n = its eq. 8 negative (engine/feedback/afs).
//
// The modality gap: text and image embeddings of a CLIP space sit in two separate cones, so a raw sum
// of a text vector into an image-derived query (or the reverse) partly just drags the query towards
// the other cone. Three modes:
//   raw           everything is summed as it comes.
//   centered      each feedback vector has its modality's mean (over the library, given by the
//                 caller) subtracted before mixing, so only its direction within its cone counts;
//                 the query itself is left as it is.
//   per-modality  text-side and image-side feedback build two separate queries (the query's own
//                 modality keeps the query; the other side starts from the previous turn's other-side
//                 query); candidates are scored with both and the scores fused (fuseModalityScores).
import type { FeedbackConfig, JudgedStrategy, ModalityMode, SourceWeights } from './config.ts';
import { composesOf, querySources, type FeedbackSource, type QuerySource, type SourcesComposing, type WeightOverrides } from './sources.ts';
import { extendedRocchioWeights, softmaxFeedbackVectors, type FeedbackVectors } from './rocchio.ts';
import { mean, normalize, softmax, cosine, subtract, weightedSum, l2norm } from './vectors.ts';

export type Modality = 'text' | 'image';

/** One vector of feedback, with what the explanation calls it (an image id, a caption, a phrase). */
export interface FeedbackItem {
  label: string;
  vector: Float32Array;
  modality: Modality;
}

export interface Judgement {
  positive: FeedbackItem[];
  negative: FeedbackItem[];
}

/**
 * The feedback of one turn, by source (engine/feedback/sources.ts); every source is optional and may be
 * given alone. judged: the image embeddings of results marked relevant / irrelevant; comment: text
 * embeddings of a comment's positive / negative phrases; explicit: text embeddings of new descriptions;
 * prf: image embeddings of the top results, grf: text embeddings of their stored captions, in rank order;
 * afs: the attentive feedback summarizer's positive and eq. 8 negative vectors (image space).
 */
export type FeedbackInputs = { [S in SourcesComposing<'judgement'>]?: Judgement } & { [S in SourcesComposing<'items' | 'ranked'>]?: FeedbackItem[] } & {
  [S in SourcesComposing<'summary'>]?: Summary;
};

/** A source that summarises its evidence itself (afs: engine/feedback/afs): its vectors and what it summarised. */
export interface Summary {
  p: Float32Array;
  n: Float32Array | null;
  positive: string[];
  negative: string[];
}

/** The query carried from turn to turn. */
export interface QueryState {
  /** The query of its own modality ('text' for a typed query, 'image' for query by example). */
  vector: Float32Array;
  modality: Modality;
  /** 'per-modality' mode only: the query of the other modality, built from that modality's feedback. */
  other?: Float32Array;
  /** Weight of `other` relative to `vector` when their scores are fused (carried from turn to turn). */
  otherWeight?: number;
}

export interface ComposeOptions {
  alpha: number;
  sources: Record<QuerySource, SourceWeights>;
  judgedStrategy: JudgedStrategy;
  /** eq. 1 temperature and top-K for PRF, GRF and extended-Rocchio judging. */
  tau: number;
  k: number;
  modalityMode: ModalityMode;
  /** 'centered' mode: the mean embedding of each modality (e.g. over the library's images and captions). */
  modalityMeans?: Partial<Record<Modality, Float32Array>>;
  /** When given, the refined query is averaged with this original query embedding every turn. */
  fuseInitial?: Float32Array;
}

/** What one source did, in the shape of refine-query's `explanation.applied` (plus its negative weight). */
export interface AppliedSource {
  source: FeedbackSource | 'fuse' | 'generated';
  /** Weight of the positive vector (of the negative one when the source had only negatives). */
  weight: number;
  negativeWeight: number;
  positive: string[];
  negative: string[];
}

export interface WeightedQuery {
  modality: Modality;
  vector: Float32Array;
  weight: number;
}

export interface ComposeResult {
  state: QueryState;
  /** The queries to score candidates with and their fusion weights: one entry unless 'per-modality'. */
  scoring: WeightedQuery[];
  applied: AppliedSource[];
}

/** Options from configs/feedback.yaml, with a call's overrides: a source override sets both its weights. */
export function composeOptionsFromConfig(
  config: FeedbackConfig,
  overrides: WeightOverrides = {},
  extra: Partial<Pick<ComposeOptions, 'judgedStrategy' | 'modalityMode' | 'modalityMeans' | 'fuseInitial'>> = {},
): ComposeOptions {
  const sources = { ...config.compose.sources };
  for (const name of querySources) {
    const w = overrides[name];
    if (w !== undefined) sources[name] = { positive: w, negative: name === 'explicit' ? 0 : w };
  }
  return {
    alpha: overrides.alpha ?? config.compose.alpha,
    sources,
    judgedStrategy: extra.judgedStrategy ?? config.compose.judgedStrategy,
    tau: overrides.temperature ?? config.rocchio.tau,
    k: config.rocchio.k,
    modalityMode: extra.modalityMode ?? config.compose.modalityMode,
    modalityMeans: extra.modalityMeans,
    fuseInitial: extra.fuseInitial,
  };
}

/** A source's evidence on one side (one modality, or everything in 'raw' / 'centered' mode). */
interface Contribution {
  side: Modality;
  vectors: FeedbackVectors;
}

interface SourceOutcome {
  contributions: Contribution[];
  positive: string[];
  negative: string[];
}

export function composeFeedback(current: QueryState, inputs: FeedbackInputs, options: ComposeOptions): ComposeResult {
  const q = normalize(current.vector);
  const applied: AppliedSource[] = [];
  // Per side: the vectors and weights to sum. The query's own side starts from the query.
  const sums = new Map<Modality, { parts: Float32Array[]; weights: number[]; scoreWeight: number }>();
  const side = (m: Modality) => {
    let s = sums.get(m);
    if (!s) sums.set(m, (s = { parts: [], weights: [], scoreWeight: 0 }));
    return s;
  };
  // scoreWeight: how much evidence each side carries, for fusing the sides' scores. The query's own
  // side counts 1 and the carried other side its previous relative weight, both decayed by alpha
  // like the vectors, so a side that gets no new feedback keeps its share instead of growing.
  side(current.modality).parts.push(q);
  side(current.modality).weights.push(options.alpha);
  side(current.modality).scoreWeight += options.alpha;
  const otherModality: Modality = current.modality === 'text' ? 'image' : 'text';
  if (options.modalityMode === 'per-modality' && current.other) {
    const o = side(otherModality);
    o.parts.push(normalize(current.other));
    o.weights.push(options.alpha);
    o.scoreWeight += options.alpha * (current.otherWeight ?? 1);
  }

  for (const source of querySources) {
    const w = options.sources[source];
    const outcome = sourceOutcome(source, q, inputs, options);
    if (!outcome) continue;
    let usedPositive = false;
    let usedNegative = false;
    for (const c of outcome.contributions) {
      const target = side(options.modalityMode === 'per-modality' ? c.side : current.modality);
      if (c.vectors.p && w.positive > 0) {
        target.parts.push(c.vectors.p);
        target.weights.push(w.positive);
        target.scoreWeight += w.positive;
        usedPositive = true;
      }
      if (c.vectors.n && w.negative > 0) {
        target.parts.push(c.vectors.n);
        target.weights.push(-w.negative);
        target.scoreWeight += w.negative;
        usedNegative = true;
      }
    }
    if (!usedPositive && !usedNegative) continue;
    applied.push({
      source,
      weight: usedPositive ? w.positive : w.negative,
      negativeWeight: usedNegative ? w.negative : 0,
      positive: usedPositive ? outcome.positive : [],
      negative: usedNegative ? outcome.negative : [],
    });
  }

  const own = sums.get(current.modality)!;
  let vector = normalize(weightedSum(own.parts, own.weights));
  if (options.fuseInitial) {
    vector = normalize(weightedSum([vector, normalize(options.fuseInitial)], [0.5, 0.5]));
    applied.push({ source: 'fuse', weight: 0.5, negativeWeight: 0, positive: ['initial query'], negative: [] });
  }
  const state: QueryState = { vector, modality: current.modality };
  const scoring: WeightedQuery[] = [{ modality: current.modality, vector, weight: 1 }];
  const other = sums.get(otherModality);
  if (options.modalityMode === 'per-modality' && other) {
    const sum = weightedSum(other.parts, other.weights);
    if (l2norm(sum) > 1e-9) {
      state.other = normalize(sum);
      state.otherWeight = other.scoreWeight / own.scoreWeight;
      const total = own.scoreWeight + other.scoreWeight;
      scoring[0].weight = own.scoreWeight / total;
      scoring.push({ modality: otherModality, vector: state.other, weight: other.scoreWeight / total });
    }
  }
  return { state, scoring, applied };
}

function sourceOutcome(source: QuerySource, q: Float32Array, inputs: FeedbackInputs, options: ComposeOptions): SourceOutcome | null {
  switch (composesOf[source]) {
    case 'judgement': {
      const j = inputs[source as SourcesComposing<'judgement'>];
      if (!j || (j.positive.length === 0 && j.negative.length === 0)) return null;
      const aggregate =
        source === 'judged' && options.judgedStrategy === 'extended-rocchio'
          ? (items: FeedbackItem[]) => softmaxMean(q, items, options)
          : (items: FeedbackItem[]) => mean(items.map((i) => prepare(i, options)));
      return judgementOutcome(j, aggregate, options);
    }
    case 'items': {
      const items = inputs[source as SourcesComposing<'items'>];
      if (!items || items.length === 0) return null;
      return judgementOutcome({ positive: items, negative: [] }, (g) => mean(g.map((i) => prepare(i, options))), options);
    }
    case 'ranked': {
      const ranked = inputs[source as SourcesComposing<'ranked'>];
      if (!ranked || ranked.length === 0) return null;
      return rankedOutcome(q, ranked, options);
    }
    case 'summary': {
      const summary = inputs[source as SourcesComposing<'summary'>];
      if (!summary) return null;
      return { contributions: [{ side: 'image', vectors: { p: summary.p, n: summary.n } }], positive: summary.positive, negative: summary.negative };
    }
  }
}

/**
 * The groups a source's items are aggregated in: all together in 'raw' mode, one per modality
 * otherwise (so 'centered' weighs text and image evidence as equals and 'per-modality' can route them).
 */
function byModality(items: FeedbackItem[], options: ComposeOptions): { side: Modality; items: FeedbackItem[] }[] {
  if (items.length === 0) return [];
  if (options.modalityMode === 'raw') return [{ side: items[0].modality, items }];
  return (['text', 'image'] as const)
    .map((side) => ({ side, items: items.filter((i) => i.modality === side) }))
    .filter((g) => g.items.length > 0);
}

/** Positive and negative vectors of a judgement, aggregated per group and routed or merged by mode. */
function judgementOutcome(j: Judgement, aggregate: (items: FeedbackItem[]) => Float32Array, options: ComposeOptions): SourceOutcome {
  const pos = byModality(j.positive, options).map((g) => ({ side: g.side, vector: aggregate(g.items) }));
  const neg = byModality(j.negative, options).map((g) => ({ side: g.side, vector: aggregate(g.items) }));
  let contributions: Contribution[];
  if (options.modalityMode === 'per-modality') {
    contributions = (['text', 'image'] as const)
      .map((side) => ({
        side,
        vectors: { p: pos.find((x) => x.side === side)?.vector ?? null, n: neg.find((x) => x.side === side)?.vector ?? null },
      }))
      .filter((c) => c.vectors.p || c.vectors.n);
  } else {
    contributions = [
      {
        side: 'text',
        vectors: { p: pos.length ? mean(pos.map((x) => x.vector)) : null, n: neg.length ? mean(neg.map((x) => x.vector)) : null },
      },
    ];
  }
  return { contributions, positive: labels(j.positive), negative: labels(j.negative) };
}

/**
 * Extended Rocchio over a ranked list (PRF, GRF): eq. 1 weights from the cosines of the top-K with
 * the query, then p and n over the prepared (normalised, or centred) vectors. Items weighing at least
 * the average are explained as pulling, the others as the hard negatives pushing.
 */
function rankedOutcome(q: Float32Array, ranked: FeedbackItem[], options: ComposeOptions): SourceOutcome {
  const top = ranked.slice(0, options.k);
  const weights = extendedRocchioWeights(
    q,
    top.map((i) => i.vector),
    options,
  );
  const weightOf = new Map(top.map((item, i) => [item, weights[i]]));
  const groups = byModality(top, options).map((g) => {
    const w = g.items.map((i) => weightOf.get(i)!);
    const total = w.reduce((s, x) => s + x, 0);
    return {
      side: g.side,
      vectors: softmaxFeedbackVectors(
        g.items.map((i) => prepare(i, options)),
        w.map((x) => x / total),
      ),
    };
  });
  const contributions: Contribution[] = options.modalityMode === 'centered' && groups.length > 1 ? [mergeSides(groups)] : groups;
  const cut = 1 / top.length;
  return {
    contributions,
    positive: top.filter((_, i) => weights[i] >= cut).map((i) => i.label),
    negative: top.filter((_, i) => weights[i] < cut).map((i) => i.label),
  };
}

/** Extended-Rocchio judging: weights softmax(cos(q, v) / tau) over the items, so those nearest the query weigh most. */
function softmaxMean(q: Float32Array, items: FeedbackItem[], options: ComposeOptions): Float32Array {
  const w = softmax(
    items.map((i) => cosine(q, i.vector)),
    options.tau,
  );
  return normalize(
    weightedSum(
      items.map((i) => prepare(i, options)),
      w,
    ),
  );
}

function mergeSides(contributions: Contribution[]): Contribution {
  const ps = contributions.map((c) => c.vectors.p).filter((v): v is Float32Array => v !== null);
  const ns = contributions.map((c) => c.vectors.n).filter((v): v is Float32Array => v !== null);
  return {
    side: contributions[0].side,
    vectors: { p: ps.length ? normalize(mean(ps)) : null, n: ns.length ? normalize(mean(ns)) : null },
  };
}

/** L2-normalised; in 'centered' mode also minus its modality's mean, then normalised again. */
function prepare(item: FeedbackItem, options: ComposeOptions): Float32Array {
  const v = normalize(item.vector);
  if (options.modalityMode !== 'centered') return v;
  const mu = options.modalityMeans?.[item.modality];
  if (!mu) throw new Error(`centered feedback needs the mean ${item.modality} embedding (modalityMeans.${item.modality})`);
  return normalize(subtract(v, mu));
}

function labels(items: FeedbackItem[]): string[] {
  return [...new Set(items.map((i) => i.label))];
}

/**
 * Fuses the scores of several queries over the same candidates ('per-modality' mode): each list is
 * standardised (z-score over the candidates) so that image-image and text-image cosines, whose
 * ranges differ, count alike; then the weighted sum. With one query its scores are returned as is.
 */
export function fuseModalityScores(scoresPerQuery: readonly (readonly number[])[], weights: readonly number[]): number[] {
  if (scoresPerQuery.length !== weights.length) throw new Error(`${scoresPerQuery.length} score lists but ${weights.length} weights`);
  if (scoresPerQuery.length === 0) return [];
  if (scoresPerQuery.length === 1) return [...scoresPerQuery[0]];
  const n = scoresPerQuery[0].length;
  const fused = new Array<number>(n).fill(0);
  const total = weights.reduce((s, w) => s + w, 0);
  scoresPerQuery.forEach((scores, q) => {
    if (scores.length !== n) throw new Error('every score list must cover the same candidates');
    const m = scores.reduce((s, x) => s + x, 0) / n;
    const sd = Math.sqrt(scores.reduce((s, x) => s + (x - m) ** 2, 0) / n);
    for (let i = 0; i < n; i++) fused[i] += (weights[q] / total) * (sd > 0 ? (scores[i] - m) / sd : 0);
  });
  return fused;
}
