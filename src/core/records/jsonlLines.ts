import { createReadStream, promises as fs } from 'node:fs';

/** One line of a JSONL file and where it sits: byte offset and length (without the newline). */
export interface LocatedLine {
  offset: number;
  length: number;
  text: string;
}

/**
 * The non-empty lines of a file with their byte offsets, streamed (a chunk of 1 MiB and one partial line in
 * memory), so a record can later be read back alone with `readRange`. An absent file has no lines.
 */
export async function* jsonlLines(file: string, onBytes?: (bytes: number) => void): AsyncGenerator<LocatedLine> {
  const input = createReadStream(file, { highWaterMark: 1 << 20 });
  let carry: Buffer = Buffer.alloc(0);
  let base = 0; // file offset of carry[0]
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      onBytes?.(chunk.length);
      const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      let start = 0;
      for (let nl = buf.indexOf(0x0a, start); nl !== -1; nl = buf.indexOf(0x0a, start)) {
        if (nl > start) yield { offset: base + start, length: nl - start, text: buf.toString('utf8', start, nl) };
        start = nl + 1;
      }
      carry = buf.subarray(start);
      base += start;
    }
    if (carry.length) yield { offset: base, length: carry.length, text: carry.toString('utf8') };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  } finally {
    input.destroy();
  }
}

/** Reads byte ranges of one file with a single open handle; results in the order asked. */
export async function readRanges(file: string, ranges: ReadonlyArray<{ offset: number; length: number }>): Promise<string[]> {
  if (!ranges.length) return [];
  const handle = await fs.open(file, 'r');
  try {
    const out: string[] = [];
    for (const r of ranges) {
      const buf = Buffer.alloc(r.length);
      for (let at = 0; at < r.length; ) {
        const { bytesRead } = await handle.read(buf, at, r.length - at, r.offset + at);
        if (bytesRead === 0) break;
        at += bytesRead;
      }
      out.push(buf.toString('utf8'));
    }
    return out;
  } finally {
    await handle.close();
  }
}
