// The three tools bound to one opened library, and the settings panel's defaults: what an agent
// needs for a turn, the same for the web app and the command line.
import type { ToolContext } from '../../tools/context.ts';
import { search } from '../../tools/search.ts';
import { refineQuery } from '../../tools/refine-query.ts';
import { captionRegion } from '../../tools/caption-region.ts';
import type { ChatContext } from './protocol.ts';
import { defaultSettings } from './settings-defaults.ts';

export function chatContextFor(ctx: ToolContext): ChatContext {
  return {
    tools: {
      search: (input) => search(ctx, input),
      refineQuery: (input) => refineQuery(ctx, input),
      captionRegion: (input) => captionRegion(ctx, input),
    },
    defaults: defaultSettings(ctx.config.feedback),
  };
}
