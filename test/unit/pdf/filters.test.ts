import * as assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import {
  PdfBudgetError, PdfFilterError, applyPredictor, decodeAscii85, decodeAsciiHex, decodeLzw, decodeRunLength, inflate,
} from '../../../src/core/extract/pdf/filters';
import { lzwZeros } from '../../support/bombs';

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const same = (actual: Uint8Array, expected: Uint8Array | number[]): void => assert.deepEqual(Array.from(actual), Array.from(expected));

/** Deterministic pseudo-random bytes from a small alphabet, so LZW builds many table entries. */
function sample(length: number, alphabet = 'abcdefgh'): Uint8Array {
  const out = new Uint8Array(length);
  let seed = 12345;
  for (let i = 0; i < length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    out[i] = alphabet.charCodeAt((seed >>> 16) % alphabet.length);
  }
  return out;
}

/**
 * A small LZW encoder written from PDF 32000-1 §7.4.4.2: codes are 9 bits until table entry 511 is created
 * (EarlyChange 1; entry 512 for EarlyChange 0), then 10, 11, 12 bits. Emits a clear code when the table is nearly full.
 */
function lzwEncode(input: Uint8Array, earlyChange = 1, clearAt = 4093): Uint8Array {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  const emit = (code: number, width: number): void => {
    acc = (acc << width) | code;
    bits += width;
    while (bits >= 8) {
      out.push((acc >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
    acc &= (1 << bits) - 1;
  };
  const widthFor = (next: number): number => (next + earlyChange > 2048 ? 12 : next + earlyChange > 1024 ? 11 : next + earlyChange > 512 ? 10 : 9);
  let dict = new Map<number, number>();
  let next = 258;
  emit(256, 9);
  let w = -1;
  for (const c of input) {
    if (w < 0) {
      w = c;
      continue;
    }
    const hit = dict.get(w * 256 + c);
    if (hit !== undefined) {
      w = hit;
      continue;
    }
    emit(w, widthFor(next));
    dict.set(w * 256 + c, next++);
    w = c;
    if (next >= clearAt) {
      emit(256, widthFor(next));
      dict = new Map();
      next = 258;
    }
  }
  if (w >= 0) {
    emit(w, widthFor(next));
    next++; // the decoder adds an entry for this last code before it reads EOD
  }
  emit(257, widthFor(next));
  if (bits > 0) out.push((acc << (8 - bits)) & 0xff);
  return new Uint8Array(out);
}

describe('pdf/filters', () => {
  describe('inflate (FlateDecode)', () => {
    const original = Buffer.from(Array.from({ length: 2000 }, (_, i) => `line ${i}: the quick brown fox ${i * 7919 % 1000}\n`).join(''));

    it('inflates a zlib stream', () => {
      same(inflate(zlib.deflateSync(original)), original);
    });

    it('inflates a raw deflate stream with no zlib header', () => {
      same(inflate(zlib.deflateRawSync(original)), original);
    });

    it('recovers a prefix from a truncated stream', () => {
      const deflated = zlib.deflateSync(original);
      const out = inflate(deflated.subarray(0, deflated.length >> 1));
      assert.ok(out.length > 1000 && out.length < original.length, `recovered ${out.length} bytes`);
      same(out, original.subarray(0, out.length));
    });

    it('recovers a prefix when the stream is corrupt in the middle', () => {
      const deflated = Buffer.from(zlib.deflateSync(original, { level: 1 }));
      deflated.fill(0xff, deflated.length >> 1, (deflated.length >> 1) + 64);
      const out = inflate(deflated);
      assert.ok(out.length > 1000, `recovered ${out.length} bytes`);
      same(out.subarray(0, 1000), original.subarray(0, 1000));
    });

    it('returns all the data when only the Adler-32 checksum is wrong', () => {
      const deflated = Buffer.from(zlib.deflateSync(original));
      deflated[deflated.length - 1] ^= 0xff;
      same(inflate(deflated), original);
    });

    it('throws PdfFilterError when nothing can be recovered, and returns empty for empty input', () => {
      assert.throws(() => inflate(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])), PdfFilterError);
      assert.equal(inflate(new Uint8Array(0)).length, 0);
    });
  });

  describe('decodeLzw (LZWDecode)', () => {
    it('decodes the example from the PDF specification', () => {
      // §7.4.4.2: 45 45 45 45 45 65 45 45 45 66 encodes to 80 0B 60 50 22 0C 0C 85 01.
      same(decodeLzw(new Uint8Array([0x80, 0x0b, 0x60, 0x50, 0x22, 0x0c, 0x0c, 0x85, 0x01])), [45, 45, 45, 45, 45, 65, 45, 45, 45, 66]);
      same(lzwEncode(new Uint8Array([45, 45, 45, 45, 45, 65, 45, 45, 45, 66])), [0x80, 0x0b, 0x60, 0x50, 0x22, 0x0c, 0x0c, 0x85, 0x01]);
    });

    it('round-trips data that grows the code width past 9 and 10 bits', () => {
      const input = sample(6000);
      const encoded = lzwEncode(input);
      assert.ok(encoded.length > 1800, 'enough codes (> 1024 table entries) to reach 11-bit widths');
      same(decodeLzw(encoded), input);
    });

    it('honours EarlyChange 0 vs 1', () => {
      const input = sample(3000);
      const late = lzwEncode(input, 0);
      const early = lzwEncode(input, 1);
      assert.notDeepEqual(Array.from(late), Array.from(early));
      same(decodeLzw(late, 0), input);
      same(decodeLzw(early, 1), input);
      same(decodeLzw(early), input);
      // Decoding with the wrong setting reads the width change at the wrong code and goes astray after it.
      assert.notDeepEqual(Array.from(decodeLzw(late, 1)), Array.from(input));
    });

    it('handles clear-table codes in the middle of the stream', () => {
      const input = sample(60000, 'abcdefghijklmnop');
      const encoded = lzwEncode(input, 1, 1000);
      same(decodeLzw(encoded), input);
      same(decodeLzw(lzwEncode(input)), input); // also through 12-bit codes with the default clear point
    });

    it('tolerates a missing EOD code', () => {
      // 256 (clear), 65 'A', 66 'B' as 9-bit codes, no EOD, padded with zero bits.
      const codes = [256, 65, 66];
      const bitsStr = codes.map((c) => c.toString(2).padStart(9, '0')).join('').padEnd(32, '0');
      const data = new Uint8Array(bitsStr.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
      same(decodeLzw(data), bytes('AB'));
    });
  });

  describe('decodeAscii85 (ASCII85Decode)', () => {
    it('decodes known strings', () => {
      assert.equal(text(decodeAscii85(bytes('9jqo^BlbD-BleB1DJ+*+F(f,q~>'))), 'Man is distinguished');
      assert.equal(text(decodeAscii85(bytes('<~9jqo^BlbD-\n BleB1DJ+*+F(f,q~>'))), 'Man is distinguished');
    });

    it('decodes final partial groups', () => {
      assert.equal(text(decodeAscii85(bytes('F*2M7/c~>'))), 'sure.');
      assert.equal(text(decodeAscii85(bytes('9jqo~>'))), 'Man');
      assert.equal(text(decodeAscii85(bytes('9jn~>'))), 'Ma');
      assert.equal(text(decodeAscii85(bytes('9`~>'))), 'M');
    });

    it("expands 'z' to four zero bytes and stops at '~>'", () => {
      same(decodeAscii85(bytes('z!<N?+z~>ignored')), [0, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0]);
      same(decodeAscii85(bytes('  z \r\n z')), [0, 0, 0, 0, 0, 0, 0, 0]);
    });

    it('rejects characters outside the alphabet', () => {
      assert.throws(() => decodeAscii85(bytes('9jq{o~>')), PdfFilterError);
    });
  });

  describe('decodeAsciiHex (ASCIIHexDecode)', () => {
    it('decodes hex with whitespace and mixed case, stopping at >', () => {
      same(decodeAsciiHex(bytes('48 65\n6c6C\t6F>4142')), bytes('Hello'));
    });

    it('pads an odd final digit with 0', () => {
      same(decodeAsciiHex(bytes('901fa>')), [0x90, 0x1f, 0xa0]);
      same(decodeAsciiHex(bytes('7')), [0x70]);
    });

    it('throws on non-hex characters', () => {
      assert.throws(() => decodeAsciiHex(bytes('4g>')), PdfFilterError);
    });
  });

  describe('decodeRunLength (RunLengthDecode)', () => {
    it('decodes literal runs, repeats and EOD', () => {
      const data = new Uint8Array([2, 0x61, 0x62, 0x63, 254, 0x78, 0, 0x7a, 128, 5, 5, 5]);
      assert.equal(text(decodeRunLength(data)), 'abcxxxz');
    });

    it('handles maximum-length runs and a missing EOD', () => {
      const literal = Array.from({ length: 128 }, (_, i) => i);
      const out = decodeRunLength(new Uint8Array([127, ...literal, 129, 0xee]));
      assert.equal(out.length, 128 + 128);
      same(out.subarray(0, 128), literal);
      assert.ok(out.subarray(128).every((b) => b === 0xee));
    });
  });

  describe('applyPredictor', () => {
    // Decoded image: row 0 = 60 10 20, row 1 = 100 5 30 (1 colour, 8 bits, 3 columns).
    const params = { predictor: 15, colors: 1, bitsPerComponent: 8, columns: 3 };
    const decoded = [60, 10, 20, 100, 5, 30];

    it('returns the data unchanged for predictor 1', () => {
      const data = new Uint8Array([1, 2, 3]);
      same(applyPredictor(data, { ...params, predictor: 1 }), [1, 2, 3]);
    });

    it('undoes PNG None + Sub', () => {
      // Sub row 1: 100-0, 5-100 = -95 = 161, 30-5 = 25.
      same(applyPredictor(new Uint8Array([0, 60, 10, 20, 1, 100, 161, 25]), params), decoded);
    });

    it('undoes PNG Up', () => {
      // Up row 0 (prior = zeros) = the raw bytes; row 1: 100-60, 5-10 = 251, 30-20.
      same(applyPredictor(new Uint8Array([2, 60, 10, 20, 2, 40, 251, 10]), params), decoded);
    });

    it('undoes PNG Average', () => {
      // Row 0: 60-0, 10-30, 20-5 → 60, 236, 15. Row 1: 100-30, 5-floor((100+10)/2)=5-55, 30-floor((5+20)/2)=30-12.
      same(applyPredictor(new Uint8Array([3, 60, 236, 15, 3, 70, 206, 18]), params), decoded);
    });

    it('undoes PNG Paeth, choosing above, upper-left and above predictors', () => {
      // Row 1: i0 a=0 b=60 c=0 → b: 40; i1 a=100 b=10 c=60 → c: 5-60 = 201; i2 a=5 b=20 c=10 → b: 10.
      same(applyPredictor(new Uint8Array([0, 60, 10, 20, 4, 40, 201, 10]), params), decoded);
    });

    it('uses bytes-per-pixel for multi-colour Sub and decodes a short final row', () => {
      const rgb = { predictor: 12, colors: 3, bitsPerComponent: 8, columns: 2 };
      // Row: (10,20,30) (15,25,35) → Sub: 10 20 30 5 5 5; then a short Up row with two bytes.
      same(applyPredictor(new Uint8Array([1, 10, 20, 30, 5, 5, 5, 2, 1, 1]), rgb), [10, 20, 30, 15, 25, 35, 11, 21]);
    });

    it('undoes TIFF predictor 2 for 8-bit, 16-bit and 4-bit samples', () => {
      same(applyPredictor(new Uint8Array([10, 100, 5, 1, 5, 1, 7, 7, 1, 1, 1, 1]), { predictor: 2, colors: 2, bitsPerComponent: 8, columns: 3 }),
        [10, 100, 15, 101, 20, 102, 7, 7, 8, 8, 9, 9]);
      same(applyPredictor(new Uint8Array([0x01, 0xff, 0x00, 0x02]), { predictor: 2, colors: 1, bitsPerComponent: 16, columns: 2 }),
        [0x01, 0xff, 0x02, 0x01]);
      // Samples 1, +2, +3, +15 (mod 16) → 1, 3, 6, 5.
      same(applyPredictor(new Uint8Array([0x12, 0x3f]), { predictor: 2, colors: 1, bitsPerComponent: 4, columns: 4 }), [0x13, 0x65]);
    });

    it('rejects bad parameters', () => {
      assert.throws(() => applyPredictor(new Uint8Array(4), { predictor: 12, colors: 1, bitsPerComponent: 3, columns: 1 }), PdfFilterError);
    });
  });
  it('refuses a decompression bomb past the budget instead of inflating it', () => {
    const bomb = zlib.deflateSync(Buffer.alloc(8 * 1024 * 1024)); // 8 MB of zeros in ~8 KB
    assert.ok(bomb.length < 16 * 1024);
    assert.equal(inflate(bomb, 8 * 1024 * 1024).length, 8 * 1024 * 1024);
    assert.throws(() => inflate(bomb, 1024 * 1024), (e: Error) => e instanceof PdfBudgetError && e.limit === 1024 * 1024 && /more than 1 MB/.test(e.message));
    const lzw = lzwZeros(4 * 1024 * 1024);
    assert.ok(lzw.length < 8 * 1024);
    assert.equal(decodeLzw(lzw).length, 4 * 1024 * 1024);
    assert.throws(() => decodeLzw(lzw, 1, 1024 * 1024), PdfBudgetError);
    // RunLength: 128 zeros per 2 bytes; ASCII85: 'z' is 4 zero bytes
    assert.throws(() => decodeRunLength(new Uint8Array(20_000).map((_, i) => (i % 2 ? 0 : 129)), 1024 * 1024), PdfBudgetError);
    assert.throws(() => decodeAscii85(bytes('z'.repeat(300_000)), 1024 * 1024), PdfBudgetError);
  });
});
