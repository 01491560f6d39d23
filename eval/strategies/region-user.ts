// The simulated region user of the probe (docs/feedback.md): at each turn, unless the target is already
// first, every object of the shown results that matches one of the target's objects by colour and
// shape is boxed relevant and every other object irrelevant. The boxes are the ground-truth boxes of
// the SHOWN images (what a user draws); the captions are what a captioner would say of the crop.
// Marks accumulate over turns (each object of each image is marked once).
import { decodeImage } from '../../engine/images/decode.ts';
import { colourShapePhrase } from '../../engine/world/captions.ts';
import type { Colour, Shape } from '../../engine/world/vocabulary.ts';
import type { MarkInput } from '../../engine/regions/marks.ts';
import type { FeedbackTurn } from '../strategy.ts';

/** The new marks of this turn (none when the target is at rank 1 or the collection has no objects). */
export async function simulateRegionMarks(turn: FeedbackTurn, alreadyMarked: ReadonlySet<string>): Promise<MarkInput[]> {
  const { target, shown, collection } = turn;
  if (shown.length === 0 || shown[0].id === target.index || !target.objects) return [];
  const wanted = new Set(target.objects.map((o) => `${o.colour}|${o.shape}`));
  const marks: MarkInput[] = [];
  for (const hit of shown) {
    const image = collection.dataset.images[hit.id];
    const objects = image.objects ?? [];
    const fresh = objects.map((o, k) => ({ o, id: `${hit.id}#${k}` })).filter(({ id }) => !alreadyMarked.has(id));
    if (fresh.length === 0) continue;
    const pixels = await decodeImage(image.path);
    for (const { o, id } of fresh) {
      const [x, y, w, h] = o.box;
      marks.push({
        label: id,
        relevant: wanted.has(`${o.colour}|${o.shape}`),
        image: pixels,
        box: { x, y, w, h },
        caption: colourShapePhrase(o.colour as Colour, o.shape as Shape),
      });
    }
  }
  return marks;
}
