// Region feedback strategies for the evaluation, with the simulated region user:
//   region[:SOURCE][:MARKS]  region-against-region re-ranking: the query vector stays; the exact pool
//                            for it is re-ranked by cos(q, image) + λ·(relevant marks' best regions)
//                            − μ·(irrelevant marks' best regions). SOURCE = windows | proposer | tokens
//                            (default: configs/regions.yaml), MARKS = crop | caption | both.
//   region-vector[:MARKS]    the single-vector VisualReF way, for comparison: each turn
//                            q' = norm(0.6 q + 0.2 mean(relevant marks) − 0.2 mean(irrelevant marks)).
import { visualRefRocchio } from '../../engine/feedback/rocchio.ts';
import { loadFeedbackConfig } from '../../engine/feedback/config.ts';
import { loadRegionsConfig, regionSourceSchema, type RegionsConfig } from '../../engine/regions/config.ts';
import { buildMarks, markEncoderOf, type MarkKind } from '../../engine/regions/marks.ts';
import { rerankByRegions, type RegionMark } from '../../engine/regions/rerank.ts';
import type { RegionEmbed } from '../../engine/regions/region-embedding.ts';
import { cosineScores, topK, type FeedbackTurn, type QueryState, type Strategy } from '../strategy.ts';
import { collectionRegions } from './collection-regions.ts';
import { simulateRegionMarks } from './region-user.ts';

interface RegionMemory {
  marks: RegionMark[];
  marked: Set<string>;
}

function memoryOf(state: QueryState): RegionMemory {
  const m = state.memory as RegionMemory | undefined;
  return m && Array.isArray(m.marks) ? m : { marks: [], marked: new Set() };
}

async function newMarks(turn: FeedbackTurn, memory: RegionMemory, kind: MarkKind, embed: RegionEmbed): Promise<RegionMemory> {
  const inputs = await simulateRegionMarks(turn, memory.marked);
  if (inputs.length === 0) return memory;
  const marks = await buildMarks(inputs, kind, markEncoderOf(turn.collection.image, turn.collection.text), embed);
  return { marks: [...memory.marks, ...marks], marked: new Set([...memory.marked, ...inputs.map((m) => m.label)]) };
}

export interface RegionStrategyOptions {
  config?: RegionsConfig;
  source?: RegionsConfig['source'];
  marks?: MarkKind;
  lambda?: number;
  mu?: number;
  pool?: number;
  name?: string;
}

export function regionStrategy(options: RegionStrategyOptions = {}): Strategy {
  const base = options.config ?? loadRegionsConfig();
  const config: RegionsConfig = { ...base, source: options.source ?? base.source };
  const scoring = loadFeedbackConfig().regionScore;
  const lambda = options.lambda ?? scoring.lambda;
  const mu = options.mu ?? scoring.mu;
  const pool = options.pool ?? config.rerank.pool;
  const kind = options.marks ?? config.rerank.marks;
  return {
    name: options.name ?? 'region',
    async refine(turn) {
      const regions = await collectionRegions(turn.collection, config);
      const memory = await newMarks(turn, memoryOf(turn.state), kind, config.embed);
      const global = cosineScores(turn.state.vector, turn.collection);
      const candidates = topK(global, pool);
      const ranked = rerankByRegions(candidates, memory.marks, { lambda, mu, regionsOf: regions.regionsOf });
      // Images outside the pool stay below every re-ranked candidate, in their global order.
      const floor = ranked.length ? Math.min(...ranked.map((r) => r.score)) : 0;
      const scores = new Float32Array(global.length);
      for (let i = 0; i < global.length; i++) scores[i] = floor - 10 + global[i];
      for (const r of ranked) scores[r.id] = r.score;
      return { text: turn.state.text, vector: turn.state.vector, scores, memory };
    },
  };
}

export function regionVectorStrategy(options: { marks?: MarkKind; name?: string } = {}): Strategy {
  const kind = options.marks ?? loadRegionsConfig().rerank.marks;
  const weights = loadFeedbackConfig().visualref;
  return {
    name: options.name ?? 'region-vector',
    async refine(turn) {
      const before = memoryOf(turn.state);
      // The VisualReF way averages crop embeddings into the query; there are no regions to match.
      const memory = await newMarks(turn, before, kind, 'crops');
      const added = memory.marks.slice(before.marks.length);
      const vector = added.length
        ? visualRefRocchio(
            turn.state.vector,
            added.filter((m) => m.relevant).map((m) => m.vector),
            added.filter((m) => !m.relevant).map((m) => m.vector),
            weights,
          ).query
        : turn.state.vector;
      return { text: turn.state.text, vector, scores: cosineScores(vector, turn.collection), memory };
    },
  };
}

/** Builds a strategy from its `--strategy` name: region, region:SOURCE, region:SOURCE:MARKS, region-vector, region-vector:MARKS. */
export function regionStrategyFromName(name: string, overrides: Pick<RegionStrategyOptions, 'lambda' | 'mu' | 'pool'> = {}): Strategy | undefined {
  const [head, ...rest] = name.split(':');
  const markKinds = ['crop', 'caption', 'both'] as const;
  const asMarks = (s: string | undefined): MarkKind | undefined => {
    if (s === undefined) return undefined;
    if (!(markKinds as readonly string[]).includes(s)) throw new Error(`strategy ${name}: marks must be one of ${markKinds.join(', ')}`);
    return s as MarkKind;
  };
  if (head === 'region') {
    const source = rest[0] === undefined ? undefined : regionSourceSchema.safeParse(rest[0]);
    if (source && !source.success) throw new Error(`strategy ${name}: region source must be one of ${regionSourceSchema.options.join(', ')}`);
    return regionStrategy({ ...overrides, name, source: source?.data, marks: asMarks(rest[1]) });
  }
  if (head === 'region-vector') return regionVectorStrategy({ name, marks: asMarks(rest[0]) });
  return undefined;
}
