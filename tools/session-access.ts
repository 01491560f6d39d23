// Session look-ups with the store's errors turned into tool errors that say what to do.
import { SessionExpiredError, UnknownSessionError, type Session, type SessionStore } from './sessions/session-store.ts';
import { ToolError } from './errors.ts';

/** Runs a session-store call; unknown and expired sessions become ToolErrors. */
export function withSession<T>(call: () => T): T {
  try {
    return call();
  } catch (err) {
    if (err instanceof SessionExpiredError) {
      throw new ToolError('session', `session ${err.sessionId} has expired: call search again without sessionId to start a new one`);
    }
    if (err instanceof UnknownSessionError) {
      throw new ToolError('session', `unknown session ${JSON.stringify(err.sessionId)}: use the sessionId returned by search, or call search without one`);
    }
    throw err;
  }
}

export function requireSession(sessions: SessionStore, id: string): Session {
  return withSession(() => sessions.get(id));
}
