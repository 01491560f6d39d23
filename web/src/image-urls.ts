// Where the components load images from. The web app reads them from its /api routes; the MCP Apps
// view (web/mcp-app/) has no server of its own and gives data: URLs made from what the host fetched.
import { createContext, useContext } from 'react';
import { imageUrl, thumbUrl } from './api.ts';

export interface ImageUrls {
  /** A small image (about `size` px) for the grid and chips; undefined while it is still being fetched. */
  thumb(id: number, size?: number): string | undefined;
  /** The original image for the large view; undefined while it is still being fetched. */
  full(id: number): string | undefined;
}

export const ImageUrlsContext = createContext<ImageUrls>({ thumb: (id, size) => thumbUrl(id, size), full: imageUrl });

export function useImageUrls(): ImageUrls {
  return useContext(ImageUrlsContext);
}
