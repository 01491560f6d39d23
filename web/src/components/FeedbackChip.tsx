// Feedback shown as a picture: a small thumbnail of the image it was given on, and what was said.
import { thumbUrl } from '../api.ts';

export function FeedbackChip({ imageId, relevant, label }: { imageId: number; relevant: boolean; label: string }) {
  return (
    <li className={`flex items-center gap-1 rounded py-0.5 pl-0.5 pr-1.5 text-white ${relevant ? 'bg-emerald-800' : 'bg-rose-800'}`}>
      <img src={thumbUrl(imageId, 64)} alt="" className="h-6 w-6 rounded-sm object-cover" />
      <span>{label}</span>
    </li>
  );
}
