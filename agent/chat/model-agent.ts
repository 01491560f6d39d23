// The optional language-model agent: a model behind an OpenAI-compatible endpoint reads the turn
// (text plus the structured feedback the UI sent) and chooses the tools; its tool calls and reply
// stream to the browser exactly as the deterministic agent's do.
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { stepCountIs, streamText, tool, type UIMessageStreamWriter } from 'ai';
import { toolContracts } from '../../tools/contract/tools.ts';
import type { AgentConfig } from './agent-config.ts';
import type { AssistantMetadata, ChatContext, ChatRequestBody } from './protocol.ts';
import { readUserTurn, weightsFor, type UserTurn } from './turn-inputs.ts';

const system = `You help a user find images in their library with the tools search, refine-query and caption-region.
- A turn with action "search": call search once with the user's words (and imageId when given).
- A turn with action "refine": call refine-query once, passing the user's marks, regions (with their captions), removeRegions and comment as given; use the weights given.
- Use caption-region only when a region has no caption.
Then answer in one or two short sentences: what you did and how the results changed. Never invent image ids.`;

function describeTurn(turn: UserTurn, body: ChatRequestBody, chat: ChatContext): string {
  const { request, settings } = body.message.metadata;
  return JSON.stringify({
    userText: turn.text,
    uploadedImage: Boolean(turn.imageBase64),
    request,
    resultsWanted: settings?.k,
    weights: settings ? weightsFor(settings, chat.defaults) : undefined,
  });
}

export function runModelTurn(writer: UIMessageStreamWriter, chat: ChatContext, body: ChatRequestBody, config: NonNullable<AgentConfig['model']>): void {
  const { tools } = chat;
  const started = performance.now();
  const meta: AssistantMetadata = { mode: 'model', model: config.name, sessionId: body.sessionId };
  const turn = readUserTurn(body.message);
  const provider = createOpenAICompatible({
    name: 'agent',
    baseURL: config.baseURL,
    apiKey: config.apiKeyEnv ? process.env[config.apiKeyEnv] : undefined,
  });
  const remember = <T extends { sessionId: string; turn: number }>(out: T): T => {
    meta.sessionId = out.sessionId;
    meta.turn = out.turn;
    return out;
  };
  const result = streamText({
    model: provider.chatModel(config.name),
    system,
    prompt: describeTurn(turn, body, chat),
    stopWhen: stepCountIs(config.maxSteps),
    tools: {
      // The registry's contracts, less what this agent fills in itself (the session, an uploaded image).
      [toolContracts.search.name]: tool({
        description: `${toolContracts.search.description} An image the user uploaded is attached automatically.`,
        inputSchema: toolContracts.search.input.omit({ imageBase64: true, sessionId: true }),
        execute: async (input) =>
          remember(
            await tools.search({
              ...input,
              imageBase64: input.imageId === undefined ? turn.imageBase64 : undefined,
              sessionId: input.imageId !== undefined ? meta.sessionId : undefined,
            }),
          ),
      }),
      [toolContracts.refineQuery.name]: tool({
        description: toolContracts.refineQuery.description,
        inputSchema: toolContracts.refineQuery.input.omit({ sessionId: true }),
        execute: async (input) => {
          if (!meta.sessionId) throw new Error('there is no session to refine yet: search first');
          return remember(await tools['refine-query']({ ...input, sessionId: meta.sessionId }));
        },
      }),
      [toolContracts.captionRegion.name]: tool({
        description: toolContracts.captionRegion.description,
        inputSchema: toolContracts.captionRegion.input.omit({ sessionId: true }),
        execute: (input) => tools['caption-region'](input),
      }),
    },
  });
  writer.merge(
    result.toUIMessageStream({
      messageMetadata: ({ part }) => {
        if (part.type === 'start') return { mode: 'model', model: config.name } satisfies AssistantMetadata;
        if (part.type === 'finish') return { ...meta, elapsedMs: Math.round(performance.now() - started) };
        return undefined;
      },
    }),
  );
}
