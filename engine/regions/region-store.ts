// The region store: boxes and embeddings of each image's regions, in one append-only file beside the
// library (<data>/<model>/regions.bin). Layout:
//   header (64 B): magic "VRREGN01", u32 version, u32 dim, u32 dtype (1 fp16, 2 int8), 16 B label, reserved
//   record:        u32 magic, u32 image id, u32 region count, u32 payload bytes, u32 tag (the caller's
//                  version of the image, e.g. the start of its content hash),
//                  payload = count × (4 float32 box + u8 source, padded) [+ count float32 scales for int8]
//                            + count × dim embedding values, padded to 4 bytes,
//                  u32 CRC-32 of record header + payload.
// A later record for the same id replaces the earlier one; a record with 0 regions deletes the id.
// Each batch is appended with one write and fsynced. A kill mid-write can only leave an incomplete last
// record: opening the file finds it (its declared end lies past the file's end, or its CRC is wrong) and
// cuts it off, so every image is either fully present or absent. Lookups go through an in-memory
// offset table and positional reads, so opening and searching never load the embeddings wholesale.
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import type { Box, RegionProposal } from '../types.ts';
import { replaceFileAtomically } from '../index/atomic-file.ts';
import { halfTable, toHalf } from './half.ts';
import { log } from '../log.ts';
import { RegionRecordDamagedError, RegionStoreHeaderError } from './region-damage.ts';

export type RegionDtype = 'fp16' | 'int8';
export type RegionSourceTag = RegionProposal['source'];

export interface StoredRegion {
  box: Box;
  source: RegionSourceTag;
  /** dim floats (as stored: fp16 or int8 precision). */
  embedding: Float32Array;
}

/** The regions of one image, with their embeddings in one row-major count × dim matrix. */
export interface RegionMatrix {
  count: number;
  boxes: Box[];
  sources: RegionSourceTag[];
  vectors: Float32Array;
}

const MAGIC = 'VRREGN01';
const VERSION = 1;
const HEADER_BYTES = 64;
const RECORD_MAGIC = 0x31524752; // "RGR1" little-endian
const RECORD_HEADER_BYTES = 20;
const BOX_BYTES = 20; // 4 float32 + u8 source + 3 padding
const LABEL_BYTES = 16;
const SOURCES: RegionSourceTag[] = ['window', 'proposer', 'token'];

const pad4 = (n: number): number => (n + 3) & ~3;

interface Entry {
  offset: number;
  count: number;
  payloadBytes: number;
  tag: number;
}

export interface RegionStoreOptions {
  dim: number;
  dtype: RegionDtype;
  /** What produced the regions (e.g. "proposer"); stored in the header, checked on reopen. */
  label: string;
  readonly?: boolean;
}

function parseHeader(h: Buffer): { dim: number; dtype: RegionDtype; label: string } {
  return {
    dim: h.readUInt32LE(12),
    dtype: h.readUInt32LE(16) === 1 ? 'fp16' : 'int8',
    label: h.toString('utf8', 20, 20 + LABEL_BYTES).replace(/\0+$/, ''),
  };
}

export class RegionStore {
  readonly dim: number;
  readonly dtype: RegionDtype;
  readonly label: string;
  private fd: number;
  private readonly entries = new Map<number, Entry>();
  private end = HEADER_BYTES;
  private records = 0;
  /** Bytes cut off a torn tail when the file was opened (0 when the file was whole). */
  readonly repairedBytes: number;

  private constructor(
    readonly file: string,
    private readonly options: RegionStoreOptions,
  ) {
    this.dim = options.dim;
    this.dtype = options.dtype;
    this.label = options.label;
    if (Buffer.byteLength(options.label) > LABEL_BYTES) throw new Error(`region store label "${options.label}" is longer than ${LABEL_BYTES} bytes`);
    const fresh = !existsSync(file);
    if (fresh && options.readonly) throw new Error(`no region store at ${file}`);
    if (fresh) this.writeEmpty();
    this.fd = openSync(file, options.readonly ? 'r' : 'r+');
    this.readHeader();
    this.repairedBytes = this.scan();
    if (this.repairedBytes > 0 && !options.readonly) log.warn(`region store ${file}: cut off ${this.repairedBytes} bytes of an incomplete last record (torn tail)`);
  }

