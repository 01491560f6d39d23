// The one entry point to get encoders: a registry name or a model folder → image and text
// encoders on the asked execution provider (CPU fallback) and weight variant.
import type { EncoderInfo, ExecutionProvider } from '../types.ts';
import { resolveModel } from '../models/registry.ts';
import { onnxFile, readModelFolder, type ModelDtype } from './model-folder.ts';
import { OnnxImageEncoder } from './onnx-image-encoder.ts';
import { OnnxTextEncoder } from './onnx-text-encoder.ts';
import { openSession, outputType, outputWidth } from './onnx-session.ts';
import { readPreprocessSpec } from './preprocess-spec.ts';
import { withTokenHead } from './token-head-file.ts';
import { headTokensOutput } from './token-head.ts';
import { TextTokenizer } from './tokenize.ts';

export interface LoadEncodersOptions {
  provider?: ExecutionProvider;
  dtype?: ModelDtype;
  /** Threads per operator (0 or absent = ONNX Runtime's choice). */
  threads?: number;
  /** Let idle operator threads spin (lower latency on an otherwise idle machine, more CPU). */
  spinning?: boolean;
  /** Most images per vision-model run (default 32); GPUs want larger batches. */
  maxBatch?: number;
  /** Give the vision graph a per-token head (token_embeds) for region vectors (default true). */
  tokenHead?: boolean;
}

export interface LoadedEncoders {
  image: OnnxImageEncoder;
  text: OnnxTextEncoder;
  info: EncoderInfo & { folder: string; dtype: ModelDtype };
}

/** `modelRefOrPath`: a name from configs/models.yaml, a model folder, or undefined for the default. */
export async function loadEncoders(modelRefOrPath?: string, options: LoadEncodersOptions = {}): Promise<LoadedEncoders> {
  const { name, folder } = resolveModel(modelRefOrPath);
  const model = readModelFolder(folder);
  const dtype = options.dtype ?? 'fp32';
  const provider = options.provider ?? 'cpu';
  const preprocess = readPreprocessSpec(folder, model.family);
  const tokenizer = TextTokenizer.fromFolder(folder, { family: model.family, maxPositions: model.maxPositions });
  const sessionOptions = { threads: options.threads, spinning: options.spinning };
  const visionFile = onnxFile(folder, 'vision', dtype);
  const tokenHead = options.tokenHead === false ? undefined : withTokenHead(visionFile);
  const vision = await openSession(visionFile, provider, sessionOptions, tokenHead?.vision);
  const tokenType = tokenHead && outputType(vision.session, headTokensOutput);
  const head = tokenHead && (tokenType === 'float32' || tokenType === 'float16')
    ? (await openSession(`${visionFile} (head)`, vision.provider, sessionOptions, tokenHead.head(tokenType))).session
    : undefined;
  const text = await openSession(onnxFile(folder, 'text', dtype), vision.provider, sessionOptions);

  const imageDim = outputWidth(vision.session, 'image_embeds');
  const textDim = outputWidth(text.session, 'text_embeds');
  const dim = imageDim ?? textDim ?? model.dim;
  if (dim === undefined) throw new Error(`${folder}: cannot tell the embedding size (config.json has no projection_dim)`);
  if (imageDim !== undefined && textDim !== undefined && imageDim !== textDim) {
    throw new Error(`${folder}: image embeddings have ${imageDim} dimensions but text embeddings ${textDim}`);
  }
  const info = { model: name, family: model.family, dim, provider: vision.provider };
  return {
    image: new OnnxImageEncoder(vision.session, info, preprocess, options.maxBatch, head),
    text: new OnnxTextEncoder(text.session, info, tokenizer),
    info: { ...info, folder, dtype },
  };
}
