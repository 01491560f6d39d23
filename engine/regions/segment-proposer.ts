// Label-free, class-agnostic object proposals: graph-based segmentation of a small copy of the image,
// then selective-search style grouping of adjacent segments (colour, size and fill similarity), so
// that an object split into several segments (stripes, dots, shading) is also proposed whole. Every
// segment and every merge is a candidate; candidates are ranked by how much their colours differ
// from their surroundings (objects stand out from the background) and how compact they are (objects
// fill their box; waves, cracks and grain do not), mildly favouring larger boxes, de-duplicated, and the best
// `maxBoxes` are returned in the original image's pixels.
import type { Box, RegionProposal, RegionProposer, RgbImage } from '../types.ts';
import { downscaleToMaxSide } from './downscale.ts';
import { segmentImage, type Segmentation } from './felzenszwalb.ts';
import { clampBox, dedupeBoxes } from './geometry.ts';

export interface SegmentProposerOptions {
  /** Segmentation runs on a copy whose longer side is at most this (px). */
  workSide: number;
  scale: number;
  sigma: number;
  /** Smallest segment in pixels of a workSide × workSide image; scaled with the working copy's area. */
  minSize: number;
  maxBoxes: number;
  /** Box area limits, as fractions of the image area. */
  minArea: number;
  maxArea: number;
  /** Boxes overlapping a better one by more than this IoU are dropped. */
  dedupeIoU: number;
  /** Rank = contrast × (area fraction)^areaWeight: above 0 favours larger boxes over small high-contrast bits. */
  areaWeight: number;
  /** Rank is also × fill^fillWeight (fill = segment pixels / box pixels), favouring compact regions. */
  fillWeight: number;
  /** Group adjacent segments hierarchically (selective search) and propose the groups too. */
  merge: boolean;
}

const BINS = 16; // histogram bins per channel

interface Group {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  size: number;
  hist: Float32Array;
  neighbours: Set<number>;
  alive: boolean;
}

interface Candidate {
  box: Box;
  contrast: number;
  /** Segment pixels / box pixels: compact objects fill their box, thin background structures do not. */
  fill: number;
}

function intersection(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.min(a[i], b[i]);
  return s;
}

function initialGroups(image: RgbImage, seg: Segmentation): Group[] {
  const groups: Group[] = [];
  for (let i = 0; i < seg.count; i++) {
    groups.push({ x0: Infinity, y0: Infinity, x1: -1, y1: -1, size: 0, hist: new Float32Array(BINS * 3), neighbours: new Set(), alive: true });
  }
  const { width, height, labels } = seg;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const g = groups[labels[p]];
      if (x < g.x0) g.x0 = x;
      if (x > g.x1) g.x1 = x;
      if (y < g.y0) g.y0 = y;
      if (y > g.y1) g.y1 = y;
      g.size++;
      for (let c = 0; c < 3; c++) g.hist[c * BINS + ((image.data[p * 3 + c] * BINS) >> 8)]++;
      if (x + 1 < width && labels[p + 1] !== labels[p]) {
        g.neighbours.add(labels[p + 1]);
        groups[labels[p + 1]].neighbours.add(labels[p]);
      }
      if (y + 1 < height && labels[p + width] !== labels[p]) {
        g.neighbours.add(labels[p + width]);
        groups[labels[p + width]].neighbours.add(labels[p]);
      }
    }
  }
  for (const g of groups) for (let i = 0; i < g.hist.length; i++) g.hist[i] /= g.size * 3;
  return groups;
}

/** 1 − intersection of a group's colours with the size-weighted colours of its neighbours. */
function contrast(groups: Group[], g: Group): number {
  if (g.neighbours.size === 0) return 0;
  const around = new Float32Array(BINS * 3);
  let total = 0;
  for (const n of g.neighbours) {
    const h = groups[n];
    for (let i = 0; i < around.length; i++) around[i] += h.hist[i] * h.size;
    total += h.size;
  }
  for (let i = 0; i < around.length; i++) around[i] /= total;
  return 1 - intersection(g.hist, around);
}

function similarity(a: Group, b: Group, imageArea: number): number {
  const colour = intersection(a.hist, b.hist);
  const size = 1 - (a.size + b.size) / imageArea;
  const bw = Math.max(a.x1, b.x1) - Math.min(a.x0, b.x0) + 1;
  const bh = Math.max(a.y1, b.y1) - Math.min(a.y0, b.y0) + 1;
  const fill = 1 - (bw * bh - a.size - b.size) / imageArea;
  return colour + size + fill;
}

