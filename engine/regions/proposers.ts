// Builds the region proposer that configs/regions.yaml asks for (windows or label-free proposals; the
// token source needs the model and is built by the region indexer).
import type { RegionProposal, RegionProposer, RgbImage } from '../types.ts';
import type { RegionsConfig } from './config.ts';
import { SegmentProposer } from './segment-proposer.ts';
import { WindowProposer } from './windows.ts';

/** Runs several proposers and concatenates their regions (e.g. segments plus a few windows). */
export class CombinedProposer implements RegionProposer {
  readonly name: string;
  constructor(private readonly parts: RegionProposer[]) {
    this.name = parts.map((p) => p.name).join('+');
  }

  async propose(image: RgbImage): Promise<RegionProposal[]> {
    const all = await Promise.all(this.parts.map((p) => p.propose(image)));
    return all.flat();
  }
}

export function createRegionProposer(config: Pick<RegionsConfig, 'source' | 'windows' | 'proposer'>): RegionProposer {
  switch (config.source) {
    case 'windows':
      return new WindowProposer(config.windows);
    case 'proposer': {
      const segments = new SegmentProposer(config.proposer);
      return config.proposer.plusWindows.length ? new CombinedProposer([segments, new WindowProposer(config.proposer.plusWindows)]) : segments;
    }
    case 'tokens':
    case 'cells':
      throw new Error(`the ${config.source} source follows the model’s own cell grid: the region indexer builds it with the model`);
  }
}
