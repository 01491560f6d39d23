// npm run build:tiny-gguf: writes the tiny random-weight chat models the llama agent's tests load
// (models/tiny-chat/), and prints their paths.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../config/load-config.ts';
import { writeTinyChatModel, type TinyTemplate } from './tiny-chat-model.ts';

export const tinyModelDir = join(repoRoot, 'models', 'tiny-chat');
export const tinyModelPath = (template: TinyTemplate) => join(tinyModelDir, `${template}-tiny-random.gguf`);

if (import.meta.url === `file://${process.argv[1]}`) {
  mkdirSync(tinyModelDir, { recursive: true });
  for (const template of ['functionary', 'chatml'] as const) {
    const path = tinyModelPath(template);
    const bytes = writeTinyChatModel(path, { template });
    console.log(`${path} (${(bytes / 1024).toFixed(0)} KiB)`);
  }
}
