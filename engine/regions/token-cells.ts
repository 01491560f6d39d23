// The model's own cell grid as regions: each patch/cell token covers one cell of the model's input
// square, which maps back to a box of the original image through the model's resize and centre crop.
import type { Box, PreprocessSpec, RegionProposal, RegionProposer, RgbImage } from '../types.ts';
import { planResize } from '../images/prepare.ts';
import { clampBox } from './geometry.ts';

/** Cells per side and whether the first token is a summary (CLS or mean) rather than a cell. */
export function tokenGrid(tokenCount: number): { side: number; skipFirst: boolean } {
  const root = Math.round(Math.sqrt(tokenCount));
  if (root * root === tokenCount) return { side: root, skipFirst: false };
  const rest = Math.round(Math.sqrt(tokenCount - 1));
  if (rest * rest === tokenCount - 1) return { side: rest, skipFirst: true };
  throw new Error(`cannot lay ${tokenCount} tokens out as a square grid of cells`);
}

/** Boxes of the original image covered by each cell of a side × side grid over the model's input. */
export function cellBoxes(width: number, height: number, spec: PreprocessSpec, side: number): Box[] {
  const plan = planResize(width, height, spec);
  const sx = width / plan.width;
  const sy = height / plan.height;
  const cw = plan.cropWidth / side;
  const ch = plan.cropHeight / side;
  const boxes: Box[] = [];
  for (let row = 0; row < side; row++) {
    for (let col = 0; col < side; col++) {
      const x0 = (plan.left + col * cw) * sx;
      const y0 = (plan.top + row * ch) * sy;
      boxes.push(clampBox({ x: x0, y: y0, w: cw * sx, h: ch * sy }, width, height));
    }
  }
  return boxes;
}

export class TokenCellProposer implements RegionProposer {
  readonly name = 'tokens';
  constructor(
    private readonly spec: PreprocessSpec,
    readonly side: number,
  ) {}

  async propose(image: RgbImage): Promise<RegionProposal[]> {
    return cellBoxes(image.width, image.height, this.spec, this.side).map((box) => ({ box, source: 'token' }));
  }
}
