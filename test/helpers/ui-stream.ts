// Reads an AI SDK UI message stream response (/api/chat) into its chunks and the final message.
import { readUIMessageStream, type UIMessageChunk } from 'ai';
import type { ThreadMessage } from '../../agent/chat/thread-from-session.ts';

export function parseChunks(text: string): UIMessageChunk[] {
  return text
    .split('\n\n')
    .map((e) => e.replace(/^data: /, '').trim())
    .filter((d) => d && d !== '[DONE]')
    .map((d) => JSON.parse(d) as UIMessageChunk);
}

export async function messageOf(chunks: UIMessageChunk[]): Promise<ThreadMessage | undefined> {
  let message: ThreadMessage | undefined;
  const stream = new ReadableStream<UIMessageChunk>({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      controller.close();
    },
  });
  for await (const m of readUIMessageStream<ThreadMessage>({ stream, onError: () => undefined })) message = m;
  return message;
}
