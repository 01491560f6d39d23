// Errors a captioner reports to the user, with whether trying again may help.
export class CaptionerError extends Error {
  override name = 'CaptionerError';
  /** The message without advice, for repeated warnings while retrying. */
  readonly brief: string;

  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown; brief?: string },
  ) {
    super(message, { cause: options?.cause });
    this.brief = options?.brief ?? message;
  }
}
