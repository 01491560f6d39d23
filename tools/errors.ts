// Errors a tool caller can fix: each message says what was wrong and what to send instead.
// Anything else is an internal fault, reported without a stack trace.

export type ToolErrorCode = 'bad-input' | 'unknown-image' | 'bad-box' | 'bad-upload' | 'session' | 'captioner' | 'generator';

export class ToolError extends Error {
  override name = 'ToolError';
  constructor(
    readonly code: ToolErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function unknownImage(id: number, librarySize: number): ToolError {
  return new ToolError(
    'unknown-image',
    `unknown image id ${id}: the library holds ${librarySize} images; use an id from search results`,
  );
}
