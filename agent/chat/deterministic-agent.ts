// The default agent: no language model. It maps a turn's message and structured feedback straight
// onto the tools and streams each tool call and its result as typed parts of the answer.
import { generateId, type UIMessageStreamWriter } from 'ai';
import type { AssistantMetadata, ChatContext, ChatRequestBody } from './protocol.ts';
import { displayInput, readUserTurn, refineInputFor, searchInputFor } from './turn-inputs.ts';
import { refineReply, searchReply } from './reply-text.ts';

type Writer = UIMessageStreamWriter;

function writeText(writer: Writer, text: string): void {
  const id = generateId();
  writer.write({ type: 'text-start', id });
  writer.write({ type: 'text-delta', id, delta: text });
  writer.write({ type: 'text-end', id });
}

/** Runs one tool call as stream parts: input first (the UI shows it running), then output or error. */
async function callTool<I, O>(writer: Writer, toolName: string, input: I, shown: unknown, run: (input: I) => Promise<O>): Promise<O | undefined> {
  const toolCallId = generateId();
  writer.write({ type: 'tool-input-available', toolCallId, toolName, input: shown });
  try {
    const output = await run(input);
    writer.write({ type: 'tool-output-available', toolCallId, output });
    return output;
  } catch (err) {
    writer.write({ type: 'tool-output-error', toolCallId, errorText: err instanceof Error ? err.message : String(err) });
    return undefined;
  }
}

export async function runDeterministicTurn(writer: Writer, { tools, defaults }: ChatContext, body: ChatRequestBody): Promise<void> {
  const started = performance.now();
  const meta: AssistantMetadata = { mode: 'deterministic' };
  writer.write({ type: 'start', messageId: generateId(), messageMetadata: meta });
  writer.write({ type: 'start-step' });
  const turn = readUserTurn(body.message);
  const request = body.message.metadata.request;
  let reply: string;
  if (request.action === 'search') {
    const input = searchInputFor(turn, body);
    const output = await callTool(writer, 'search', input, displayInput(input, turn.imageBytes), (i) => tools.search(i));
    if (output) {
      meta.sessionId = output.sessionId;
      meta.turn = output.turn;
    }
    // With the setting on, the first results come with the picture of the query (later turns get it from refine-query).
    if (output && body.message.metadata.settings?.visualize) {
      const visualize = { sessionId: output.sessionId };
      await callTool(writer, 'visualize-query', visualize, visualize, (i) => tools['visualize-query'](i));
    }
    reply = output
      ? searchReply(output, { text: input.text, imageId: input.imageId, uploaded: Boolean(input.imageBase64) })
      : 'The search failed; see the error above.';
  } else {
    const input = refineInputFor(turn, body, defaults);
    const output = await callTool(writer, 'refine-query', input, input, (i) => tools['refine-query'](i));
    if (output) {
      meta.sessionId = output.sessionId;
      meta.turn = output.turn;
    }
    reply = output ? refineReply(output) : 'The refinement failed; see the error above.';
  }
  meta.elapsedMs = Math.round(performance.now() - started);
  writeText(writer, reply);
  writer.write({ type: 'finish-step' });
  writer.write({ type: 'finish', messageMetadata: meta });
}
