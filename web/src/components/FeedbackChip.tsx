// Feedback shown as a picture: a small thumbnail of the image it was given on, and what was said.
import { useImageUrls } from '../image-urls.ts';

export function FeedbackChip({ imageId, relevant, label }: { imageId: number; relevant: boolean; label: string }) {
  const urls = useImageUrls();
  return (
    <li className={`flex items-center gap-1 rounded py-0.5 pl-0.5 pr-1.5 text-white ${relevant ? 'bg-emerald-800' : 'bg-rose-800'}`}>
      <img src={urls.thumb(imageId, 64)} alt="" className="h-6 w-6 rounded-sm object-cover" />
      <span>{label}</span>
    </li>
  );
}
