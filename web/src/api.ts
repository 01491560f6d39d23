// Small typed fetch helpers for the /api routes other than /api/chat.
import type { CaptionRegionOutput } from '../../tools/contract/schemas.ts';
import type { AgentInfo, Box, ChatMessage, ChatSettings, LibraryStatus, SessionSummary } from './types.ts';

/** The message of a route's error body ({"error": "..."}), or the text itself when it is not one. */
export function errorMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // not JSON: the text is the message
  }
  return text;
}

async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(errorMessage(await res.text()) || `${res.status} ${res.statusText}`);
  return (await res.json()) as T;
}

/** What /api/images/:id/info tells about an image's file. */
export interface ImageInfo {
  id: number;
  filename: string;
  path: string;
  width: number | null;
  height: number | null;
  bytes: number;
  modified: string;
}

export const api = {
  imageInfo: (id: number, signal?: AbortSignal) => getJson<ImageInfo>(`/api/images/${id}/info`, { signal }),
  config: () => getJson<{ settings: ChatSettings; agent: AgentInfo }>('/api/config'),
  status: () => getJson<LibraryStatus>('/api/status'),
  sessions: () => getJson<{ sessions: SessionSummary[] }>('/api/sessions'),
  renameSession: (id: string, title: string) =>
    getJson<{ id: string; title: string }>(`/api/sessions/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title }),
    }),
  deleteSession: (id: string) => getJson<{ deleted: string }>(`/api/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  session: (id: string) => getJson<{ session: unknown; messages: ChatMessage[] }>(`/api/sessions/${encodeURIComponent(id)}`),
  captionRegion: (body: { imageId: number; box: Box; units: 'px'; relevant: boolean }, signal?: AbortSignal) =>
    getJson<CaptionRegionOutput>('/api/caption-region', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal,
    }),
};

export const imageUrl = (id: number) => `/api/images/${id}`;
export const thumbUrl = (id: number, size = 320) => `/api/images/${id}/thumb?size=${size}`;
export const exportUrl = (sessionId: string) => `/api/sessions/${encodeURIComponent(sessionId)}/export`;
