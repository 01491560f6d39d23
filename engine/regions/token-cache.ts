// The tokens of recently marked (or opened) images, bounded by bytes, least recently used out first.
// A box costs one decode and one encoder pass over its image (engine/regions/region-embedding.ts
// `tokens`), and refine-query applies every box of a session again at every turn: with the tokens
// kept, a turn pays only for images it has not seen.
import type { ImageTokens } from './region-embedding.ts';

function bytesOf(tokens: ImageTokens): number {
  return tokens.tokenEmbeds.data.byteLength + (tokens.headTokens?.data.byteLength ?? 0);
}

export class TokenCache {
  private readonly entries = new Map<string, ImageTokens>();
  private bytes = 0;

  constructor(readonly maxBytes: number) {}

  get(key: string): ImageTokens | undefined {
    const tokens = this.entries.get(key);
    if (tokens) {
      this.entries.delete(key);
      this.entries.set(key, tokens);
    }
    return tokens;
  }

  set(key: string, tokens: ImageTokens): void {
    const size = bytesOf(tokens);
    if (size > this.maxBytes) return;
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= bytesOf(old);
      this.entries.delete(key);
    }
    this.entries.set(key, tokens);
    this.bytes += size;
    for (const [oldest, t] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= bytesOf(t);
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  get size(): number {
    return this.entries.size;
  }

  get usedBytes(): number {
    return this.bytes;
  }
}
