// Fixed multi-scale windows: the model-free baseline. Each level is a grid × grid lattice of windows
// whose sides are `size` of the image's sides, spread evenly from edge to edge (so they overlap when
// grid × size > 1).
import type { Box, RegionProposal, RegionProposer, RgbImage } from '../types.ts';

export interface WindowLevel {
  /** Windows per row and per column. */
  grid: number;
  /** Window side as a fraction of the image side (0 < size ≤ 1). */
  size: number;
}

export function windowBoxes(width: number, height: number, levels: WindowLevel[]): Box[] {
  const boxes: Box[] = [];
  for (const { grid, size } of levels) {
    const w = Math.max(1, Math.round(width * size));
    const h = Math.max(1, Math.round(height * size));
    for (let row = 0; row < grid; row++) {
      for (let col = 0; col < grid; col++) {
        const x = grid === 1 ? Math.round((width - w) / 2) : Math.round(((width - w) * col) / (grid - 1));
        const y = grid === 1 ? Math.round((height - h) / 2) : Math.round(((height - h) * row) / (grid - 1));
        boxes.push({ x, y, w, h });
      }
    }
  }
  return boxes;
}

export class WindowProposer implements RegionProposer {
  readonly name = 'windows';
  constructor(private readonly levels: WindowLevel[]) {}

  async propose(image: RgbImage): Promise<RegionProposal[]> {
    return windowBoxes(image.width, image.height, this.levels).map((box) => ({ box, source: 'window' }));
  }
}
