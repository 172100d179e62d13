import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { throwIfAborted } from '../errors';

/** sha256 of a file, streamed, so a 1 GB source costs 1 MB of memory. */
export async function sha256File(file: string, signal?: AbortSignal): Promise<string> {
  throwIfAborted(signal);
  const hash = createHash('sha256');
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  for await (const chunk of stream) {
    if (signal?.aborted) {
      stream.destroy();
      throwIfAborted(signal);
    }
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}
