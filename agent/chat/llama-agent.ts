// The in-process language-model agent: a GGUF chat model run by node-llama-cpp reads the turn and
// calls the tools through grammar-constrained function calling; tool calls, results and the reply
// stream as the same UI message parts as the other agents'. A model that calls no tool gets a plain
// note in the chat, and the session is left as it was.
import { basename } from 'node:path';
import { generateId, type UIMessageStreamWriter } from 'ai';
import type { ChatHistoryItem, ChatModelFunctionCall } from 'node-llama-cpp';
import { agentTools } from './agent-tools.ts';
import type { LlamaConfig } from './llama-config.ts';
import { modelFunctions, parseCall, type FunctionBinding } from './llama-functions.ts';
import { loadLlama, type LoadedLlama } from './llama-runtime.ts';
import type { AssistantMetadata, ChatContext, ChatRequestBody } from './protocol.ts';
import { readUserTurn, refineInputFor, type UserTurn } from './turn-inputs.ts';

const system = `You help a user find images in their library with the tools search, refine-query and caption-region.
- A turn with action "search": call search once with the user's words (and imageId when given).
- A turn with action "refine": call refine-query once, passing the user's marks, regions (with their captions) and comment as given.
- Use caption-region only when a region has no caption.
Then answer in one or two short sentences: what you did and how the results changed. Never invent image ids.`;

export const noToolCallNote =
  'The model answered without calling a tool, so nothing was searched or refined and the session is unchanged. Try rephrasing, or use the deterministic agent.';

// Fields the agent fills in from the turn (the session, an upload, the settings panel), not the model.
const agentFields = {
  search: ['sessionId', 'imageBase64', 'k'],
  'refine-query': ['sessionId', 'k', 'weights', 'excludeSeen', 'fuseInitial', 'visualize', 'pictureRegions', 'removeRegions'],
  'caption-region': ['sessionId'],
  'visualize-query': ['sessionId'],
} as const;

function describeTurn(turn: UserTurn, body: ChatRequestBody): string {
  return JSON.stringify({ userText: turn.text, uploadedImage: Boolean(turn.imageBase64), request: body.message.metadata.request });
}

/** What the model reads back from a tool: ids and the summary, not every score and size. */
function forModel(output: unknown): unknown {
  if (!output || typeof output !== 'object') return output;
  const o = output as { results?: { id: number }[]; explanation?: { summary?: string }; turn?: number; caption?: string };
  if (o.results) return { turn: o.turn, resultIds: o.results.map((r) => r.id), summary: o.explanation?.summary };
  return o.caption !== undefined ? { caption: o.caption } : output;
}

function requestIds(body: ChatRequestBody): number[] {
  const r = body.message.metadata.request;
  if (r.action === 'search') return r.imageId === undefined ? [] : [r.imageId];
  return [...r.relevant, ...r.irrelevant, ...r.regions.map((g) => g.imageId)];
}

export async function runLlamaTurn(
  writer: UIMessageStreamWriter,
  chat: ChatContext,
  body: ChatRequestBody,
  config: LlamaConfig,
  signal?: AbortSignal,
): Promise<void> {
  const started = performance.now();
  const meta: AssistantMetadata = { mode: 'llama', model: basename(config.gguf), sessionId: body.sessionId };
  const turn = readUserTurn(body.message);
  const llama = await loadLlama(config);
  writer.write({ type: 'start', messageId: generateId(), messageMetadata: meta });
  writer.write({ type: 'start-step' });
  const toolCalls = await llama.exclusive(() => converse(llama, writer, chat, body, turn, config, meta, signal));
  if (toolCalls === 0) writeText(writer, noToolCallNote);
  meta.elapsedMs = Math.round(performance.now() - started);
  writer.write({ type: 'finish-step' });
  writer.write({ type: 'finish', messageMetadata: meta });
}

function writeText(writer: UIMessageStreamWriter, text: string): void {
  const id = generateId();
  writer.write({ type: 'text-start', id });
  writer.write({ type: 'text-delta', id, delta: text });
  writer.write({ type: 'text-end', id });
}

