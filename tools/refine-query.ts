// The refine-query tool: the feedback of one turn (judged ids, regions, a comment, new text, and the
// regions remembered by caption-region) mixed into the session's query, then a new ranking with
// each result's previous rank and an explanation of what was applied and what moved.
import {
  composeFeedback,
  composeOptionsFromConfig,
  fuseModalityScores,
  type AppliedSource,
  type ComposeOptions,
  type WeightedQuery,
} from '../engine/feedback/compose.ts';
import { explainMovement, summarizeRefinement } from '../engine/feedback/movement.ts';
import { matchesForResult, rerankByRegions } from '../engine/regions/rerank.ts';
import { wholeImageOf } from '../engine/regions/library-regions.ts';
import { dot } from '../engine/feedback/vectors.ts';
import type { SessionOptionsInput } from './sessions/session-records.ts';
import type { Library } from '../engine/library/library.ts';
import type { SearchHit } from '../engine/types.ts';
import type { RegionMatrix } from '../engine/regions/region-store.ts';
import type { ToolContext } from './context.ts';
import { ToolError } from './errors.ts';
import { afsFeedback, type AfsFeedback } from './afs-feedback.ts';
import { gatherFeedback } from './feedback-inputs.ts';
import { encodeMarks, markLabel, sessionRegions } from './region-marks.ts';
import { checkRemovable, removedNote, toActiveRegions } from './active-regions.ts';
import { toResultItems } from './library-access.ts';
import { refineQueryInput, type RefineQueryInput, type RefineQueryOutput, type ResultItem } from './contract/schemas.ts';
import { defaultResultCount } from './search.ts';
import { requireSession, withSession } from './session-access.ts';
import { parseInput } from './validate.ts';
import { pictureQuery, withPicture } from './picture-query.ts';
import { turnWords } from './generation-prompt.ts';
import { encodePictureMarks, pictureMarkLabel, resolvePictureRegions, sessionPictureRegions } from './picture-marks.ts';
import type { z } from 'zod';

/** Candidates fetched per query before fusing the scores of several queries. */
const fusionPool = 5;

/** Ranks with one query, or fuses the standardised scores of several over the union of their neighbours. */
function rank(library: Library, scoring: WeightedQuery[], k: number, exclude: Set<number> | undefined): SearchHit[] {
  if (scoring.length === 1) return library.search(scoring[0].vector, k, { exclude });
  const pool = new Set<number>();
  for (const q of scoring) for (const hit of library.search(q.vector, Math.max(k * fusionPool, 50), { exclude })) pool.add(hit.id);
  const ids = [...pool].filter((id) => library.vector(id) !== undefined);
  const vectors = ids.map((id) => library.vector(id)!);
  const fused = fuseModalityScores(
    scoring.map((q) => vectors.map((v) => dot(q.vector, v))),
    scoring.map((q) => q.weight),
  );
  return ids
    .map((id, i) => ({ id, score: fused[i] }))
    .sort((a, b) => b.score - a.score || a.id - b.id)
    .slice(0, k);
}

/** Options given with this call are kept for the session's later turns. */
function optionsPatch(input: RefineQueryInput): SessionOptionsInput | undefined {
  const patch: SessionOptionsInput = {};
  if (input.fuseInitial !== undefined) patch.fuseInitial = input.fuseInitial;
  if (input.excludeSeen !== undefined) patch.excludeSeen = input.excludeSeen;
  if (input.weights !== undefined) patch.weights = input.weights;
  if (input.strategy !== undefined) patch.judgedStrategy = input.strategy;
  if (input.k !== undefined) patch.k = input.k;
  return Object.keys(patch).length ? patch : undefined;
}

function weightsUsed(options: ComposeOptions): Record<string, number> {
  const used: Record<string, number> = { alpha: options.alpha, temperature: options.tau };
  for (const [source, w] of Object.entries(options.sources)) {
    used[`${source}.positive`] = w.positive;
    used[`${source}.negative`] = w.negative;
  }
  return used;
}

/** λ and μ of configs/feedback.yaml; the `regions` weight is λ, and μ keeps its ratio to λ. */
function regionScoreOptions(config: { lambda: number; mu: number }, lambda: number | undefined): { lambda: number; mu: number } {
  if (lambda === undefined) return config;
  return { lambda, mu: config.lambda > 0 ? (lambda * config.mu) / config.lambda : config.mu };
}

