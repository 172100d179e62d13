import { strict as assert } from 'node:assert';
import * as fc from 'fast-check';
import { snappyCompress, snappyMaxLength } from '../../../src/core/export/formats/snappy';
import { RowGroupColumns } from '../../../src/core/export/formats/parquetRowGroup';
import { utf8Views } from '../../../src/core/export/formats/utf8Block';
import { importModule } from '../../../src/core/extract/esmImport';

type Hyparquet = typeof import('hyparquet', { with: { 'resolution-mode': 'import' } });

describe('export: Parquet encoding helpers (snappy.ts, utf8Block.ts)', () => {
  let uncompress: Hyparquet['snappyUncompress'];
  before(async () => {
    uncompress = (await importModule<Hyparquet>('hyparquet')).snappyUncompress;
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

  it('encodes strings as UTF-8 views into one block, as TextEncoder does (lone surrogates as U+FFFD)', () => {
    const values = ['', 'a', 'Überdruck 圧力', '\uD800x', '😀', 'z'.repeat(1000)];
    const views = utf8Views(values);
    const encoder = new TextEncoder();
    assert.deepEqual(views.map((v) => Array.from(v)), values.map((v) => Array.from(encoder.encode(v))));
    assert.ok(views.every((v) => v.buffer === views[0].buffer), 'one shared block');
    const big = utf8Views(['x'.repeat(100_000), 'é'.repeat(50_000)]); // grows past the first 64 KiB block
    assert.deepEqual(big.map((v) => v.length), [100_000, 100_000]);
  });

  it('keeps a row group column by column: text as UTF-8 bytes, messages rebuilt, budget in UTF-16 units, empty after take()', () => {
    const group = new RowGroupColumns(['id', 'kind', 'text', 'messages', 'page']);
    group.add({ id: 'a', kind: 'chat', text: '', messages: [{ role: 'user', content: 'hi' }], page: 3 });
    group.add({ id: 'b', kind: 'completion', text: 'café', messages: [], page: 0 });
    group.add({ id: 'c', kind: 'chat', text: '', messages: [{ role: 'assistant', content: '圧力' }, { role: 'user', content: '' }], page: 1 });
    assert.equal(group.rows, 3);
    assert.equal(group.chars, 3 + 18 + 4 + (4 + 2) + (9 + 2) + (4 + 0)); // ids, kinds, text, then role + content per message
    const decode = (v: unknown): unknown => (v instanceof Uint8Array ? new TextDecoder().decode(v) : v);
    const columns = group.take();
    assert.deepEqual(columns.map((c) => [c.name, c.statistics, c.encoding]), [['id', true, undefined], ['kind', false, undefined], ['text', false, 'PLAIN'], ['messages', false, undefined], ['page', false, undefined]]);
    assert.deepEqual(columns[0].data.map(decode), ['a', 'b', 'c']);
    assert.deepEqual(columns[1].data, ['chat', 'completion', 'chat']);
    assert.deepEqual(columns[2].data.map(decode), ['', 'café', '']);
    assert.deepEqual((columns[3].data as { role: string; content: Uint8Array }[][]).map((l) => l.map((m) => [m.role, decode(m.content)])), [[['user', 'hi']], [], [['assistant', '圧力'], ['user', '']]]);
    assert.deepEqual(columns[4].data, [3, 0, 1]);
    assert.equal(group.rows, 0);
    assert.equal(group.chars, 0);
    group.add({ id: 'd', kind: 'chat', text: 'x', messages: [], page: 9 });
    assert.deepEqual(group.take().map((c) => c.data.map(decode)), [['d'], ['chat'], ['x'], [[]], [9]]);
  });
});
