// The file behind a result: name, date, folder path, size, and a link to the original.
import { useEffect, useState } from 'react';
import { api, imageUrl, type ImageInfo } from '../api.ts';

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function useImageInfo(id: number): ImageInfo | null {
  const [info, setInfo] = useState<ImageInfo | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    setInfo(null);
    api
      .imageInfo(id, abort.signal)
      .then(setInfo)
      .catch(() => undefined);
    return () => abort.abort();
  }, [id]);
  return info;
}

export function ImageDetails({ id, info }: { id: number; info: ImageInfo | null }) {
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-2 text-sm text-slate-700" data-testid="image-details">
      <dt className="font-medium">File</dt>
      <dd className="break-all" data-testid="image-filename">{info?.filename ?? '…'}</dd>
      <dt className="font-medium">Date</dt>
      <dd>{info ? new Date(info.modified).toLocaleString() : '…'}</dd>
      <dt className="font-medium">Size</dt>
      <dd>{info ? `${info.width}×${info.height} px, ${formatBytes(info.bytes)}` : '…'}</dd>
      <dt className="font-medium">Path</dt>
      <dd className="break-all text-xs">{info?.path ?? '…'}</dd>
      <dd className="col-span-2 mt-1">
        <a href={imageUrl(id)} target="_blank" rel="noopener" className="inline-flex min-h-11 items-center text-indigo-800 underline sm:min-h-0" data-testid="open-original">
          Open the original
        </a>
      </dd>
    </dl>
  );
}
