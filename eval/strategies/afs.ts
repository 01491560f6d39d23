// The attentive feedback summarizer in evaluation (feedback-spec section 5):
//   afs        automatic, like PRF: the top-K shown images are the relevance sequence, the query is the
//              typed caption; q' = norm(alpha q + beta p - gamma n) with p the AFS's summary and n the
//              negative vector of eq. 8 (weights: configs/feedback.yaml rocchio, 0.8 / 0.1 / 0.1).
//   afs-boxes  the same, with the simulated region user's boxes (strategies/region-user.ts: objects of
//              the shown images matching a target object relevant, the others irrelevant) steering the
//              cross-attention (± on the logits of the covered patches); like the other users it stops
//              once the target is first.
import { combineRocchio, type RocchioWeights } from '../../engine/feedback/rocchio.ts';
import { afsNegativeVector, boxSteeringBias, type SteeringBox } from '../../engine/feedback/afs/afs-feedback.ts';
import { AfsModel, type AfsItem } from '../../engine/feedback/afs/afs-model.ts';
import { decodeImage } from '../../engine/images/decode.ts';
import { prepareForModel } from '../../engine/images/prepare.ts';
import { resolveModel } from '../../engine/models/registry.ts';
import { cellBoxes, tokenGrid } from '../../engine/regions/token-cells.ts';
import type { TokenMatrix } from '../../engine/types.ts';
import type { EvalCollection } from '../collection.ts';
import { cosineScores, type FeedbackTurn, type QueryState, type Strategy } from '../strategy.ts';

interface ImageTokens {
  tokens: TokenMatrix;
  width: number;
  height: number;
}

/** The AFS of the collection's model with the token caches its strategies share. */
export class AfsEvalContext {
  private readonly images = new Map<number, Promise<ImageTokens>>();
  private readonly queries = new Map<string, Promise<TokenMatrix>>();

  private constructor(
    readonly model: AfsModel,
    private readonly collection: EvalCollection,
  ) {}

  static async create(collection: EvalCollection): Promise<AfsEvalContext> {
    const { folder } = resolveModel(collection.model);
    const tokens = { image: collection.image.givesTokens === true, text: collection.text.givesTokens === true && collection.text.encodeTextTokens !== undefined };
    return new AfsEvalContext(await AfsModel.load(folder, tokens, { provider: collection.image.info.provider }), collection);
  }

  imageTokens(index: number): Promise<ImageTokens> {
    let entry = this.images.get(index);
    if (!entry) {
      entry = (async () => {
        const rgb = await decodeImage(this.collection.dataset.images[index].path);
        const [encoded] = await this.collection.image.encodePixels([await prepareForModel(rgb, this.collection.image.preprocess)], { tokens: true });
        return { tokens: encoded.tokens!, width: rgb.width, height: rgb.height };
      })();
      this.images.set(index, entry);
    }
    return entry;
  }

  queryTokens(text: string): Promise<TokenMatrix> {
    let entry = this.queries.get(text);
    if (!entry) {
      entry = this.collection.text.encodeTextTokens!([text]).then(([e]) => e.tokens);
      this.queries.set(text, entry);
    }
    return entry;
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}

/** The region user's boxes on one shown image (relevant when the object matches a target object). */
function userBoxes(turn: FeedbackTurn, index: number): SteeringBox[] {
  const wanted = new Set((turn.target.objects ?? []).map((o) => `${o.colour}|${o.shape}`));
  return (turn.collection.dataset.images[index].objects ?? []).map((o) => {
    const [x, y, w, h] = o.box;
    return { box: { x, y, w, h }, relevant: wanted.has(`${o.colour}|${o.shape}`) };
  });
}

export function afsStrategy(name: 'afs' | 'afs-boxes', context: AfsEvalContext, weights: RocchioWeights): Strategy {
  const boxes = name === 'afs-boxes';
  const { topK, tau } = context.model.settings;
  return {
    name,
    async refine(turn: FeedbackTurn): Promise<QueryState> {
      if (boxes && turn.shown[0]?.id === turn.target.index) return turn.state;
      const shown = turn.shown.slice(0, topK);
      if (shown.length === 0) return turn.state;
      const query = await context.queryTokens(turn.state.text);
      const items: AfsItem[] = await Promise.all(
        shown.map(async (hit) => {
          const image = await context.imageTokens(hit.id);
          if (!boxes) return { tokens: image.tokens };
          const { side } = tokenGrid(image.tokens.count);
          const cells = cellBoxes(image.width, image.height, turn.collection.image.preprocess, side);
          return { tokens: image.tokens, bias: boxSteeringBias(image.tokens.count, cells, userBoxes(turn, hit.id)) };
        }),
      );
      const out = await context.model.summarize(query, items);
      const { matrix, dim } = turn.collection;
      const vectors = shown.map((h) => matrix.subarray(h.id * dim, (h.id + 1) * dim));
      const n = afsNegativeVector(out.attention, vectors, tau);
      const vector = combineRocchio(turn.state.vector, { p: out.summary, n }, weights);
      return { ...turn.state, vector, scores: cosineScores(vector, turn.collection) };
    },
  };
}