/** The generate → call tools → generate loop; returns how many tool calls the model made. */
async function converse(
  llama: LoadedLlama,
  writer: UIMessageStreamWriter,
  chat: ChatContext,
  body: ChatRequestBody,
  turn: UserTurn,
  config: LlamaConfig,
  meta: AssistantMetadata,
  signal?: AbortSignal,
): Promise<number> {
  const tools = agentTools(chat.tools);
  const knownIds = new Set(requestIds(body));
  const settings = body.message.metadata.settings;
  const refineDefaults = body.message.metadata.request.action === 'refine' && body.sessionId ? refineInputFor(turn, body, chat.defaults) : undefined;
  const sequence = llama.context.getSequence();
  const session = new llama.lib.LlamaChat({ contextSequence: sequence, autoDisposeSequence: false });
  let history: ChatHistoryItem[] = [
    { type: 'system', text: system },
    { type: 'user', text: describeTurn(turn, body) },
  ];
  let calls = 0;
  try {
    for (let step = 0; step <= config.maxSteps; step++) {
      const binding: FunctionBinding = {
        agentFields,
        knownIds: [...knownIds],
        unavailable: new Set(meta.sessionId ? [] : ['refine-query', 'caption-region', 'visualize-query']),
      };
      // After maxSteps rounds of tools the model gets none, so it has to answer in words.
      const functions = step < config.maxSteps ? modelFunctions(tools, binding) : undefined;
      let textId: string | undefined;
      const response = await session.generateResponse(history, {
        functions,
        maxParallelFunctionCalls: 1,
        maxTokens: config.maxTokens,
        temperature: config.temperature,
        signal,
        onTextChunk: (delta) => {
          if (!delta) return;
          if (!textId) {
            textId = generateId();
            writer.write({ type: 'text-start', id: textId });
          }
          writer.write({ type: 'text-delta', id: textId, delta });
        },
      });
      if (textId) writer.write({ type: 'text-end', id: textId });
      history = response.lastEvaluation.cleanHistory;
      const made = response.functionCalls ?? [];
      if (!made.length) break;
      for (const call of made) {
        calls++;
        const toolCallId = generateId();
        writer.write({ type: 'tool-input-available', toolCallId, toolName: call.functionName, input: call.params });
        const result = await runCall(tools, binding, call.functionName, call.params, { turn, body, meta, settingsK: settings?.k, refineDefaults });
        if (result.ok) {
          for (const id of (result.output as { results?: { id: number }[] }).results?.map((r) => r.id) ?? []) knownIds.add(id);
          writer.write({ type: 'tool-output-available', toolCallId, output: result.output });
        } else {
          writer.write({ type: 'tool-output-error', toolCallId, errorText: result.message });
        }
        history = withFunctionCall(history, {
          type: 'functionCall',
          name: call.functionName,
          params: call.params,
          result: result.ok ? forModel(result.output) : { error: result.message },
          rawCall: call.raw,
        });
      }
    }
  } finally {
    session.dispose({ disposeSequence: true });
  }
  return calls;
}

interface CallContext {
  turn: UserTurn;
  body: ChatRequestBody;
  meta: AssistantMetadata;
  settingsK?: number;
  refineDefaults?: ReturnType<typeof refineInputFor>;
}

async function runCall(
  tools: ReturnType<typeof agentTools>,
  binding: FunctionBinding,
  name: string,
  params: unknown,
  { turn, body, meta, settingsK, refineDefaults }: CallContext,
): Promise<{ ok: true; output: unknown } | { ok: false; message: string }> {
  const parsed = parseCall(tools, binding, name, params);
  if (!parsed.ok) return parsed;
  const args = parsed.args;
  let input: Record<string, unknown>;
  if (name === 'search') {
    const byExample = args.imageId !== undefined;
    input = { ...args, k: settingsK, imageBase64: byExample ? undefined : turn.imageBase64, sessionId: byExample ? (meta.sessionId ?? body.sessionId) : undefined };
  } else if (name === 'refine-query') {
    const { k, weights, excludeSeen, fuseInitial, removeRegions } = refineDefaults ?? {};
    input = { ...args, sessionId: meta.sessionId, k: k ?? settingsK, weights, excludeSeen, fuseInitial, removeRegions };
  } else {
    input = { ...args, sessionId: meta.sessionId };
  }
  try {
    const output = await parsed.tool.handler(input as never);
    const remembered = output as { sessionId?: string; turn?: number };
    if (remembered.sessionId && remembered.turn !== undefined) {
      meta.sessionId = remembered.sessionId;
      meta.turn = remembered.turn;
    }
    return { ok: true, output };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}

/** The history with a function call (and its result) appended to the model's current answer. */
function withFunctionCall(history: ChatHistoryItem[], call: ChatModelFunctionCall): ChatHistoryItem[] {
  const next = history.slice();
  const last = next.at(-1);
  if (last?.type === 'model') next[next.length - 1] = { ...last, response: [...last.response, call] };
  else next.push({ type: 'model', response: [call] });
  return next;
}
