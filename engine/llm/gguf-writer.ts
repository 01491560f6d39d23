// A minimal GGUF v3 writer (header, metadata, tensor table, aligned F32 data): enough to write the
// tiny test chat model of engine/llm/tiny-chat-model.ts without any Python or model hub.
import { closeSync, openSync, renameSync, writeSync } from 'node:fs';

export type GgufValue =
  | { type: 'u32'; value: number }
  | { type: 'f32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'string[]'; value: string[] }
  | { type: 'f32[]'; value: number[] }
  | { type: 'i32[]'; value: number[] };

export interface GgufTensor {
  name: string;
  /** ggml order: the first dimension is the innermost (row length). */
  dims: number[];
  /** F32 values, or undefined to write only the tensor table entry (a header-only file). */
  data?: Float32Array;
}

const valueType = { u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9 } as const;
const ggmlTypeF32 = 0;
const alignment = 32;

class ByteSink {
  private chunks: Buffer[] = [];
  length = 0;
  push(buf: Buffer): void {
    this.chunks.push(buf);
    this.length += buf.length;
  }
  u32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.push(b);
  }
  i32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    this.push(b);
  }
  u64(v: number): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  f32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.push(b);
  }
  str(s: string): void {
    const bytes = Buffer.from(s, 'utf8');
    this.u64(bytes.length);
    this.push(bytes);
  }
  pad(to: number): void {
    const rest = (to - (this.length % to)) % to;
    if (rest) this.push(Buffer.alloc(rest));
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function writeValue(sink: ByteSink, v: GgufValue): void {
  switch (v.type) {
    case 'u32':
      sink.u32(valueType.u32);
      sink.u32(v.value);
      return;
    case 'f32':
      sink.u32(valueType.f32);
      sink.f32(v.value);
      return;
    case 'bool':
      sink.u32(valueType.bool);
      sink.push(Buffer.from([v.value ? 1 : 0]));
      return;
    case 'string':
      sink.u32(valueType.string);
      sink.str(v.value);
      return;
    case 'string[]':
      sink.u32(valueType.array);
      sink.u32(valueType.string);
      sink.u64(v.value.length);
      for (const s of v.value) sink.str(s);
      return;
    case 'f32[]':
      sink.u32(valueType.array);
      sink.u32(valueType.f32);
      sink.u64(v.value.length);
      for (const x of v.value) sink.f32(x);
      return;
    case 'i32[]':
      sink.u32(valueType.array);
      sink.u32(valueType.i32);
      sink.u64(v.value.length);
      for (const x of v.value) sink.i32(x);
      return;
  }
}

/** Writes the file atomically (temporary name, then rename); returns its size in bytes. */
export function writeGguf(path: string, metadata: Record<string, GgufValue>, tensors: GgufTensor[]): number {
  const header = new ByteSink();
  header.push(Buffer.from('GGUF', 'ascii'));
  header.u32(3);
  header.u64(tensors.length);
  header.u64(Object.keys(metadata).length);
  for (const [key, value] of Object.entries(metadata)) {
    header.str(key);
    writeValue(header, value);
  }
  let offset = 0;
  for (const t of tensors) {
    header.str(t.name);
    header.u32(t.dims.length);
    for (const d of t.dims) header.u64(d);
    header.u32(ggmlTypeF32);
    header.u64(offset);
    const bytes = t.dims.reduce((a, b) => a * b, 1) * 4;
    offset += Math.ceil(bytes / alignment) * alignment;
  }
  header.pad(alignment);
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  let size = 0;
  try {
    size += writeSync(fd, header.bytes());
    for (const t of tensors) {
      if (!t.data) continue;
      const data = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      size += writeSync(fd, data);
      const rest = (alignment - (data.length % alignment)) % alignment;
      if (rest) size += writeSync(fd, Buffer.alloc(rest));
    }
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return size;
}
