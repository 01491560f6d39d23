// The strategies of mental-image retrieval (`visualref eval --world --mir`): each turn the simulated
// user (mir-user.ts) adds one detail to its description and the system searches with it.
//   text        the description alone.
//   prediction  the description alone; the user's detail answers the best result of the turn.
//   generative  the description, plus the picture the world painter draws from it
//               (engine/generation/world-painter.ts) searched as an image query, the two fused by
//               z-normalised score (weight: configs/feedback.yaml generated.weight); the user's detail
//               answers that picture.
import { fuseModalityScores } from '../engine/feedback/compose.ts';
import { prepareForModel } from '../engine/images/prepare.ts';
import { paintDescription } from '../engine/generation/world-painter.ts';
import type { EvalCollection } from './collection.ts';
import type { EvalImage } from './dataset.ts';
import { addDetail, correctionAfterSeeing, describeFacts, initialFacts, randomDetail, seenFromImage, seenFromPainting, type Detail, type MirFacts, type SeenScene } from './mir-user.ts';
import { cosineScores, type FeedbackTurn, type QueryState, type Strategy } from './strategy.ts';

export const mirStrategyNames = ['text', 'prediction', 'generative'] as const;
export type MirStrategyName = (typeof mirStrategyNames)[number];

/** The description a target's search starts from (the runner's first query). */
export function initialDescription(target: EvalImage): string {
  return describeFacts(target, initialFacts(target));
}

interface MirMemory {
  facts: MirFacts;
}

export interface MirOptions {
  /** Weight of the picture's scores against the description's (configs/feedback.yaml generated.weight). */
  pictureWeight: number;
}

/** A description's picture as the user sees it and as the image encoder embeds it (null: nothing to paint). */
interface Picture {
  seen: SeenScene;
  vector: Float32Array | null;
}

/** Pictures per description: descriptions repeat across targets and turns, and painting is deterministic. */
type PictureCache = Map<string, Picture>;

async function picture(description: string, collection: EvalCollection, cache: PictureCache): Promise<Picture> {
  const cached = cache.get(description);
  if (cached) return cached;
  const painting = paintDescription(description);
  let vector: Float32Array | null = null;
  if (painting.image) {
    const [encoded] = await collection.image.encodePixels([await prepareForModel(painting.image, collection.image.preprocess)]);
    vector = encoded.embedding;
  }
  const result = { seen: seenFromPainting(painting.scene, painting.parsed.background !== undefined), vector };
  cache.set(description, result);
  return result;
}

export function buildMirStrategies(names: readonly string[], options: MirOptions): Strategy[] {
  const unknown = names.filter((n) => !(mirStrategyNames as readonly string[]).includes(n));
  if (unknown.length) throw new Error(`unknown mental-image retrieval strategy ${unknown.join(', ')} (known: ${mirStrategyNames.join(', ')})`);
  const cache: PictureCache = new Map();
  return names.map((name) => ({
    name,
    async refine(turn: FeedbackTurn): Promise<QueryState> {
      const memory = (turn.state.memory as MirMemory | undefined) ?? { facts: initialFacts(turn.target) };
      if (turn.shown[0]?.id === turn.target.index) return { ...turn.state, memory };
      const detail = await nextDetail(name as MirStrategyName, turn, memory.facts, cache);
      if (!detail) return { ...turn.state, memory };
      const facts = addDetail(memory.facts, detail);
      const text = describeFacts(turn.target, facts);
      const [vector] = await turn.collection.text.encodeTexts([text]);
      const textScores = cosineScores(vector, turn.collection);
      if (name !== 'generative') return { text, vector, scores: textScores, memory: { facts } };
      const painted = await picture(text, turn.collection, cache);
      if (!painted.vector) return { text, vector, scores: textScores, memory: { facts } };
      const fused = fuseModalityScores([Array.from(textScores), Array.from(cosineScores(painted.vector, turn.collection))], [1 - options.pictureWeight, options.pictureWeight]);
      return { text, vector, scores: Float32Array.from(fused), memory: { facts } };
    },
  }));
}

async function nextDetail(name: MirStrategyName, turn: FeedbackTurn, facts: MirFacts, cache: PictureCache): Promise<Detail | undefined> {
  switch (name) {
    case 'text':
      return randomDetail(turn.target, facts, turn.turn);
    case 'prediction': {
      const best = turn.collection.dataset.images[turn.shown[0].id];
      return correctionAfterSeeing(turn.target, facts, seenFromImage(best), turn.turn);
    }
    case 'generative': {
      const { seen } = await picture(turn.state.text, turn.collection, cache);
      return correctionAfterSeeing(turn.target, facts, seen, turn.turn);
    }
  }
}
