// Errors an image generator reports to the user, with whether trying again may help.
export class GenerationError extends Error {
  override name = 'GenerationError';

  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, { cause: options?.cause });
  }
}
