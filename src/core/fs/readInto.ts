import type { FileHandle } from 'node:fs/promises';

/** Fills `target` from the start of an open file, in as few reads as the system allows; returns the bytes read. */
export async function readInto(handle: FileHandle, target: Uint8Array): Promise<number> {
  let got = 0;
  while (got < target.length) {
    const { bytesRead } = await handle.read(target, got, target.length - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}
