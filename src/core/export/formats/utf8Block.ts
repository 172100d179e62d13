/**
 * UTF-8 encoding of a row group's long text values in one block (issue #11 Parquet performance).
 *
 * hyparquet-writer 0.17.0 encodes each string value of a UTF8 column with its own `TextEncoder.encode` call
 * (`unconvert.js`), one new ArrayBuffer per value; on chat records that per-value encoding and the garbage it
 * leaves were about a third of the writer's CPU time (bench/parquet.mjs under `node --cpu-prof`). The library
 * passes Uint8Array values of a BYTE_ARRAY column through unchanged, so the long text columns are encoded here
 * first: every value into one Buffer (native `Buffer.write`, UTF-8 with U+FFFD for lone surrogates, as
 * TextEncoder does), each value a Uint8Array view of its bytes. Memory: the block is the row group's text once
 * more as UTF-8, released with the row group.
 */

/** UTF-8 bytes of each of `values`, as views into one shared block (same order, same length). */
export function utf8Views(values: readonly string[]): Uint8Array[] {
  let total = 0;
  for (const v of values) total += Buffer.byteLength(v, 'utf8');
  const block = Buffer.allocUnsafe(total);
  const views = new Array<Uint8Array>(values.length);
  let offset = 0;
  for (let i = 0; i < values.length; i++) {
    const n = block.write(values[i], offset, 'utf8');
    views[i] = new Uint8Array(block.buffer, block.byteOffset + offset, n);
    offset += n;
  }
  return views;
}

/** `messages` values with each message's `content` as UTF-8 bytes (roles stay strings: they are dictionary-encoded). */
export function messagesWithUtf8Content(values: readonly { role: string; content: string }[][]): { role: string; content: Uint8Array }[][] {
  const contents: string[] = [];
  for (const list of values) for (const m of list) contents.push(m.content);
  const bytes = utf8Views(contents);
  let k = 0;
  return values.map((list) => list.map((m) => ({ role: m.role, content: bytes[k++] })));
}