  /** Opens (creating when missing) the store at `file`; a torn last record is removed. */
  static open(file: string, options: RegionStoreOptions): RegionStore {
    return new RegionStore(file, options);
  }

  /** The settings a store file was written with, or undefined when there is no such file. */
  static readSettings(file: string): { dim: number; dtype: RegionDtype; label: string } | undefined {
    if (!existsSync(file)) return undefined;
    const fd = openSync(file, 'r');
    try {
      const h = Buffer.alloc(HEADER_BYTES);
      const n = readSync(fd, h, 0, HEADER_BYTES, 0);
      if (n < HEADER_BYTES || h.toString('ascii', 0, 8) !== MAGIC) throw new RegionStoreHeaderError(file);
      return parseHeader(h);
    } finally {
      closeSync(fd);
    }
  }

  /** Number of images with regions. */
  get size(): number {
    return this.entries.size;
  }

  /** Bytes of the file that hold live records (the rest is superseded records until compact()). */
  get fileBytes(): number {
    return this.end;
  }

  has(id: number): boolean {
    return this.entries.has(id);
  }

  ids(): number[] {
    return [...this.entries.keys()];
  }

  /** The tag stored with the regions of `id` (0 when none was given), or undefined when absent. */
  tagOf(id: number): number | undefined {
    return this.entries.get(id)?.tag;
  }

