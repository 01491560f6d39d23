// The host sends the tool result as soon as the view has initialized, possibly before React has
// mounted: keep the latest one and hand it to whoever subscribes, now or later.
import type { App } from '@modelcontextprotocol/ext-apps';

type ToolResultParams = Parameters<NonNullable<App['ontoolresult']>>[0];

export interface ToolResultFeed {
  subscribe(listener: (result: ToolResultParams) => void): () => void;
}

/** Must be called before app.connect(), as the extension requires of its handlers. */
export function toolResultFeed(app: App): ToolResultFeed {
  let latest: ToolResultParams | undefined;
  const listeners = new Set<(result: ToolResultParams) => void>();
  app.ontoolresult = (result) => {
    latest = result;
    for (const listener of listeners) listener(result);
  };
  return {
    subscribe(listener) {
      listeners.add(listener);
      if (latest) listener(latest);
      return () => listeners.delete(listener);
    },
  };
}
