// Reads an AI SDK UI message stream response (/api/chat) into its chunks and the final message.
import { readUIMessageStream, type UIMessageChunk } from 'ai';
import type { ThreadMessage } from '../../agent/chat/thread-from-session.ts';

export { parseStreamChunks as parseChunks } from '../../agent/chat/stream-summary.ts';

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
