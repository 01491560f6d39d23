// The one sentence a screen reader hears after each turn (the thread itself is not a live region:
// announcing all of it repeated every result).
import type { ChatMessage } from './types.ts';

export function liveAnnouncement(messages: ChatMessage[], status: 'submitted' | 'streaming' | 'ready' | 'error', error: string | null): string {
  if (error) return error;
  if (status === 'submitted' || status === 'streaming') return 'Working…';
  const last = messages.at(-1);
  if (last?.role !== 'assistant') return '';
  for (const part of last.parts) {
    if ((part.type === 'tool-search' || part.type === 'tool-refine-query') && part.state === 'output-available') {
      return `Turn ${part.output.turn}: ${part.output.results.length} results.`;
    }
    if ((part.type === 'tool-search' || part.type === 'tool-refine-query') && part.state === 'output-error') return `The turn failed: ${part.errorText}`;
  }
  return '';
}
