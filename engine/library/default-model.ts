// The model used when a command names none: the registry's default.
import { defaultModelName } from '../models/registry.ts';

export function defaultModel(): string {
  return defaultModelName();
}
