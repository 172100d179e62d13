import type { promises as fs } from 'node:fs';

/** Bytes read at a time. */
const CHUNK = 1 << 20;

/**
 * Calls `onLine` with each line of an open file (UTF-8, without its '\n'; the last line too, when the file does
 * not end with '\n'), reading 1 MB at a time, so that a large file is never held whole. Lines are cut at byte
 * 0x0a, which never occurs inside a multi-byte UTF-8 character. `onLine` returning false stops the read (the
 * result is then false). Returns the bytes read.
 */
export async function forEachLine(handle: fs.FileHandle, onLine: (line: string) => boolean | Promise<boolean>): Promise<{ complete: boolean; bytes: number }> {
  const buf = Buffer.alloc(CHUNK);
  let carry: Buffer = Buffer.alloc(0);
  let bytes = 0;
  for (let position = 0; ; ) {
    const { bytesRead } = await handle.read(buf, 0, buf.length, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    bytes += bytesRead;
    const chunk = carry.length ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
    let from = 0;
    for (let nl = chunk.indexOf(0x0a, from); nl >= 0; nl = chunk.indexOf(0x0a, from)) {
      if (!(await onLine(chunk.toString('utf8', from, nl)))) return { complete: false, bytes };
      from = nl + 1;
    }
    carry = Buffer.from(chunk.subarray(from));
  }
  if (carry.length && !(await onLine(carry.toString('utf8')))) return { complete: false, bytes };
  return { complete: true, bytes };
}
