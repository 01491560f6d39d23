// Reads a chat turn's UI message stream back into what happened: the reply, the tool calls with their
// arguments, their results, and any error. The command line prints it (visualref chat --json).
import type { UIMessageChunk } from 'ai';
import type { AssistantMetadata } from './protocol.ts';

export interface TurnSummary {
  reply: string;
  toolCalls: { name: string; args: unknown }[];
  /** One per tool call, in order: the tool's output, or { error }. */
  results: unknown[];
  sessionId?: string;
  error?: string;
}

export function parseStreamChunks(text: string): UIMessageChunk[] {
  return text
    .split('\n\n')
    .map((event) => event.replace(/^data: /, '').trim())
    .filter((data) => data && data !== '[DONE]')
    .map((data) => JSON.parse(data) as UIMessageChunk);
}

export function summarizeTurn(chunks: UIMessageChunk[]): TurnSummary {
  const summary: TurnSummary = { reply: '', toolCalls: [], results: [] };
  const texts: string[] = [];
  for (const chunk of chunks) {
    switch (chunk.type) {
      case 'text-start':
        texts.push('');
        break;
      case 'text-delta':
        texts[texts.length - 1] = (texts.at(-1) ?? '') + chunk.delta;
        break;
      case 'tool-input-available':
        summary.toolCalls.push({ name: chunk.toolName, args: chunk.input });
        break;
      case 'tool-output-available':
        summary.results.push(chunk.output);
        break;
      case 'tool-output-error':
        summary.results.push({ error: chunk.errorText });
        break;
      case 'error':
        summary.error = chunk.errorText;
        break;
      case 'finish': {
        const meta = chunk.messageMetadata as AssistantMetadata | undefined;
        if (meta?.sessionId) summary.sessionId = meta.sessionId;
        break;
      }
    }
  }
  summary.reply = texts.filter(Boolean).join('\n');
  return summary;
}
