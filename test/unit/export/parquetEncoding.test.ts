import { strict as assert } from 'node:assert';
import * as fc from 'fast-check';
import { ByteBuf, bitWidthOf, writeHybrid } from '../../../src/core/export/formats/parquetBytes';
import { PAGE_BYTES, TextLeaf } from '../../../src/core/export/formats/parquetLeaves';
import { compareUtf8 } from '../../../src/core/export/formats/utf8Block';
import { RowGroupColumns, columnSpecs } from '../../../src/core/export/formats/parquetRowGroup';
import { snappyCompress, snappyCompressInto, snappyMaxLength } from '../../../src/core/export/formats/snappy';
import { importModule } from '../../../src/core/extract/esmImport';

type Hyparquet = typeof import('hyparquet', { with: { 'resolution-mode': 'import' } });

type HyparquetEncoding = typeof import('hyparquet/src/encoding.js', { with: { 'resolution-mode': 'import' } });

describe('export: Parquet encoding helpers (snappy.ts, parquetBytes.ts, parquetLeaves.ts, parquetRowGroup.ts)', () => {
  let uncompress: Hyparquet['snappyUncompress'];
  let readHybrid: HyparquetEncoding['readRleBitPackedHybrid'];
  before(async () => {
    uncompress = (await importModule<Hyparquet>('hyparquet')).snappyUncompress;
    readHybrid = (await importModule<HyparquetEncoding>('hyparquet/src/encoding.js')).readRleBitPackedHybrid;
  });

  function roundTrip(input: Uint8Array): Uint8Array {
    const compressed = snappyCompress(input);
    assert.ok(compressed.length <= snappyMaxLength(input.length));
    const output = new Uint8Array(input.length);
    uncompress(compressed, output); // hyparquet's independent decoder
    return output;
  }

  it('Snappy-compresses text so that hyparquet decompresses it to the same bytes, and smaller', () => {
    const text = new TextEncoder().encode('pump valve pressure Überdruck 圧力 café '.repeat(5000) + 'tail');
    const compressed = snappyCompress(text);
    assert.ok(compressed.length < text.length / 5, `${compressed.length} of ${text.length}`);
    assert.deepEqual(roundTrip(text), text);
  });

  it('round-trips empty, tiny, incompressible and long-run inputs (literal lengths past 60 and 2^16, copies past 64)', () => {
    const random = new Uint8Array(200_000);
    let s = 7;
    for (let i = 0; i < random.length; i++) random[i] = (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24;
    for (const input of [new Uint8Array(0), new Uint8Array([1]), new Uint8Array(14).fill(3), new Uint8Array(100_000).fill(9), random]) {
      assert.deepEqual(roundTrip(input), input);
    }
  });

  it('round-trips arbitrary byte arrays (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(5), (bytes, reps) => {
      const input = new Uint8Array(bytes.length * (reps + 1));
      for (let r = 0; r <= reps; r++) input.set(bytes, r * bytes.length);
      assert.deepEqual(roundTrip(input), input);
    }), { numRuns: 200 });
  });


  it('round-trips inputs across 64 KiB fragments, compressed into the middle of a larger buffer (property)', () => {
    const words = ['pump ', 'valve ', 'Überdruck ', '圧力 ', 'café ', 'the ', '\n'];
    fc.assert(fc.property(fc.array(fc.nat(words.length - 1), { minLength: 0, maxLength: 40_000 }), fc.nat(100), (picks, at) => {
      const input = new TextEncoder().encode(picks.map((p) => words[p]).join(''));
      const out = new Uint8Array(at + snappyMaxLength(input.length) + 7);
      const end = snappyCompressInto(input, out, at);
      const back = new Uint8Array(input.length);
      uncompress(out.subarray(at, end), back);
      assert.deepEqual(back, input);
    }), { numRuns: 40 });
  });

  it('writes the RLE / bit-packed hybrid that hyparquet decodes, for any widths and runs (property)', () => {
    const runs = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 40 })), { minLength: 1, maxLength: 60 });
    fc.assert(fc.property(fc.integer({ min: 1, max: 24 }), runs, fc.nat(5), (width, pairs, skip) => {
      const values = pairs.flatMap(([v, n]) => Array<number>(n).fill(v % 2 ** width));
      const from = Math.min(skip, values.length - 1);
      const out = new ByteBuf(16);
      out.byte(0xee); // written after what is already there
      const length = writeHybrid(out, values, from, values.length, width);
      assert.equal(out.pos, 1 + length);
      const decoded = new Array<number>(values.length - from);
      const bytes = out.view();
      readHybrid({ view: new DataView(bytes.buffer, bytes.byteOffset, bytes.length), offset: 1 }, width, decoded, length);
      assert.deepEqual(decoded, values.slice(from));
    }), { numRuns: 300 });
    assert.deepEqual([0, 1, 2, 3, 255, 256].map(bitWidthOf), [1, 1, 2, 2, 8, 9]);
    assert.throws(() => writeHybrid(new ByteBuf(), [1], 0, 1, 25), RangeError);
  });

  it('keeps text in PLAIN layout (length-prefixed UTF-8, as TextEncoder writes it) and seals a page at the row end past PAGE_BYTES', () => {
    const leaf = new TextLeaf(['text'], { kind: 'required' }, true); // no compressor: sealed pages are the PLAIN bytes
    const values = ['', 'a', 'Überdruck 圧力', '\uD800x', '😀', 'é'.repeat(70)];
    for (const v of values) leaf.push(v);
    const encoder = new TextEncoder();
    const plain = Buffer.concat(values.map((v) => {
      const bytes = encoder.encode(v);
      const length = Buffer.alloc(4);
      length.writeUInt32LE(bytes.length);
      return Buffer.concat([length, bytes]);
    }));
    assert.deepEqual(leaf.block.subarray(0, leaf.used), plain);
    leaf.push('z'.repeat(PAGE_BYTES)); // fills the page: sealed at once, the block starts over
    assert.equal(leaf.used, 0);
    leaf.push('tail');
    const pages = leaf.pages();
    assert.deepEqual(pages.map((p) => [p.rowFrom, p.rowTo, p.valueFrom, p.valueTo, p.sealed!.uncompressed]), [[0, 7, 0, 7, plain.length + 4 + PAGE_BYTES], [7, 8, 7, 8, 8]]);
    assert.deepEqual(leaf.store.buf.subarray(0, plain.length), plain);
    assert.equal(leaf.store.pos, plain.length + 4 + PAGE_BYTES + 8);
    const { min, max } = leaf.minMax()!;
    assert.deepEqual([Array.from(min), Array.from(max)], [[], Array.from(encoder.encode('😀'))]);
    leaf.reset();
    assert.deepEqual([leaf.rows, leaf.used, leaf.store.pos, leaf.pages().length, leaf.minMax()], [0, 0, 0, 0, undefined]);
  });

  it('orders strings as their UTF-8 bytes for the statistics, surrogates included (property)', () => {
    const utf8 = (s: string) => Buffer.from(s, 'utf8');
    const unit = fc.oneof(fc.constantFrom('a', 'é', '\uE000', '\uFFFF', '\uD83D\uDE00', '\uD800', '\uDC00', 'z'), fc.string({ maxLength: 3 }));
    const str = fc.array(unit, { maxLength: 6 }).map((xs) => xs.join(''));
    fc.assert(fc.property(str, str, (a, b) => {
      assert.equal(Math.sign(compareUtf8(a, b)), Math.sign(Buffer.compare(utf8(a), utf8(b))), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }), { numRuns: 2000 });
  });

  it('counts a row group in rows and UTF-16 units of text, and is empty after reset()', () => {
    const group = new RowGroupColumns(columnSpecs(['id', 'kind', 'text', 'messages', 'page']));
    group.add({ id: 'a', kind: 'chat', text: '', messages: [{ role: 'user', content: 'hi' }], page: 3 });
    group.add({ id: 'b', kind: 'completion', text: 'café', messages: [], page: 0 });
    group.add({ id: 'c', kind: 'chat', text: '', messages: [{ role: 'assistant', content: '圧力' }, { role: 'user', content: '' }], page: 1 });
    assert.equal(group.rows, 3);
    assert.equal(group.chars, 3 + 18 + 4 + (4 + 2) + (9 + 2) + (4 + 0)); // ids, kinds, text, then role + content per message
    assert.deepEqual(group.leaves().map(({ leaf, statistics }) => [leaf.path.join('.'), leaf.rows, leaf.values, statistics]), [
      ['id', 3, 3, true],
      ['kind', 3, 3, false],
      ['text', 3, 3, false],
      ['messages.list.element.role', 3, 3, false],
      ['messages.list.element.content', 3, 3, false],
      ['page', 3, 3, false],
    ]);
    group.reset();
    assert.deepEqual([group.rows, group.chars, group.leaves().every(({ leaf }) => leaf.rows === 0 && leaf.values === 0)], [0, 0, true]);
  });
});
