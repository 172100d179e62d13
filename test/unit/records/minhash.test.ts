import * as assert from 'node:assert/strict';
import { decodeSignature, encodeSignature, estimatedJaccard, lshBands, minhashSignature, NearDuplicateFilter, PERMUTATIONS, SHINGLE_WORDS, shingleWords } from '../../../src/core/records/minhash';
import { rng, sentence } from '../../support/recordDocs';

/** A generated text of `n` sentences (~10 words each). */
function text(seed: number, n = 30): string[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => sentence(r));
}

/** The exact Jaccard similarity of two texts' word 5-gram shingle sets. */
function jaccard(a: string, b: string): number {
  const sh = (t: string) => {
    const w = shingleWords(t);
    return new Set(Array.from({ length: Math.max(1, w.length - SHINGLE_WORDS + 1) }, (_, i) => w.slice(i, i + SHINGLE_WORDS).join(' ')));
  };
  const [x, y] = [sh(a), sh(b)];
  let both = 0;
  for (const s of x) if (y.has(s)) both++;
  return both / (x.size + y.size - both);
}

const short = (t: string) => Uint16Array.from(minhashSignature(t)!, (v) => v & 0xffff);

describe('records: near-duplicates (MinHash over word shingles, LSH)', () => {
  it('a stored signature round-trips and decides as the text does; a damaged one is refused', () => {
    const text = 'The pump housing is flushed with clean water before the seal is replaced by a trained technician.';
    const sig = minhashSignature(text)!;
    const back = decodeSignature(encodeSignature(sig))!;
    assert.deepEqual([...back], [...sig]);
    const byText = new NearDuplicateFilter(0.85);
    const bySig = new NearDuplicateFilter(0.85);
    const variant = text.replace('trained', 'qualified');
    assert.deepEqual([byText.check(text), byText.check(variant), byText.check('Something else entirely, about valves and flow.')],
      [bySig.checkSignature(back), bySig.checkSignature(minhashSignature(variant)), bySig.checkSignature(minhashSignature('Something else entirely, about valves and flow.'))]);
    assert.equal(decodeSignature('AAAA'), undefined);
    assert.equal(decodeSignature(42), undefined);
  });

  it('chooses bands that find a pair at the threshold with probability ≥ 0.99', () => {
    assert.deepEqual(lshBands(0.85), { bands: 16, rows: 8 });
    for (const t of [0.5, 0.7, 0.85, 0.9, 0.95, 1]) {
      const { bands, rows } = lshBands(t);
      assert.ok(bands * rows <= PERMUTATIONS);
      assert.ok(1 - (1 - t ** rows) ** bands >= 0.99, `threshold ${t}: b=${bands} r=${rows}`);
      assert.ok(rows === PERMUTATIONS || 1 - (1 - t ** (rows + 1)) ** Math.floor(PERMUTATIONS / (rows + 1)) < 0.99, 'the largest such r');
    }
  });

  it('estimates the Jaccard similarity of shingle sets', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const a = text(seed);
      const b = [...a.slice(0, 20), ...text(seed + 1000, 10)];
      const exact = jaccard(a.join(' '), b.join(' '));
      const est = estimatedJaccard(short(a.join(' ')), short(b.join(' ')));
      assert.ok(Math.abs(est - exact) < 0.15, `seed ${seed}: estimate ${est} vs ${exact}`);
    }
    assert.equal(estimatedJaccard(short('Prime the pump, then open the valve slowly.'), short('prime THE pump then open the valve slowly')), 1, 'case and punctuation do not matter');
    assert.equal(minhashSignature(' ... !!! '), undefined);
    assert.deepEqual(minhashSignature('Open the valve.'), minhashSignature('open the valve'), 'fewer words than a shingle: one shingle');
  });

  it('drops near-copies (one sentence changed, words swapped, sentences reordered) and keeps the first', () => {
    const f = new NearDuplicateFilter(0.85);
    let dropped = 0;
    let nonDuplicates = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const a = text(seed);
      assert.equal(f.check(a.join(' ')), false, 'an original is kept');
      nonDuplicates++;
      const oneChanged = [...a];
      oneChanged[7] = sentence(rng(seed + 5000));
      const swapped = a.join(' ').split(' ');
      [swapped[40], swapped[41]] = [swapped[41]!, swapped[40]!];
      const reordered = [...a.slice(15), ...a.slice(0, 15)];
      for (const variant of [oneChanged.join(' '), swapped.join(' '), reordered.join(' ')]) {
        assert.ok(jaccard(a.join(' '), variant) >= 0.85, `generated variant is a near-copy (J=${jaccard(a.join(' '), variant)})`);
        if (f.check(variant)) dropped++;
      }
    }
    assert.ok(dropped >= 88, `near-copies found: ${dropped} of 90`);
    assert.equal(f.size, nonDuplicates + (90 - dropped), 'only the originals (and a missed copy) were kept');
    assert.ok(f.bytes <= 48 * 1024 + f.size * 1024, `${f.bytes} bytes for ${f.size} texts`);
  });

  it('keeps clear non-duplicates: other texts, and texts sharing half their sentences', () => {
    const f = new NearDuplicateFilter(0.85);
    let flagged = 0;
    for (let seed = 1; seed <= 200; seed++) if (f.check(text(seed, 12).join(' '))) flagged++;
    for (let seed = 1; seed <= 50; seed++) {
      const half = [...text(seed, 12).slice(0, 6), ...text(seed + 10_000, 6)].join(' ');
      assert.ok(jaccard(text(seed, 12).join(' '), half) < 0.6);
      if (f.check(half)) flagged++;
    }
    assert.equal(flagged, 0);
    assert.equal(f.size, 250);
  });

  it('is deterministic: the same texts in the same order give the same verdicts', () => {
    const texts = Array.from({ length: 60 }, (_, i) => text(i % 20 === 0 ? 1 : i, 10).join(' ') + (i % 3 === 0 ? ' Extra words here.' : ''));
    const run = () => {
      const f = new NearDuplicateFilter(0.7);
      return texts.map((t) => f.check(t));
    };
    assert.deepEqual(run(), run());
    assert.ok(run().filter(Boolean).length >= 2);
  });
});
