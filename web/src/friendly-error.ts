// Turns what fetch and the chat stream throw into a sentence a user can act on.
import { errorMessage } from './api.ts';

const unreachable = /failed to fetch|networkerror|load failed|network request failed|err_connection|econnrefused/i;

export function friendlyError(raw: string): string {
  const message = errorMessage(raw).trim();
  if (unreachable.test(message)) return 'The visualref server could not be reached. Check that it is still running, then press Retry: your marks, boxes and comment are kept.';
  if (/^5\d\d\b/.test(message) || /internal server error/i.test(message)) return `The server failed on this turn (${message}). Press Retry to send it again.`;
  return message || 'Something went wrong with this turn. Press Retry to send it again.';
}
