// What an OpenAI-compatible server or the network said when a call failed, read the same way for every
// client of such a server (the captioner, the image generator).
import type { APICallError } from 'ai';

/** The error codes along an error's cause chain (and inside aggregate errors): ECONNREFUSED, ENOTFOUND, … */
export function causeCodes(err: unknown): string[] {
  const codes: string[] = [];
  const seen = new Set<unknown>();
  let current = err;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    const nested = (current as { errors?: unknown }).errors;
    if (Array.isArray(nested)) for (const e of nested) codes.push(...causeCodes(e));
    current = current.cause;
  }
  return codes;
}

/** The server's own message from an error response body, else the body itself (shortened). */
export function serverMessage(err: APICallError): string {
  const body = err.responseBody ?? '';
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    const message = typeof parsed.error === 'string' ? parsed.error : (parsed.error?.message ?? parsed.message);
    if (typeof message === 'string') return message;
  } catch {
    // Not JSON: the raw body says it best.
  }
  return (body || err.message).slice(0, 300);
}
