// An image shown whole inside a square (letterboxed, never cropped), so that boxes given in pixels of
// the original image can be laid over it with percentages: the overlay has exactly the image's shape.
import type { ReactNode } from 'react';

interface Props {
  src: string | undefined;
  alt: string;
  width: number;
  height: number;
  children?: ReactNode;
}

export function FramedImage({ src, alt, width, height, children }: Props) {
  const wide = !height || width >= height;
  return (
    <span className="flex aspect-square w-full items-center justify-center bg-slate-100">
      <span className="relative block" style={{ aspectRatio: `${width || 1} / ${height || 1}`, width: wide ? '100%' : 'auto', height: wide ? 'auto' : '100%' }}>
        <img src={src} alt={alt} loading="lazy" className="absolute inset-0 h-full w-full" />
        {children}
      </span>
    </span>
  );
}
