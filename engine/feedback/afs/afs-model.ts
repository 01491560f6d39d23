// The attentive feedback summarizer of a model folder (onnx/afs.onnx + afs.json, trained by
// training/train_afs.py) run with ONNX Runtime: query text tokens and the K feedback items' patch
// tokens in, the positive vector p and the cross-attention each item token received out.
import * as ort from 'onnxruntime-node';
import { openSession, floatData } from '../../encoders/onnx-session.ts';
import type { ExecutionProvider, TokenMatrix } from '../../types.ts';
import { backboneOf } from './backbone.ts';
import { afsFiles, readAfsSettings, trainCommand, type AfsSettings } from './afs-settings.ts';

export interface AfsItem {
  tokens: TokenMatrix;
  /** Added to the cross-attention logits of each of the item's tokens (box steering); zeros when absent. */
  bias?: Float32Array;
}

export interface AfsOutput {
  /** The positive vector p (L2-normalised, in the embedding space). */
  summary: Float32Array;
  /** Per item: the attention each of its tokens received (all items' tokens together sum to 1). */
  attention: Float32Array[];
}

/** Which encoders of the model give token outputs (last_hidden_state, before projection). */
export interface TokenSupport {
  image: boolean;
  text: boolean;
}

const inputNames = ['query_tokens', 'query_mask', 'item_tokens', 'attention_bias'];

export class AfsModel {
  private constructor(
    readonly folder: string,
    readonly settings: AfsSettings,
    private readonly session: ort.InferenceSession,
  ) {}

  /**
   * Loads and checks the AFS of a model folder: the model must give token outputs, the AFS must have been
   * trained for this very backbone, and afs.onnx must load with the expected inputs. Every refusal names
   * the file and what to run.
   */
  static async load(folder: string, tokens: TokenSupport, options: { provider?: ExecutionProvider; threads?: number } = {}): Promise<AfsModel> {
    for (const [part, ok] of [['vision', tokens.image], ['text', tokens.text]] as const) {
      if (!ok) {
        throw new Error(
          `${folder}/onnx/${part}_model*.onnx has no "last_hidden_state" output: the attentive feedback summarizer needs the token outputs (before projection); export the model with them, then run ${trainCommand(folder)}`,
        );
      }
    }
    const settings = readAfsSettings(folder);
    const { onnx, settings: settingsFile } = afsFiles(folder);
    const backbone = backboneOf(folder);
    if (settings.backbone !== backbone) {
      throw new Error(`${settingsFile} is for another backbone (${settings.backbone}; this model's encoders are ${backbone}): run ${trainCommand(folder)}`);
    }
    let session: ort.InferenceSession;
    try {
      ({ session } = await openSession(onnx, options.provider ?? 'cpu', { threads: options.threads }));
    } catch (err) {
      throw new Error(`${onnx} is corrupt or not an AFS graph (${(err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 200)}): run ${trainCommand(folder)}`);
    }
    const missing = inputNames.filter((n) => !session.inputNames.includes(n));
    if (missing.length || !session.outputNames.includes('summary') || !session.outputNames.includes('attention')) {
      await session.release();
      throw new Error(`${onnx} is not an AFS graph (inputs ${session.inputNames.join(', ')}; outputs ${session.outputNames.join(', ')}): run ${trainCommand(folder)}`);
    }
    return new AfsModel(folder, settings, session);
  }

  async summarize(query: TokenMatrix, items: AfsItem[]): Promise<AfsOutput> {
    const { textWidth, imageWidth, imageTokens } = this.settings;
    if (query.dim !== textWidth) throw new Error(`AFS of ${this.folder}: query tokens have ${query.dim} values, the AFS expects ${textWidth}`);
    if (query.count < 1) throw new Error('AFS: the query has no tokens');
    if (items.length === 0) throw new Error('AFS: no feedback items');
    for (const item of items) {
      if (item.tokens.dim !== imageWidth || item.tokens.count !== imageTokens) {
        throw new Error(`AFS of ${this.folder}: an item has ${item.tokens.count} tokens of ${item.tokens.dim} values, the AFS expects ${imageTokens} of ${imageWidth}`);
      }
    }
    const n = items.length * imageTokens;
    const itemData = new Float32Array(n * imageWidth);
    const bias = new Float32Array(n);
    items.forEach((item, i) => {
      itemData.set(item.tokens.data.subarray(0, imageTokens * imageWidth), i * imageTokens * imageWidth);
      if (item.bias) bias.set(item.bias.subarray(0, imageTokens), i * imageTokens);
    });
    const outputs = await this.session.run({
      query_tokens: new ort.Tensor('float32', query.data.subarray(0, query.count * textWidth), [1, query.count, textWidth]),
      query_mask: new ort.Tensor('float32', new Float32Array(query.count).fill(1), [1, query.count]),
      item_tokens: new ort.Tensor('float32', itemData, [1, n, imageWidth]),
      attention_bias: new ort.Tensor('float32', bias, [1, n]),
    });
    const attention = floatData(outputs.attention);
    return {
      summary: floatData(outputs.summary).slice(0, this.settings.embedDim),
      attention: items.map((_, i) => attention.slice(i * imageTokens, (i + 1) * imageTokens)),
    };
  }

  /** Runs the graph on raw tensors (the ONNX-vs-PyTorch check feeds the reference inputs as they are). */
  async runRaw(feeds: Record<string, { dims: number[]; data: Float32Array }>): Promise<Record<string, Float32Array>> {
    const tensors = Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, new ort.Tensor('float32', t.data, t.dims)]));
    const outputs = await this.session.run(tensors);
    return Object.fromEntries(Object.entries(outputs).map(([name, t]) => [name, floatData(t)]));
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
