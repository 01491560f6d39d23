// visualref chat: one chat turn from the command line with any of the three agents, printed as text
// or, with --json, as { reply, toolCalls: [{ name, args }], results, sessionId }.
import { z } from 'zod';
import { parseFlags } from '../args.ts';
import type { Command } from '../main.ts';
import { UsageError } from '../usage-error.ts';
import { openToolContext } from '../../tools/context.ts';
import { loadAgentConfig, type AgentConfig } from '../../agent/chat/agent-config.ts';
import { chatContextFor } from '../../agent/chat/chat-context.ts';
import { chatResponse } from '../../agent/chat/chat-handler.ts';
import { llamaConfigSchema } from '../../agent/chat/llama-config.ts';
import { unloadLlamas } from '../../agent/chat/llama-runtime.ts';
import type { ChatRequestBody } from '../../agent/chat/protocol.ts';
import { parseStreamChunks, summarizeTurn, type TurnSummary } from '../../agent/chat/stream-summary.ts';

const cliAgents = { deterministic: 'deterministic', openai: 'model', llama: 'llama' } as const;

const flags = z.object({
  agent: z.enum(['deterministic', 'openai', 'llama']).optional(),
  gguf: z.string().min(1).max(4096).optional(),
  threads: z.coerce.number().int().min(0).max(256).optional(),
  session: z.string().min(1).max(200).optional(),
  json: z.boolean().optional(),
  data: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  help: z.boolean().optional(),
});

const usage = `usage: visualref chat "what you are looking for" [--agent deterministic|openai|llama] [--gguf FILE] [--session ID] [--json]
  without --session the text starts a search; with it, the text refines that session (a comment)
  --agent   default: mode in configs/agent.yaml (openai: its model section; llama: its llama section)
  --gguf    the GGUF chat model for --agent llama (overrides llama.gguf); --threads N its CPU threads
options: --data DIR  --model NAME|PATH (the embedding model of the library)`;

function agentConfig(values: z.infer<typeof flags>): AgentConfig {
  const config = loadAgentConfig();
  const mode = values.agent ? cliAgents[values.agent] : config.mode;
  if (mode === 'model' && !config.model) throw new UsageError('--agent openai needs the model section of configs/agent.yaml');
  if (mode === 'llama') {
    const gguf = values.gguf ?? config.llama?.gguf;
    if (!gguf) throw new UsageError('--agent llama needs --gguf FILE, or llama.gguf in configs/agent.yaml');
    return { ...config, mode, llama: llamaConfigSchema.parse({ ...config.llama, gguf, ...(values.threads !== undefined ? { threads: values.threads } : {}) }) };
  }
  if (values.gguf || values.threads !== undefined) throw new UsageError('--gguf and --threads are for --agent llama');
  return { ...config, mode };
}

function requestBody(text: string, sessionId?: string): ChatRequestBody {
  return {
    id: 'cli',
    sessionId,
    message: {
      id: 'cli-turn',
      role: 'user',
      parts: [{ type: 'text', text }],
      metadata: { request: sessionId ? { action: 'refine', relevant: [], irrelevant: [], regions: [] } : { action: 'search' } },
    },
  };
}

function printText(summary: TurnSummary): void {
  const lines = summary.toolCalls.map((call, i) => {
    const result = summary.results[i] as { results?: unknown[]; error?: string; caption?: string } | undefined;
    const outcome = result?.error ? `error: ${result.error}` : result?.results ? `${result.results.length} results` : result?.caption !== undefined ? `"${result.caption}"` : '';
    return `→ ${call.name} ${JSON.stringify(call.args)}  ${outcome}`;
  });
  if (summary.reply) lines.push(summary.reply);
  if (summary.sessionId) lines.push(`session ${summary.sessionId}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

export const command: Command = {
  summary: 'one chat turn with an agent (deterministic, an OpenAI-compatible server, or a GGUF model in-process)',
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      {
        agent: { type: 'string' },
        gguf: { type: 'string' },
        threads: { type: 'string' },
        session: { type: 'string' },
        json: { type: 'boolean' },
        data: { type: 'string' },
        model: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      flags,
    );
    if (values.help) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    const text = positionals.join(' ').trim();
    if (!text) throw new UsageError(`say what you are looking for\n${usage}`);
    if (text.length > 1000) throw new UsageError('the text is longer than 1000 characters');
    const config = agentConfig(values);
    const ctx = await openToolContext({ dataDir: values.data, model: values.model });
    try {
      const response = chatResponse(chatContextFor(ctx), requestBody(text, values.session), config);
      const summary = summarizeTurn(parseStreamChunks(await response.text()));
      if (summary.error) throw new Error(summary.error);
      if (values.json) {
        const { reply, toolCalls, results, sessionId } = summary;
        process.stdout.write(`${JSON.stringify({ reply, toolCalls, results, sessionId })}\n`);
      } else {
        printText(summary);
      }
      return 0;
    } finally {
      if (config.mode === 'llama') await unloadLlamas();
      await ctx.close();
    }
  },
};
