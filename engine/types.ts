// The narrow interfaces every backend implements. Implementations live in their own files and are
// chosen by configuration; nothing outside engine/ depends on a concrete backend.

/** Decoded RGB pixels (EXIF orientation applied), row-major, 3 bytes per pixel. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** A box in pixels of the original (EXIF-rotated) image: x, y = top-left corner. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** How a model wants its pixels: read from the model folder's preprocessor_config.json. */
export interface PreprocessSpec {
  /** 'shortest_edge' resizes the short side then centre-crops (CLIP); 'exact' squashes to size (SigLIP). */
  resizeMode: 'shortest_edge' | 'exact';
  resizeTo: number;
  cropWidth: number;
  cropHeight: number;
  resample: 'bicubic' | 'bilinear' | 'nearest';
  rescaleFactor: number;
  mean: [number, number, number];
  std: [number, number, number];
}

export type ExecutionProvider = 'cpu' | 'webgpu' | 'cuda';

export interface EncoderInfo {
  /** Registry name or folder of the model. */
  model: string;
  family: 'clip' | 'siglip';
  /** Embedding dimension (projection size). */
  dim: number;
  /** The provider actually in use after any fallback. */
  provider: ExecutionProvider;
}

/** Token-level output of an encoder (last hidden state): `count` rows of `dim` floats. */
export interface TokenMatrix {
  data: Float32Array;
  count: number;
  dim: number;
}

export interface ImageEncoding {
  /** L2-normalised embedding. */
  embedding: Float32Array;
  /** Patch tokens (with CLS first) when asked for. */
  tokens?: TokenMatrix;
  /** Every token projected into the embedding space (engine/encoders/token-head.ts), when asked for. */
  tokenEmbeds?: TokenMatrix;
  /** The tokens the model's head reads, asked for with tokenEmbeds (input of ImageEncoder.poolTokenSets). */
  headTokens?: TokenMatrix;
}

export interface ImageEncoder {
  readonly info: EncoderInfo;
  readonly preprocess: PreprocessSpec;
  /** Whether the model gives patch tokens (last_hidden_state). */
  readonly givesTokens?: boolean;
  /** Encodes images already resized and cropped to the model's input size (see engine/images). */
  encodePixels(batch: RgbImage[], options?: { tokens?: boolean; tokenEmbeds?: boolean }): Promise<ImageEncoding[]>;
  /** Whether encodePixels can give tokenEmbeds (the graph's head could be applied per token). */
  readonly hasTokenEmbeds?: boolean;
  /** The model's own pooling of token sets (of headTokens rows), or undefined when its head does not pool. */
  poolTokenSets?(sets: TokenMatrix[]): Promise<Float32Array[] | undefined>;
  dispose(): Promise<void>;
}

export interface TextEncoder {
  readonly info: EncoderInfo;
  /** L2-normalised text embeddings, one per input. */
  encodeTexts(texts: string[]): Promise<Float32Array[]>;
  /** Whether the model gives text tokens (last_hidden_state). */
  readonly givesTokens?: boolean;
  /** Embeddings with the token outputs of the real tokens, before projection. */
  encodeTextTokens?(texts: string[]): Promise<{ embedding: Float32Array; tokens: TokenMatrix }[]>;
  dispose(): Promise<void>;
}

export interface SearchHit {
  /** The image id (the index label). */
  id: number;
  /** Cosine similarity. */
  score: number;
}

export interface VectorIndex {
  readonly dim: number;
  readonly size: number;
  /** Adds or replaces the vector of `id`. */
  upsert(id: number, vector: Float32Array): void;
  remove(id: number): void;
  has(id: number): boolean;
  getVector(id: number): Float32Array | undefined;
  search(query: Float32Array, k: number, options?: { ef?: number; filter?: (id: number) => boolean }): SearchHit[];
  /** Writes the index atomically (temporary file, then rename). */
  save(): void;
}

export interface CaptionRequest {
  image: RgbImage;
  /** Optional box in the image's own pixels; the captioner crops the original, never a resized copy. */
  box?: Box;
  /** Name of a prompt in configs/captioning/. */
  prompt?: string;
  instructions?: string;
  /** The user's current query, for query-aware prompts. */
  query?: string;
  /** Picks among a prompt's alternative wordings (e.g. the image id); default: a hash of the pixels. */
  seed?: number;
}

export interface CaptionResult {
  text: string;
  model: string;
  latencyMs: number;
  /** Phrase scores, for captioners that rank phrases. */
  scores?: { phrase: string; score: number }[];
}

export interface Captioner {
  readonly name: string;
  caption(requests: CaptionRequest[]): Promise<CaptionResult[]>;
}

/** A region proposed in an image, in the image's own pixels. */
export interface RegionProposal {
  box: Box;
  source: 'window' | 'proposer' | 'token';
}

export interface RegionProposer {
  readonly name: string;
  propose(image: RgbImage): Promise<RegionProposal[]>;
}
