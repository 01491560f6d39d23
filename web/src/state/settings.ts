// Feedback settings: defaults from the server (configs/feedback.yaml), the user's changes kept in
// localStorage so they survive a reload.
import { useCallback, useEffect, useState } from 'react';
import type { ChatSettings } from '../types.ts';

const storageKey = 'visualref.settings';

function stored(): Partial<ChatSettings> | undefined {
  try {
    const raw = localStorage.getItem(storageKey);
    return raw ? (JSON.parse(raw) as Partial<ChatSettings>) : undefined;
  } catch {
    return undefined;
  }
}

/** Stored values over the defaults, key by key, so a new setting added later gets its default. */
export function mergeSettings(defaults: ChatSettings, saved: Partial<ChatSettings> | undefined): ChatSettings {
  if (!saved) return defaults;
  return {
    ...defaults,
    ...saved,
    sources: { ...defaults.sources, ...saved.sources },
    weights: { ...defaults.weights, ...saved.weights },
  };
}

export function useSettings(defaults: ChatSettings | undefined) {
  const [settings, setSettings] = useState<ChatSettings | undefined>(undefined);
  useEffect(() => {
    if (defaults) setSettings(mergeSettings(defaults, stored()));
  }, [defaults]);
  const update = useCallback((next: ChatSettings) => {
    setSettings(next);
    localStorage.setItem(storageKey, JSON.stringify(next));
  }, []);
  const reset = useCallback(() => {
    localStorage.removeItem(storageKey);
    if (defaults) setSettings(defaults);
  }, [defaults]);
  return { settings, update, reset };
}
