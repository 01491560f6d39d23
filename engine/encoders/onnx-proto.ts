// Just enough of the protobuf wire format to read an ONNX graph's nodes and append nodes, an
// initializer and an output to it (engine/encoders/token-head.ts), without a protobuf dependency.
// Fields are kept as raw byte slices, so weights are never decoded and the rest round-trips unchanged.

export interface Field {
  no: number;
  wire: number;
  /** Varint value (wire 0) or the payload bytes (wire 2; wire 1 and 5: the 8 or 4 raw bytes). */
  value: bigint | Uint8Array;
}

function readVarint(buf: Uint8Array, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw new Error('ONNX file: truncated varint');
    const byte = buf[pos++];
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, pos];
    shift += 7n;
    if (shift > 70n) throw new Error('ONNX file: varint too long');
  }
}

export function decodeFields(buf: Uint8Array): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [key, afterKey] = readVarint(buf, pos);
    pos = afterKey;
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [v, next] = readVarint(buf, pos);
      fields.push({ no, wire, value: v });
      pos = next;
    } else if (wire === 2) {
      const [len, next] = readVarint(buf, pos);
      const end = next + Number(len);
      if (end > buf.length) throw new Error('ONNX file: truncated field');
      fields.push({ no, wire, value: buf.subarray(next, end) });
      pos = end;
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      fields.push({ no, wire, value: buf.subarray(pos, pos + size) });
      pos += size;
    } else {
      throw new Error(`ONNX file: unsupported protobuf wire type ${wire}`);
    }
  }
  return fields;
}

function varintBytes(value: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, value);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return out;
}

export function encodeFields(fields: Field[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const f of fields) {
    const key = Uint8Array.from(varintBytes(BigInt((f.no << 3) | f.wire)));
    parts.push(key);
    total += key.length;
    if (f.wire === 0) {
      const v = Uint8Array.from(varintBytes(f.value as bigint));
      parts.push(v);
      total += v.length;
    } else {
      const payload = f.value as Uint8Array;
      if (f.wire === 2) {
        const len = Uint8Array.from(varintBytes(BigInt(payload.length)));
        parts.push(len);
        total += len.length;
      }
      parts.push(payload);
      total += payload.length;
    }
  }
  const out = new Uint8Array(total);
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

const utf8 = new TextDecoder();
const toUtf8 = new TextEncoder();

export const text = (value: bigint | Uint8Array): string => utf8.decode(value as Uint8Array);
export const bytesField = (no: number, value: Uint8Array | string): Field => ({ no, wire: 2, value: typeof value === 'string' ? toUtf8.encode(value) : value });
export const varintField = (no: number, value: number | bigint): Field => ({ no, wire: 0, value: BigInt(value) });
