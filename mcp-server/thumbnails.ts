// Small JPEG previews of result images, inlined in tool results so a model or a chat client can see
// what it is judging. Made from the original file (EXIF-rotated), cached by image id.
import sharp from 'sharp';

export interface ThumbnailSettings {
  maxSide: number;
  quality: number;
  /** The library's pixel limit: a bigger image swapped in after indexing is refused, not decoded. */
  maxPixels: number;
}

export class Thumbnailer {
  private readonly cache = new Map<number, Promise<Buffer>>();

  constructor(
    private readonly bytesOf: (id: number) => Promise<Buffer>,
    private readonly settings: ThumbnailSettings,
    private readonly capacity = 512,
  ) {}

  /** JPEG bytes of the thumbnail of image `id`. */
  thumbnail(id: number): Promise<Buffer> {
    const cached = this.cache.get(id);
    if (cached) {
      // Re-insert: the Map's order is the eviction order.
      this.cache.delete(id);
      this.cache.set(id, cached);
      return cached;
    }
    const { maxSide, quality, maxPixels } = this.settings;
    const made = this.bytesOf(id).then((bytes) =>
      sharp(bytes, { limitInputPixels: maxPixels })
        .rotate()
        .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
        .flatten({ background: '#ffffff' })
        .jpeg({ quality, mozjpeg: false })
        .toBuffer(),
    );
    this.cache.set(id, made);
    made.catch(() => this.cache.delete(id));
    if (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value as number);
    return made;
  }

  /** Forgets every thumbnail (the library changed under the same ids). */
  clear(): void {
    this.cache.clear();
  }
}
