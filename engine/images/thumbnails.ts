// Small JPEG previews of library images, made from the original file (EXIF-rotated) and kept in one
// LRU per process: the web app's grid asks for them on every re-render, and MCP inlines them in tool
// results so a model or a chat client can see what it is judging.
import sharp from 'sharp';

export interface ThumbnailSize {
  maxSide: number;
  quality: number;
}

export class Thumbnailer {
  private readonly cache = new Map<string, Promise<Buffer>>();

  /**
   * @param bytesOf the original file of an image, read with the library's checks (throws when it is gone or changed)
   * @param maxPixels the library's pixel limit: a bigger image swapped in after indexing is refused, not decoded
   */
  constructor(
    private readonly bytesOf: (id: number) => Promise<Buffer>,
    private readonly maxPixels: number,
    private readonly capacity = 2048,
  ) {}

  /** JPEG bytes of the thumbnail of image `id` at this size. */
  thumbnail(id: number, size: ThumbnailSize): Promise<Buffer> {
    const key = `${id}:${size.maxSide}:${size.quality}`;
    const cached = this.cache.get(key);
    if (cached) {
      // Re-insert: the Map's order is the eviction order.
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    const made = this.bytesOf(id).then((bytes) =>
      sharp(bytes, { limitInputPixels: this.maxPixels })
        .rotate()
        .resize(size.maxSide, size.maxSide, { fit: 'inside', withoutEnlargement: true })
        .flatten({ background: '#ffffff' })
        .jpeg({ quality: size.quality, mozjpeg: false })
        .toBuffer(),
    );
    this.cache.set(key, made);
    made.catch(() => this.cache.delete(key));
    if (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value as string);
    return made;
  }

  /** Forgets every thumbnail (the library changed under the same ids). */
  clear(): void {
    this.cache.clear();
  }
}
