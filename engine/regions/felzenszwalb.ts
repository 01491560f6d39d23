// Graph-based image segmentation (Felzenszwalb & Huttenlocher 2004), colour-vector variant as in
// scikit-image: Gaussian smoothing, an 8-connected pixel graph weighted by RGB distance (0..255
// scale), Kruskal-order merging with the adaptive threshold Int(C) + scale / |C|, then components
// smaller than minSize are absorbed into a neighbour. Label-free: nothing here knows about objects.
import type { RgbImage } from '../types.ts';

export interface SegmentOptions {
  /** Larger scale → larger segments (k of the paper, for 0..255 intensities). */
  scale: number;
  /** Gaussian smoothing before building the graph. */
  sigma: number;
  /** Smallest segment, in pixels. */
  minSize: number;
}

export interface Segmentation {
  width: number;
  height: number;
  /** Segment number of each pixel, 0..count-1, row-major. */
  labels: Int32Array;
  count: number;
}

function smoothChannel(src: Float32Array, width: number, height: number, sigma: number): Float32Array {
  if (sigma <= 0) return src;
  const radius = Math.ceil(sigma * 4);
  const kernel = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    kernel[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
    sum += kernel[i + radius];
  }
  for (let i = 0; i < kernel.length; i++) kernel[i] /= sum;
  const tmp = new Float32Array(src.length);
  const out = new Float32Array(src.length);
  // Borders replicate the edge pixel; interior pixels skip the clamping.
  const clamp = (v: number, hi: number): number => (v < 0 ? 0 : v > hi ? hi : v);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let acc = 0;
      if (x >= radius && x < width - radius) {
        for (let k = -radius; k <= radius; k++) acc += kernel[k + radius] * src[row + x + k];
      } else {
        for (let k = -radius; k <= radius; k++) acc += kernel[k + radius] * src[row + clamp(x + k, width - 1)];
      }
      tmp[row + x] = acc;
    }
  }
  for (let y = 0; y < height; y++) {
    const inside = y >= radius && y < height - radius;
    for (let x = 0; x < width; x++) {
      let acc = 0;
      if (inside) {
        for (let k = -radius; k <= radius; k++) acc += kernel[k + radius] * tmp[(y + k) * width + x];
      } else {
        for (let k = -radius; k <= radius; k++) acc += kernel[k + radius] * tmp[clamp(y + k, height - 1) * width + x];
      }
      out[y * width + x] = acc;
    }
  }
  return out;
}

class DisjointSet {
  readonly parent: Int32Array;
  readonly size: Int32Array;
  /** Largest edge weight inside each component (Int(C) of the paper). */
  readonly internal: Float32Array;

  constructor(n: number) {
    this.parent = new Int32Array(n);
    for (let i = 0; i < n; i++) this.parent[i] = i;
    this.size = new Int32Array(n).fill(1);
    this.internal = new Float32Array(n);
  }

  find(x: number): number {
    let root = x;
    while (this.parent[root] !== root) root = this.parent[root];
    while (this.parent[x] !== root) {
      const next = this.parent[x];
      this.parent[x] = root;
      x = next;
    }
    return root;
  }

  union(a: number, b: number, weight: number): number {
    if (this.size[a] < this.size[b]) [a, b] = [b, a];
    this.parent[b] = a;
    this.size[a] += this.size[b];
    this.internal[a] = Math.max(this.internal[a], this.internal[b], weight);
    return a;
  }
}

// Edges are ordered by a counting sort on weights quantised to 1/16 of a colour level (a linear-time
// sort; the quantisation is far below what changes a merge decision). Equal keys keep pixel order.
const WEIGHT_STEPS = 16;

function sortEdges(weight: Float32Array, m: number): Int32Array {
  let maxKey = 0;
  const keys = new Int32Array(m);
  for (let e = 0; e < m; e++) {
    const k = Math.round(weight[e] * WEIGHT_STEPS);
    keys[e] = k;
    if (k > maxKey) maxKey = k;
  }
  const starts = new Int32Array(maxKey + 2);
  for (let e = 0; e < m; e++) starts[keys[e] + 1]++;
  for (let k = 1; k < starts.length; k++) starts[k] += starts[k - 1];
  const order = new Int32Array(m);
  for (let e = 0; e < m; e++) order[starts[keys[e]]++] = e;
  return order;
}

export function segmentImage(image: RgbImage, options: SegmentOptions): Segmentation {
  const { width, height } = image;
  const n = width * height;
  const channels = [0, 1, 2].map((c) => {
    const ch = new Float32Array(n);
    for (let i = 0; i < n; i++) ch[i] = image.data[i * 3 + c];
    return smoothChannel(ch, width, height, options.sigma);
  });
  const [r, g, b] = channels;

  // Edges to the right, down, down-right and up-right neighbours: each undirected 8-neighbour pair once.
  const maxEdges = n * 4;
  const from = new Int32Array(maxEdges);
  const to = new Int32Array(maxEdges);
  const weight = new Float32Array(maxEdges);
  let m = 0;
  const addEdge = (p: number, q: number): void => {
    const dr = r[p] - r[q];
    const dg = g[p] - g[q];
    const db = b[p] - b[q];
    from[m] = p;
    to[m] = q;
    weight[m] = Math.sqrt(dr * dr + dg * dg + db * db);
    m++;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      if (x + 1 < width) addEdge(p, p + 1);
      if (y + 1 < height) addEdge(p, p + width);
      if (x + 1 < width && y + 1 < height) addEdge(p, p + width + 1);
      if (x + 1 < width && y > 0) addEdge(p, p - width + 1);
    }
  }
  const order = sortEdges(weight, m);

  const set = new DisjointSet(n);
  const threshold = new Float32Array(n).fill(options.scale);
  for (let i = 0; i < m; i++) {
    const e = order[i];
    const a = set.find(from[e]);
    const c = set.find(to[e]);
    if (a === c) continue;
    const w = weight[e];
    if (w <= threshold[a] && w <= threshold[c]) {
      const root = set.union(a, c, w);
      threshold[root] = set.internal[root] + options.scale / set.size[root];
    }
  }
  // Absorb components below minSize, again in increasing edge order.
  for (let i = 0; i < m; i++) {
    const e = order[i];
    const a = set.find(from[e]);
    const c = set.find(to[e]);
    if (a !== c && (set.size[a] < options.minSize || set.size[c] < options.minSize)) set.union(a, c, weight[e]);
  }

  const labels = new Int32Array(n);
  const remap = new Int32Array(n).fill(-1);
  let count = 0;
  for (let p = 0; p < n; p++) {
    const root = set.find(p);
    if (remap[root] < 0) remap[root] = count++;
    labels[p] = remap[root];
  }
  return { width, height, labels, count };
}
