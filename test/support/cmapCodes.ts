import * as assert from 'node:assert/strict';
import type { CMap } from '../../src/core/extract/pdf/cmap';

/** Reads every code of `bytes` through the CMap's codespace: [code, byte length] pairs. */
export function readAll(cmap: CMap, bytes: number[]): Array<[number, number]> {
  const data = Uint8Array.from(bytes);
  const out = { code: -1, length: -1 };
  const res: Array<[number, number]> = [];
  for (let off = 0; off < data.length; off += out.length) {
    cmap.readCode(data, off, out);
    assert.ok(out.length >= 1, `readCode must consume at least one byte at ${off}`);
    res.push([out.code, out.length]);
  }
  return res;
}
