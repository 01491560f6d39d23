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

/** How every face reports a failure: its HTTP status and message, and whether it is an internal fault to log. */
export interface ReportedError {
  status: 400 | 404 | 500 | 502;
  message: string;
  internal: boolean;
}

const statusOf: Record<ToolErrorCode, ReportedError['status']> = {
  'bad-input': 400,
  'unknown-image': 404,
  'bad-box': 400,
  'bad-upload': 400,
  session: 400,
  captioner: 502,
  generator: 502,
};

export function reportError(err: unknown): ReportedError {
  if (err instanceof ToolError) return { status: statusOf[err.code], message: err.message, internal: false };
  return { status: 500, message: err instanceof Error ? err.message : String(err), internal: true };
}
