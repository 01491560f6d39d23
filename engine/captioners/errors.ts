// Errors a captioner reports to the user, with whether trying again may help.
export class CaptionerError extends Error {
  override name = 'CaptionerError';
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
