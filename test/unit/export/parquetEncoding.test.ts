import { strict as assert } from 'node:assert';
import * as fc from 'fast-check';
import { snappyCompress, snappyMaxLength } from '../../../src/core/export/formats/snappy';
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

});
