// Opens an ONNX Runtime session on the asked execution provider, falling back to the CPU with one
// warning per provider when that provider cannot start (no GPU, no driver, no WebGPU adapter).
import * as ort from 'onnxruntime-node';
import { log } from '../log.ts';
import type { ExecutionProvider } from '../types.ts';

export interface OpenedSession {
  session: ort.InferenceSession;
  /** The provider actually in use. */
  provider: ExecutionProvider;
}

export interface SessionOptions {
  /** Threads for one operator (0 = ONNX Runtime's choice). */
  threads?: number;
  /** Let idle operator threads spin (default false; see sessionOptions). */
  spinning?: boolean;
}

const warned = new Set<ExecutionProvider>();

// ONNX Runtime's native log repeats, in red and at length, what its exceptions already say (a
// missing CUDA library, no WebGPU adapter); the exceptions are reported instead.
ort.env.logLevel = 'fatal';

function sessionOptions(provider: ExecutionProvider, options: SessionOptions): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: options.threads ?? 0,
    logSeverityLevel: 4,
    // Idle operator threads sleep instead of spinning by default: spinning threads took the CPU from
    // image decoding (sharp) and from other processes, and cost 1.5x the CPU time per image on a
    // busy 2-core machine (bench/encode-cpu.ts --spinning, docs/performance.md).
    extra: { session: { intra_op: { allow_spinning: options.spinning ? '1' : '0' } } },
  };
}

/** `model`: the graph's bytes when they differ from the file's (e.g. with an output added); `file` names it. */
export async function openSession(file: string, provider: ExecutionProvider, options: SessionOptions = {}, model?: Uint8Array): Promise<OpenedSession> {
  const create = (opts: ort.InferenceSession.SessionOptions) => (model ? ort.InferenceSession.create(model, opts) : ort.InferenceSession.create(file, opts));
  if (provider !== 'cpu') {
    try {
      return { session: await create(sessionOptions(provider, options)), provider };
    } catch (err) {
      if (!warned.has(provider)) {
        warned.add(provider);
        const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 200);
        log.warn(`execution provider "${provider}" is not available (${reason}); using the CPU instead`);
      }
    }
  }
  try {
    return { session: await create(sessionOptions('cpu', options)), provider: 'cpu' };
  } catch (err) {
    throw new Error(`cannot load the ONNX model ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The element type of a named input, or undefined when the graph does not have that input. */
export function inputType(session: ort.InferenceSession, name: string): string | undefined {
  const meta = session.inputMetadata.find((m) => m.name === name);
  return meta && meta.isTensor ? meta.type : undefined;
}

/** The element type of a named output, or undefined when the graph does not have that output. */
export function outputType(session: ort.InferenceSession, name: string): string | undefined {
  const meta = session.outputMetadata.find((m) => m.name === name);
  return meta && meta.isTensor ? meta.type : undefined;
}

/** The last dimension of a named output when the graph states it as a number. */
export function outputWidth(session: ort.InferenceSession, name: string): number | undefined {
  const meta = session.outputMetadata.find((m) => m.name === name);
  if (!meta || !meta.isTensor) return undefined;
  const last = meta.shape[meta.shape.length - 1];
  return typeof last === 'number' ? last : undefined;
}

/** Float32 data of an output tensor (float16 outputs are widened). */
export function floatData(tensor: ort.Tensor): Float32Array {
  if (tensor.type === 'float32') return tensor.data as Float32Array;
  if (tensor.type === 'float16') return float16ToFloat32(tensor.data as Uint16Array);
  throw new Error(`unexpected output type ${tensor.type}`);
}

/** Float32 values as float16 bits (round to nearest even), for graphs with float16 inputs. */
export function float32ToFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  for (let i = 0; i < values.length; i++) {
    f[0] = values[i];
    const x = u[0];
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant ? 0x200 : 0);
      continue;
    }
    let e = exp - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00;
      continue;
    }
    if (e <= 0) {
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      mant |= 0x800000;
      const shift = 14 - e;
      const half = 1 << (shift - 1);
      let m = mant >>> shift;
      const rest = mant & ((1 << shift) - 1);
      if (rest > half || (rest === half && (m & 1))) m++;
      out[i] = sign | m;
      continue;
    }
    let m = mant >>> 13;
    const rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && (m & 1))) {
      m++;
      if (m === 0x400) {
        m = 0;
        e++;
        if (e >= 0x1f) {
          out[i] = sign | 0x7c00;
          continue;
        }
      }
    }
    out[i] = sign | (e << 10) | m;
  }
  return out;
}

export function float16ToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i];
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) out[i] = sign * mant * 2 ** -24;
    else if (exp === 0x1f) out[i] = mant ? NaN : sign * Infinity;
    else out[i] = sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  return out;
}
