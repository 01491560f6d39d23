// configs/agent.yaml: which agent answers in the chat, and where its language model lives.
import { z } from 'zod';
import { loadConfig } from '../../engine/config/load-config.ts';
import { llamaConfigSchema } from './llama-config.ts';
import { agentModes } from './protocol.ts';

export const agentConfigSchema = z
  .object({
    mode: z.enum(agentModes).default('deterministic'),
    model: z
      .object({
        baseURL: z.string().url(),
        name: z.string().min(1),
        apiKeyEnv: z.string().min(1).optional(),
        maxSteps: z.number().int().min(1).max(20).default(4),
      })
      .optional(),
    llama: llamaConfigSchema.optional(),
  })
  .refine((c) => c.mode !== 'model' || c.model, { message: 'mode "model" needs a model section', path: ['model'] })
  .refine((c) => c.mode !== 'llama' || c.llama, { message: 'mode "llama" needs a llama section', path: ['llama'] });

export type AgentConfig = z.infer<typeof agentConfigSchema>;

export function loadAgentConfig(): AgentConfig {
  return loadConfig('agent', agentConfigSchema);
}
