// Boxes drawn on a generated picture of the session (issue 20: "the user can box parts of the
// generated image as relevant/irrelevant like any result"): each box's crop, encoded by the library's
// model, and its caption when given, become region marks of this turn (tools/region-marks.ts).
import type { RegionMark } from '../agent/feedback/region-score.ts';
import { BoxError, resolveBox } from '../engine/images/box.ts';
import { decodeImage } from '../engine/images/decode.ts';
import type { Library } from '../engine/library/library.ts';
import { ToolError } from './errors.ts';
import { readPicture } from './generated-pictures.ts';
import type { PictureRegion } from './schemas.ts';

export function pictureMarkLabel(region: PictureRegion): string {
  return region.caption?.trim() || `region of picture ${region.pictureId}`;
}

export async function encodePictureMarks(library: Library, sessionId: string, regions: readonly PictureRegion[]): Promise<RegionMark[]> {
  const marks: RegionMark[] = [];
  const captioned = regions.filter((r) => r.caption?.trim());
  if (captioned.length) {
    const vectors = await (await library.runtime()).encodeTexts(captioned.map((r) => r.caption!.trim()));
    captioned.forEach((r, i) => marks.push({ label: pictureMarkLabel(r), vector: vectors[i], relevant: r.relevant }));
  }
  for (const region of regions) {
    const png = readPicture(library.dir, sessionId, region.pictureId);
    if (!png) throw new ToolError('bad-input', `pictureRegions: session ${sessionId} has no picture ${region.pictureId}; use an id visualize-query returned`);
    const image = await decodeImage(png);
    let box;
    try {
      box = resolveBox(region.box, region.units, image);
    } catch (err) {
      if (err instanceof BoxError) throw new ToolError('bad-box', `pictureRegions: box on ${region.pictureId}: ${err.message}`);
      throw err;
    }
    marks.push({ label: pictureMarkLabel(region), vector: await library.encodeImage(image, box), relevant: region.relevant });
  }
  return marks;
}
