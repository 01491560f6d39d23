// The vision graph of a model file with its per-token outputs, and its head as a graph of its own
// (engine/encoders/token-head.ts), or undefined when the graph does not allow it: region vectors then
// come from crops.
import { readFileSync } from 'node:fs';
import { log } from '../log.ts';
import { addTokenEmbedsOutput, type TokenHeadModels } from './token-head.ts';

export function withTokenHead(file: string): TokenHeadModels | undefined {
  let result: ReturnType<typeof addTokenEmbedsOutput>;
  try {
    result = addTokenEmbedsOutput(readFileSync(file));
  } catch (err) {
    result = { reason: err instanceof Error ? err.message : String(err) };
  }
  if ('vision' in result) return result;
  log.info(`${file}: no per-token head (${result.reason}); region vectors will come from crops`);
  return undefined;
}
