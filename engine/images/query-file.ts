// Reads an image file named by a user for a query (search --image, caption FILE): only a regular file
// under the upload size limit is read, so /dev/zero, a FIFO or a huge file is refused at once instead
// of being read until memory runs out.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

export class QueryFileError extends Error {
  override name = 'QueryFileError';
}

export async function readQueryImageFile(path: string, maxBytes: number): Promise<Buffer> {
  let handle;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new QueryFileError(`cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new QueryFileError(`${path} is not a regular file`);
    if (info.size > maxBytes) throw new QueryFileError(`${path} is ${info.size} bytes, over the limit of ${maxBytes} (upload.maxBytes in configs/tools.yaml)`);
    // Read at most one byte past the limit: a file that grows while it is read is refused too.
    const buffer = Buffer.alloc(Math.min(info.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) throw new QueryFileError(`${path} grew over the limit of ${maxBytes} bytes while it was read`);
      if (length === buffer.length) break;
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}