  /**
   * Appends the regions of a batch of images and makes them durable; replaces earlier regions of the
   * same ids. `tag` (u32) identifies the version of the image the regions were made from.
   */
  put(batch: { id: number; tag?: number; regions: { box: Box; source: RegionSourceTag; embedding: Float32Array }[] }[]): void {
    this.assertWritable();
    const parts: Buffer[] = [];
    const planned: [number, Entry][] = [];
    let offset = this.end;
    for (const { id, tag = 0, regions } of batch) {
      if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) throw new Error(`region store: bad image id ${id}`);
      if (!Number.isInteger(tag) || tag < 0 || tag > 0xffffffff) throw new Error(`region store: bad tag ${tag} for image ${id}`);
      const record = this.encodeRecord(id, tag, regions);
      planned.push([id, { offset, count: regions.length, payloadBytes: record.length - RECORD_HEADER_BYTES - 4, tag }]);
      parts.push(record);
      offset += record.length;
    }
    const buffer = Buffer.concat(parts);
    let written = 0;
    while (written < buffer.length) written += writeSync(this.fd, buffer, written, buffer.length - written, this.end + written);
    fsyncSync(this.fd);
    this.end = offset;
    this.records += planned.length;
    for (const [id, entry] of planned) {
      if (entry.count === 0) this.entries.delete(id);
      else this.entries.set(id, entry);
    }
  }

  remove(ids: number[]): void {
    const present = ids.filter((id) => this.entries.has(id));
    if (present.length) this.put(present.map((id) => ({ id, regions: [] })));
  }

  get(id: number): StoredRegion[] | undefined {
    const m = this.getMatrix(id);
    if (!m) return undefined;
    return m.boxes.map((box, i) => ({ box, source: m.sources[i], embedding: m.vectors.slice(i * this.dim, (i + 1) * this.dim) }));
  }

  /** The regions of `id` as one matrix (the re-ranker's form), or undefined when the image has none stored. */
  getMatrix(id: number): RegionMatrix | undefined {
    return this.readMatrix(id, (n) => new Float32Array(n));
  }

  /**
   * The regions of many images (a re-rank's candidates), their vectors views of one array. A re-rank
   * reads hundreds of records a turn, and a typed array per record costs V8 a backing store and the
   * collections it brings (10-40 µs each, measured: more than reading and decoding the record). A
   * damaged record is left out and reported through `damaged`.
   */
  getMatrices(ids: readonly number[], damaged: (err: RegionRecordDamagedError) => void): Map<number, RegionMatrix> {
    const wanted = [...new Set(ids)].filter((id) => this.entries.has(id));
    const floats = wanted.reduce((sum, id) => sum + (this.entries.get(id) as Entry).count * this.dim, 0);
    const all = new Float32Array(floats);
    let used = 0;
    const matrices = new Map<number, RegionMatrix>();
    for (const id of wanted) {
      try {
        const m = this.readMatrix(id, (n) => all.subarray(used, (used += n)));
        if (m) matrices.set(id, m);
      } catch (err) {
        if (!(err instanceof RegionRecordDamagedError)) throw err;
        damaged(err);
      }
    }
    return matrices;
  }

  private scratch = Buffer.from(new ArrayBuffer(0));

  private readMatrix(id: number, vectorsOf: (n: number) => Float32Array): RegionMatrix | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    const total = RECORD_HEADER_BYTES + entry.payloadBytes + 4;
    // One reused read buffer with its own ArrayBuffer, so fp16 values are aligned.
    if (this.scratch.length < total) this.scratch = Buffer.from(new ArrayBuffer(Math.max(total, 2 * this.scratch.length)));
    const buf = this.scratch.subarray(0, total);
    readSync(this.fd, buf, 0, total, entry.offset);
    if (crc32(buf.subarray(0, total - 4)) !== buf.readUInt32LE(total - 4)) throw new RegionRecordDamagedError(this.file, id, entry.offset);
    return this.decodePayload(buf, RECORD_HEADER_BYTES, entry.count, vectorsOf);
  }

  /** Ids whose live record fails its checksum (reads every live record: for index runs, not searches). */
  damagedIds(): number[] {
    return [...this.entries].filter(([, entry]) => !this.checksumOk(entry)).map(([id]) => id);
  }

  /** Rewrites the file with only the live records (atomically: temporary file, then rename). */
  compact(): void {
    this.assertWritable();
    const ids = this.ids().sort((a, b) => a - b);
    replaceFileAtomically(this.file, (temp) => {
      const out = openSync(temp, 'w');
      try {
        writeSync(out, this.headerBuffer());
        let pos = HEADER_BYTES;
        for (const id of ids) {
          const e = this.entries.get(id) as Entry;
          const total = RECORD_HEADER_BYTES + e.payloadBytes + 4;
          const buf = Buffer.allocUnsafe(total);
          readSync(this.fd, buf, 0, total, e.offset);
          writeSync(out, buf, 0, total, pos);
          pos += total;
        }
      } finally {
        closeSync(out);
      }
    });
    closeSync(this.fd);
    this.fd = openSync(this.file, 'r+');
    this.scan();
  }

  /** Picks up records appended by a writer since this (read-only) store was opened or last refreshed. */
  refresh(): void {
    this.scan(this.end);
  }

  /** Fraction of the file's records that are superseded or deletions (compact() reclaims them). */
  get garbageRatio(): number {
    return this.records === 0 ? 0 : 1 - this.entries.size / this.records;
  }

  close(): void {
    closeSync(this.fd);
  }

  private assertWritable(): void {
    if (this.options.readonly) throw new Error(`region store ${this.file} is open read-only`);
  }

  private headerBuffer(): Buffer {
    const h = Buffer.alloc(HEADER_BYTES);
    h.write(MAGIC, 0, 'ascii');
    h.writeUInt32LE(VERSION, 8);
    h.writeUInt32LE(this.dim, 12);
    h.writeUInt32LE(this.dtype === 'fp16' ? 1 : 2, 16);
    h.write(this.label, 20, LABEL_BYTES, 'utf8');
    return h;
  }

  private writeEmpty(): void {
    replaceFileAtomically(this.file, (temp) => {
      const fd = openSync(temp, 'w');
      try {
        writeSync(fd, this.headerBuffer());
      } finally {
        closeSync(fd);
      }
    });
  }

  private readHeader(): void {
    const h = Buffer.alloc(HEADER_BYTES);
    const n = readSync(this.fd, h, 0, HEADER_BYTES, 0);
    if (n < HEADER_BYTES || h.toString('ascii', 0, 8) !== MAGIC) throw new RegionStoreHeaderError(this.file);
    const version = h.readUInt32LE(8);
    if (version !== VERSION) throw new Error(`${this.file}: region store version ${version} is not supported (expected ${VERSION})`);
    const { dim, dtype, label } = parseHeader(h);
    if (dim !== this.dim || dtype !== this.dtype || label !== this.label) {
      throw new Error(
        `${this.file} holds ${label} regions of dim ${dim} (${dtype}), not ${this.label} regions of dim ${this.dim} (${this.dtype}): ` +
          'delete it to rebuild the regions with the current settings',
      );
    }
  }

  /**
   * Builds (from `from` on, extends) the offset table; cuts off (or, read-only, ignores) an incomplete
   * or corrupt last record.
   */
  private scan(from = HEADER_BYTES): number {
    const fileSize = fstatSync(this.fd).size;
    const head = Buffer.alloc(RECORD_HEADER_BYTES);
    let pos = from;
    let last: { id: number; entry: Entry } | undefined;
    if (from === HEADER_BYTES) {
      this.records = 0;
      this.entries.clear();
    }
    while (pos + RECORD_HEADER_BYTES <= fileSize) {
      readSync(this.fd, head, 0, RECORD_HEADER_BYTES, pos);
      if (head.readUInt32LE(0) !== RECORD_MAGIC) break;
      const id = head.readUInt32LE(4);
      const count = head.readUInt32LE(8);
      const payloadBytes = head.readUInt32LE(12);
      if (payloadBytes !== this.payloadBytes(count)) break;
      const next = pos + RECORD_HEADER_BYTES + payloadBytes + 4;
      if (next > fileSize) break;
      const entry = { offset: pos, count, payloadBytes, tag: head.readUInt32LE(16) };
      if (count === 0) this.entries.delete(id);
      else this.entries.set(id, entry);
      last = { id, entry };
      this.records++;
      pos = next;
    }
    // Only the last complete record can have been caught half-flushed by a crash: verify its checksum.
    if (last && !this.checksumOk(last.entry)) {
      pos = last.entry.offset;
      // Rebuild the table without it, so that an earlier record of the same id stands again.
      this.entries.clear();
      this.rescanUpTo(pos);
    }
    this.end = pos;
    const cut = fileSize - pos;
    if (cut > 0 && !this.options.readonly) {
      ftruncateSync(this.fd, pos);
      fsyncSync(this.fd);
    }
    return cut;
  }

  private rescanUpTo(limit: number): void {
    const head = Buffer.alloc(RECORD_HEADER_BYTES);
    let pos = HEADER_BYTES;
    this.records = 0;
    while (pos < limit) {
      readSync(this.fd, head, 0, RECORD_HEADER_BYTES, pos);
      const id = head.readUInt32LE(4);
      const count = head.readUInt32LE(8);
      const payloadBytes = head.readUInt32LE(12);
      if (count === 0) this.entries.delete(id);
      else this.entries.set(id, { offset: pos, count, payloadBytes, tag: head.readUInt32LE(16) });
      this.records++;
      pos += RECORD_HEADER_BYTES + payloadBytes + 4;
    }
  }

  private checksumOk(entry: Entry): boolean {
    const total = RECORD_HEADER_BYTES + entry.payloadBytes + 4;
    const buf = Buffer.allocUnsafe(total);
    readSync(this.fd, buf, 0, total, entry.offset);
    return crc32(buf.subarray(0, total - 4)) === buf.readUInt32LE(total - 4);
  }

  private payloadBytes(count: number): number {
    const scales = this.dtype === 'int8' ? count * 4 : 0;
    const values = pad4(count * this.dim * (this.dtype === 'fp16' ? 2 : 1));
    return count * BOX_BYTES + scales + values;
  }

  private encodeRecord(id: number, tag: number, regions: { box: Box; source: RegionSourceTag; embedding: Float32Array }[]): Buffer {
    const count = regions.length;
    const payloadBytes = this.payloadBytes(count);
    const buf = Buffer.alloc(RECORD_HEADER_BYTES + payloadBytes + 4);
    buf.writeUInt32LE(RECORD_MAGIC, 0);
    buf.writeUInt32LE(id, 4);
    buf.writeUInt32LE(count, 8);
    buf.writeUInt32LE(payloadBytes, 12);
    buf.writeUInt32LE(tag, 16);
    let p = RECORD_HEADER_BYTES;
    for (const r of regions) {
      if (r.embedding.length !== this.dim) throw new Error(`region store: embedding of image ${id} has ${r.embedding.length} values, expected ${this.dim}`);
      buf.writeFloatLE(r.box.x, p);
      buf.writeFloatLE(r.box.y, p + 4);
      buf.writeFloatLE(r.box.w, p + 8);
      buf.writeFloatLE(r.box.h, p + 12);
      buf.writeUInt8(SOURCES.indexOf(r.source), p + 16);
      p += BOX_BYTES;
    }
    if (this.dtype === 'fp16') {
      for (const r of regions) {
        for (let i = 0; i < this.dim; i++, p += 2) buf.writeUInt16LE(toHalf(r.embedding[i]), p);
      }
    } else {
      const scales = regions.map((r) => {
        let max = 0;
        for (let i = 0; i < this.dim; i++) max = Math.max(max, Math.abs(r.embedding[i]));
        return max > 0 ? max / 127 : 1;
      });
      for (const s of scales) {
        buf.writeFloatLE(s, p);
        p += 4;
      }
      regions.forEach((r, k) => {
        for (let i = 0; i < this.dim; i++, p++) buf.writeInt8(Math.round(r.embedding[i] / scales[k]), p);
      });
    }
    const crcAt = RECORD_HEADER_BYTES + payloadBytes;
    buf.writeUInt32LE(crc32(buf.subarray(0, crcAt)), crcAt);
    return buf;
  }

  private decodePayload(buf: Buffer, start: number, count: number, vectorsOf: (n: number) => Float32Array): RegionMatrix {
    const boxes: Box[] = [];
    const sources: RegionSourceTag[] = [];
    let p = start;
    for (let i = 0; i < count; i++, p += BOX_BYTES) {
      boxes.push({ x: buf.readFloatLE(p), y: buf.readFloatLE(p + 4), w: buf.readFloatLE(p + 8), h: buf.readFloatLE(p + 12) });
      sources.push(SOURCES[buf.readUInt8(p + 16)] ?? 'window');
    }
    const n = count * this.dim;
    const vectors = vectorsOf(n);
    if (this.dtype === 'fp16') {
      const halves = new Uint16Array(buf.buffer, buf.byteOffset + p, n); // p is even: 20 + 20 × count
      // A local binding: under tsx an imported one is read through a getter, once per value otherwise.
      const table = halfTable;
      for (let i = 0; i < n; i++) vectors[i] = table[halves[i]];
    } else {
      const scales = new Float32Array(count);
      for (let r = 0; r < count; r++, p += 4) scales[r] = buf.readFloatLE(p);
      const q = new Int8Array(buf.buffer, buf.byteOffset + p, n);
      for (let r = 0; r < count; r++) {
        const s = scales[r];
        for (let i = 0; i < this.dim; i++) vectors[r * this.dim + i] = q[r * this.dim + i] * s;
      }
    }
    return { count, boxes, sources, vectors };
  }
}
