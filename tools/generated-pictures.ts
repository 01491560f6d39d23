// Pictures generated for a session, stored as PNG under <library>/generated/<session>/g<n>.png, with
// their own id space (g1, g2, ... per session) so they are never mistaken for library images; read
// back by id only, never by a client-supplied path. Writes are atomic.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { writeFileAtomically } from '../engine/index/atomic-file.ts';
import type { RgbImage } from '../engine/types.ts';

const sessionPattern = /^[A-Za-z0-9_-]{1,100}$/;
const picturePattern = /^g[1-9]\d{0,6}$/;

function sessionDir(libraryDir: string, sessionId: string): string {
  if (!sessionPattern.test(sessionId)) throw new Error(`not a session id: ${JSON.stringify(sessionId)}`);
  return join(libraryDir, 'generated', sessionId);
}

/** Stores a picture as the session's next one and returns its id. */
export async function storePicture(libraryDir: string, sessionId: string, image: RgbImage): Promise<string> {
  const dir = sessionDir(libraryDir, sessionId);
  mkdirSync(dir, { recursive: true });
  const taken = readdirSync(dir).map((name) => /^g(\d+)\.png$/.exec(name)?.[1]).filter((n): n is string => n !== undefined).map(Number);
  const id = `g${Math.max(0, ...taken) + 1}`;
  const png = await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), { raw: { width: image.width, height: image.height, channels: 3 } })
    .png()
    .toBuffer();
  writeFileAtomically(join(dir, `${id}.png`), png);
  return id;
}

/** The PNG bytes of a stored picture, or undefined when the session has no such picture. */
export function readPicture(libraryDir: string, sessionId: string, pictureId: string): Buffer | undefined {
  if (!sessionPattern.test(sessionId) || !picturePattern.test(pictureId)) return undefined;
  const file = join(sessionDir(libraryDir, sessionId), `${pictureId}.png`);
  return existsSync(file) ? readFileSync(file) : undefined;
}