function pairKey(a: number, b: number): number {
  return a < b ? a * 1_000_003 + b : b * 1_000_003 + a;
}

function candidates(image: RgbImage, seg: Segmentation, merge: boolean): Candidate[] {
  const groups = initialGroups(image, seg);
  const area = seg.width * seg.height;
  const toCandidate = (g: Group): Candidate => ({
    box: { x: g.x0, y: g.y0, w: g.x1 - g.x0 + 1, h: g.y1 - g.y0 + 1 },
    contrast: contrast(groups, g),
    fill: g.size / ((g.x1 - g.x0 + 1) * (g.y1 - g.y0 + 1)),
  });
  const out = groups.map(toCandidate);
  if (!merge) return out;

  const sims = new Map<number, { a: number; b: number; s: number }>();
  for (let a = 0; a < groups.length; a++) {
    for (const b of groups[a].neighbours) if (a < b) sims.set(pairKey(a, b), { a, b, s: similarity(groups[a], groups[b], area) });
  }
  while (sims.size > 0) {
    let best: { a: number; b: number; s: number } | undefined;
    for (const pair of sims.values()) if (!best || pair.s > best.s) best = pair;
    if (!best) break;
    const ga = groups[best.a];
    const gb = groups[best.b];
    const size = ga.size + gb.size;
    const hist = new Float32Array(ga.hist.length);
    for (let i = 0; i < hist.length; i++) hist[i] = (ga.hist[i] * ga.size + gb.hist[i] * gb.size) / size;
    const neighbours = new Set([...ga.neighbours, ...gb.neighbours]);
    neighbours.delete(best.a);
    neighbours.delete(best.b);
    const merged: Group = {
      x0: Math.min(ga.x0, gb.x0),
      y0: Math.min(ga.y0, gb.y0),
      x1: Math.max(ga.x1, gb.x1),
      y1: Math.max(ga.y1, gb.y1),
      size,
      hist,
      neighbours,
      alive: true,
    };
    const id = groups.length;
    groups.push(merged);
    ga.alive = false;
    gb.alive = false;
    for (const old of [best.a, best.b]) {
      for (const n of groups[old].neighbours) {
        sims.delete(pairKey(old, n));
        const ng = groups[n];
        ng.neighbours.delete(old);
        if (ng.alive) ng.neighbours.add(id);
      }
    }
    for (const n of neighbours) sims.set(pairKey(n, id), { a: n, b: id, s: similarity(groups[n], merged, area) });
    out.push(toCandidate(merged));
  }
  return out;
}

/** The boxes proposed for an image, best first, in the image's own pixels. */
export function proposeSegmentBoxes(image: RgbImage, options: SegmentProposerOptions): Box[] {
  const small = downscaleToMaxSide(image, options.workSide);
  const minSize = Math.max(1, Math.round((options.minSize * small.width * small.height) / (options.workSide * options.workSide)));
  const seg = segmentImage(small, { scale: options.scale, sigma: options.sigma, minSize });
  const area = small.width * small.height;
  const ranked = candidates(small, seg, options.merge)
    .filter((c) => {
      const f = (c.box.w * c.box.h) / area;
      return f >= options.minArea && f <= options.maxArea;
    })
    .map((c) => ({ box: c.box, rank: c.contrast * ((c.box.w * c.box.h) / area) ** options.areaWeight * c.fill ** options.fillWeight }))
    .sort((a, b) => b.rank - a.rank);
  const fx = image.width / small.width;
  const fy = image.height / small.height;
  return dedupeBoxes(
    ranked.map((c) => c.box),
    options.dedupeIoU,
    options.maxBoxes,
  ).map((b) => clampBox({ x: b.x * fx, y: b.y * fy, w: b.w * fx, h: b.h * fy }, image.width, image.height));
}

export class SegmentProposer implements RegionProposer {
  readonly name = 'segments';
  constructor(private readonly options: SegmentProposerOptions) {}

  async propose(image: RgbImage): Promise<RegionProposal[]> {
    return proposeSegmentBoxes(image, this.options).map((box) => ({ box, source: 'proposer' }));
  }
}
