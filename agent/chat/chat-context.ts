// The tools of the registry bound to one opened library, and the settings panel's defaults: what an
// agent needs for a turn, the same for the web app and the command line.
import type { ToolContext } from '../../tools/context.ts';
import { bindTools } from '../../tools/registry.ts';
import type { ChatContext } from './protocol.ts';
import { defaultSettings } from './settings-defaults.ts';

export function chatContextFor(ctx: ToolContext): ChatContext {
  return { tools: bindTools(ctx), defaults: defaultSettings(ctx.config.feedback) };
}