export async function refineQuery(ctx: ToolContext, rawInput: z.input<typeof refineQueryInput>): Promise<RefineQueryOutput> {
  const input = parseInput(refineQueryInput, rawInput);
  const { library, sessions, config } = ctx;
  const id = input.sessionId;
  const patch = optionsPatch(input);
  const session = patch ? withSession(() => sessions.updateOptions(id, patch)) : requireSession(sessions, id);
  const previous = withSession(() => sessions.lastTurn(id));
  const previousIds = previous?.results.map((r) => r.id) ?? [];
  const pending = withSession(() => sessions.pendingRegions(id));
  const turns = withSession(() => sessions.turns(id));
  const removed = input.removeRegions ?? [];
  const limit = config.tools.refine.maxRegionMarks;
  checkRemovable([...sessionRegions(turns, [], limit), ...sessionPictureRegions(turns, [], limit)], removed);

  const { weights, judgedStrategy, modalityMode } = session.options;
  const { plan, inputs } = await gatherFeedback(library, input, pending, previous?.results ?? [], {
    prf: (weights.prf ?? 0) > 0,
    grf: (weights.grf ?? 0) > 0,
  });
  let afs: AfsFeedback | undefined;
  if ((weights.afs ?? 0) > 0) {
    afs = await afsFeedback(library, session.query.text, plan.relevantIds, previous?.results ?? [], plan.regions);
    inputs.afs = afs.input;
  }
  if (!inputs.judged && !inputs.afs && plan.regions.length === 0 && !inputs.comment && !inputs.explicit && !inputs.prf && !inputs.grf && !input.visualize && !input.pictureRegions?.length && !removed.length) {
    const read = plan.comment ? ` (the comment was read as ${JSON.stringify({ positive: plan.comment.positive, negative: plan.comment.negative })})` : '';
    throw new ToolError('bad-input', `nothing to refine with: give relevant or irrelevant ids, regions, a comment or text${read}`);
  }

  const options = composeOptionsFromConfig(config.feedback, weights, {
    judgedStrategy,
    modalityMode,
    fuseInitial: session.options.fuseInitial ? session.originalVector : undefined,
  });
  const composed = composeFeedback(session.current, inputs, options);

  const k = session.options.k ?? defaultResultCount;
  const exclude = session.options.excludeSeen ? withSession(() => sessions.seenIds(id)) : undefined;
  // Every region boxed in this session so far and not removed is a mark; the candidates are re-scored against them.
  const regions = sessionRegions(turns, plan.regions, limit, removed).filter(
    // An image boxed in an earlier turn may have left the library since.
    (r) => library.getImage(r.imageId)?.status === 'indexed',
  );
  const pictureRegions = await resolvePictureRegions(library, id, input.pictureRegions ?? []);
  const pictureMarks = sessionPictureRegions(turns, pictureRegions, limit, removed);
  const marking = Promise.all([
    encodeMarks(library, regions, config.regions.rerank.marks, config.regions.embed, ctx.markTokenCache),
    encodePictureMarks(library, id, pictureMarks),
  ]).then((both) => both.flat());
  // While the marked images are read, decoded and encoded off the main thread, the candidates are found
  // and their regions read.
  const candidates = async () => {
    // This turn's words are not recorded yet: they are given to the prompt as they come.
    const visual = input.visualize ? await pictureQuery(ctx, id, turnWords(input).join(', ')) : undefined;
    const scoring = visual?.vector ? withPicture(composed.scoring, visual.vector, config.feedback.generated.weight) : composed.scoring;
    const hits = rank(library, scoring, regions.length || pictureMarks.length ? Math.max(k, config.regions.rerank.pool) : k, exclude);
    const stored = regions.length || pictureMarks.length ? await readRegionsAlongside(ctx, hits.map((hit) => hit.id)) : new Map<number, RegionMatrix>();
    return { visual, hits, stored };
  };
  const [marks, found] = await Promise.all([marking, candidates()]);
  const { visual, stored } = found;
  let hits = found.hits;
  const applied: AppliedSource[] = [...composed.applied];
  if (visual?.vector) {
    applied.push({ source: 'generated', weight: config.feedback.generated.weight, negativeWeight: 0, positive: [`picture ${visual.output.picture!.id}`], negative: [] });
  }
  let matches: Map<number, NonNullable<ResultItem['matches']>> | undefined;
  const pool = marks.length ? hits.map((hit) => hit.id) : [];
  if (!marks.length) hits = hits.slice(0, k);
  else {
    const score = regionScoreOptions(config.feedback.regionScore, weights.regions);
    const ranked = rerankByRegions(hits, marks, { ...score, regionsOf: (id) => stored.get(id), fallbackOf: wholeImageOf(library) }).slice(0, k);
    hits = ranked.map(({ id, score }) => ({ id, score }));
    matches = new Map(ranked.map((item) => [item.id, matchesForResult(item)]));
    applied.push({
      source: 'regions',
      weight: score.lambda,
      negativeWeight: score.mu,
      positive: [...new Set([...regions.filter((r) => r.relevant).map(markLabel), ...pictureMarks.filter((r) => r.relevant).map(pictureMarkLabel)])],
      negative: [...new Set([...regions.filter((r) => !r.relevant).map(markLabel), ...pictureMarks.filter((r) => !r.relevant).map(pictureMarkLabel)])],
    });
  }

  const movement = explainMovement(
    previousIds,
    hits.map((h) => h.id),
  );
  const explanation = {
    applied: applied.map(({ source, weight, positive, negative }) => ({ source, weight, positive, negative })),
    movedUp: movement.movedUp,
    movedDown: movement.movedDown,
    newResults: movement.newResults,
    summary: [
      summarizeRefinement(applied, movement) + damagedRegionsNote(ctx.damagedRegions, pool),
      ...plan.notApplied.map((n) => `Not applied: ${n}.`),
      ...(removed.length ? [removedNote(removed.length)] : []),
    ].join(' '),
  };
  const activeRegions = toActiveRegions(regions, pictureMarks);
  const turn = withSession(() =>
    sessions.recordTurn(id, {
      feedback: {
        relevant: plan.relevantIds,
        irrelevant: plan.irrelevantIds,
        regions: plan.regions,
        pictureRegions,
        removedRegions: removed,
        comment: input.comment,
        parsedComment: plan.comment ?? undefined,
        text: input.text,
        strategy: judgedStrategy,
      },
      weights: weightsUsed(options),
      explanation: { ...explanation, activeRegions, ...(visual && { visualization: visual.output }) },
      results: hits.map((hit, i) => ({ id: hit.id, score: hit.score, rank: i + 1, ...(matches ? { matches: matches.get(hit.id) ?? [] } : {}) })),
      state: composed.state,
    }),
  );
  const previousRanks = new Map(previous?.results.map((r) => [r.id, r.rank]) ?? []);
  const results = toResultItems(library, hits, previousRanks);
  if (matches) for (const item of results) item.matches = matches.get(item.id) ?? [];
  return { sessionId: id, turn: turn.turn, results, explanation, activeRegions, ...(afs ? { saliency: afs.saliency } : {}), ...(visual && { visualization: visual.output }) };
}

/**
 * The stored regions of the candidates, read in slices with a turn of the event loop before each, so
 * that the marked images' file reads and decodes, which need the main thread between their steps,
 * proceed meanwhile.
 */
async function readRegionsAlongside(ctx: ToolContext, ids: readonly number[]): Promise<Map<number, RegionMatrix>> {
  const stored = new Map<number, RegionMatrix>();
  for (let start = 0; start < ids.length; start += REGION_READ_SLICE) {
    await new Promise((resolve) => setImmediate(resolve));
    for (const [id, regions] of ctx.regionsOfMany(ids.slice(start, start + REGION_READ_SLICE))) stored.set(id, regions);
  }
  return stored;
}

const REGION_READ_SLICE = 50;

/** Says which re-ranked candidates fell back to whole-image scoring because their region record is damaged. */
function damagedRegionsNote(damaged: ReadonlySet<number>, pool: readonly number[]): string {
  const hit = pool.filter((id) => damaged.has(id));
  if (!hit.length) return '';
  return ` The region index of image${hit.length > 1 ? 's' : ''} ${hit.join(', ')} is damaged: scored as whole images (the next \`visualref index\` extracts the regions again).`;
}
