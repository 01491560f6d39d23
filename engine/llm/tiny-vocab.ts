// A small SentencePiece-style vocabulary for the tiny test chat model: control tokens, the 256 byte
// tokens (byte fallback, so any text tokenizes), printable ASCII, and pieces learned by byte-pair
// merges over a short built-in corpus. llama.cpp's "llama" (SPM) tokenizer reads it from the GGUF.

/** GGUF token types (llama.cpp llama_token_type). */
export const tokenType = { normal: 1, unknown: 2, control: 3, byte: 6 } as const;

export interface TinyVocab {
  tokens: string[];
  scores: number[];
  types: number[];
  bos: number;
  eos: number;
  unk: number;
}

const space = '\u2581';

// What the agent and its tools talk about: the merges make these words a few tokens each.
const corpus = `search refine query caption region image images result results relevant irrelevant comment
text session turn weights found moved up down new box boxed the a an of in on with and or to for is are
what you want like more less this that these those photo picture dog dogs cat person people beach grass
red blue green yellow striped dotted circle square triangle star water sky tree car street child man woman
function functions call name arguments json true false null all assistant user system tool
{"text": "imageId": "relevant": "irrelevant": "regions": "comment": "caption": "box": "x": "y": "w": "h":`;

function learnMerges(count: number): string[] {
  const words = corpus.split(/\s+/).filter(Boolean).map((w) => [...(space + w)]);
  const pieces: string[] = [];
  for (let i = 0; i < count; i++) {
    const pairs = new Map<string, number>();
    for (const w of words) for (let j = 0; j + 1 < w.length; j++) {
      const key = w[j] + '\u0000' + w[j + 1];
      pairs.set(key, (pairs.get(key) ?? 0) + 1);
    }
    let best: string | undefined;
    let bestCount = 1;
    for (const [key, n] of pairs) if (n > bestCount || (n === bestCount && best !== undefined && key < best)) {
      best = key;
      bestCount = n;
    }
    if (!best) break;
    const [a, b] = best.split('\u0000');
    pieces.push(a + b);
    for (const w of words) for (let j = 0; j + 1 < w.length; j++) if (w[j] === a && w[j + 1] === b) w.splice(j, 2, a + b);
  }
  return pieces;
}

export function buildTinyVocab(controlTokens: readonly string[], merges = 400): TinyVocab {
  const tokens: string[] = [];
  const scores: number[] = [];
  const types: number[] = [];
  const add = (piece: string, score: number, type: number) => {
    if (tokens.includes(piece)) return;
    tokens.push(piece);
    scores.push(score);
    types.push(type);
  };
  add('<unk>', 0, tokenType.unknown);
  for (const t of controlTokens) add(t, 0, tokenType.control);
  for (let b = 0; b < 256; b++) add(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`, 0, tokenType.byte);
  add(space, -1000, tokenType.normal);
  for (let c = 33; c < 127; c++) add(String.fromCharCode(c), -1000, tokenType.normal);
  learnMerges(merges).forEach((piece, rank) => add(piece, -rank, tokenType.normal));
  return { tokens, scores, types, unk: 0, bos: 1, eos: 2 };
}
