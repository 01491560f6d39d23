// POST /api/chat: runs one turn with the configured agent and streams it as an AI SDK UI message
// stream (tool calls and results arrive as typed `tool-*` parts of the assistant's answer).
import { createUIMessageStream, createUIMessageStreamResponse } from 'ai';
import { log } from '../../engine/log.ts';
import type { AgentConfig } from './agent-config.ts';
import { runDeterministicTurn } from './deterministic-agent.ts';
import { runLlamaTurn } from './llama-agent.ts';
import { LlamaLoadError } from './llama-runtime.ts';
import { runModelTurn } from './model-agent.ts';
import type { ChatContext, ChatRequestBody } from './protocol.ts';
import { TurnInputError } from './turn-inputs.ts';

/** `signal`: the request's, so a generation stops when the browser stops the turn. */
export function chatResponse(chat: ChatContext, body: ChatRequestBody, config: AgentConfig, signal?: AbortSignal): Response {
  const stream = createUIMessageStream({
    execute: async ({ writer }) => {
      if (config.mode === 'model' && config.model) runModelTurn(writer, chat, body, config.model);
      else if (config.mode === 'llama' && config.llama) await runLlamaTurn(writer, chat, body, config.llama, signal);
      else await runDeterministicTurn(writer, chat, body);
    },
    onError: (err) => {
      if (!(err instanceof TurnInputError || err instanceof LlamaLoadError)) log.warn(`chat turn failed: ${err instanceof Error ? err.stack : String(err)}`);
      return err instanceof Error ? err.message : String(err);
    },
  });
  return createUIMessageStreamResponse({ stream });
}
