import * as assert from 'node:assert/strict';
import { cleanDocumentText, cleanText, cleanTextWithOffsets, isCleanText } from '../../../src/core/extract/cleanText';
import { trimLineEnds } from '../../../src/core/extract/documentBuilder';
import { hasInlineLink } from '../../../src/core/extract/detect';
import { atxHeading } from '../../../src/core/extract/backends/plainText';
import type { Block } from '../../../src/core/extract/types';
import { rng } from '../../support/rng';

/**
 * An oracle written independently of the implementation, from Unicode's own properties: Cc except TAB and LF,
 * Noncharacter_Code_Point, and (with the u flag) lone surrogates, which match \p{Cs}.
 */
const FORBIDDEN = /[\p{Cc}\p{Noncharacter_Code_Point}\p{Cs}]/u;
const forbiddenIn = (s: string) => [...s].some((ch) => ch !== '\t' && ch !== '\n' && FORBIDDEN.test(ch));


/** Code units drawn mostly from the edges that matter: controls, C1, surrogates, noncharacters, and plain text. */
const POOL = [0x00, 0x01, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1b, 0x1f, 0x20, 0x41, 0x7e, 0x7f, 0x80, 0x85, 0x9f, 0xa0, 0xe9, 0x2028, 0xd800, 0xd83d, 0xdbff, 0xdc00, 0xde00, 0xdffd, 0xdffe, 0xdfff, 0xfdcf, 0xfdd0, 0xfdef, 0xfdf0, 0xfeff, 0xfffd, 0xfffe, 0xffff];

function randomString(next: () => number, maxLength: number): string {
  const n = Math.floor(next() * maxLength);
  const units: number[] = [];
  for (let i = 0; i < n; i++) units.push(next() < 0.8 ? POOL[Math.floor(next() * POOL.length)]! : Math.floor(next() * 0x10000));
  return String.fromCharCode(...units);
}

describe('cleanText (text hygiene)', () => {
  it('removes C0/C1 controls, DEL, noncharacters and lone surrogates; makes VT, FF, NEL and CR line breaks', () => {
    assert.deepEqual(cleanText('a\u0000b\u0007c\u001bd\u007fe\u0080f\u009fg'), { text: 'abcdefg', removed: 6 });
    assert.deepEqual(cleanText('one\u000btwo\u000cthree\u0085four\r\nfive\rsix'), { text: 'one\ntwo\nthree\nfour\nfive\nsix', removed: 0 });
    assert.deepEqual(cleanText('one\u000btwo\u000cthree\u0085four', 'remove'), { text: 'onetwothreefour', removed: 3 });
    assert.deepEqual(cleanText('x\ufdd0\ufdef\ufffe\uffffy'), { text: 'xy', removed: 4 });
    // U+1FFFE and U+10FFFF are noncharacters; U+1F600 and U+1F7FE (low half DFFE too) are not.
    assert.deepEqual(cleanText('a\ud83f\udffe\udbff\udfffb\ud83d\ude00\ud83d\udffe'), { text: 'ab\ud83d\ude00\ud83d\udffe', removed: 2 });
    assert.deepEqual(cleanText('lone \ud800 high, lone \udc00 low, reversed \udc00\ud800.'), { text: 'lone  high, lone  low, reversed .', removed: 4 });
    assert.deepEqual(cleanText('tab\tand\nnewline, \ufffd and \ufeff stay'), { text: 'tab\tand\nnewline, \ufffd and \ufeff stay', removed: 0 });
  });

  it('returns a clean string as it came', () => {
    const clean = 'Plain text, accents é, emoji \ud83d\ude00, tabs\tand\nlines.'.repeat(100);
    assert.equal(cleanText(clean).text, clean);
    assert.ok(isCleanText(clean));
    assert.ok(!isCleanText('a\rb'), 'a CR needs normalising');
  });

  it('maps offsets of the original onto the cleaned text', () => {
    const s = 'ab\u0001cd\r\nef\ud800gh';
    const c = cleanTextWithOffsets(s);
    assert.equal(c.text, 'abcd\nefgh');
    for (const [from, to] of [[0, 0], [2, 2], [3, 2], [5, 4], [7, 5], [9, 7], [10, 7], [12, 9]] as const) assert.equal(c.mapOffset(from), to, `offset ${from}`);
  });

  it('property: random strings come out without a forbidden code point, clean ones come out identical (seeded loop)', () => {
    // fast-check is not installed in this workspace; a seeded PRNG gives the same kind of coverage, reproducibly.
    const next = rng(0x5eed);
    for (let round = 0; round < 3000; round++) {
      const s = randomString(next, 40);
      const { text, removed } = cleanText(s);
      assert.ok(!forbiddenIn(text), `round ${round}: ${JSON.stringify(s)} → ${JSON.stringify(text)}`);
      assert.ok(!text.includes('\r'));
      assert.equal(isCleanText(text), true);
      assert.equal(cleanText(text).text, text, 'cleaning is idempotent');
      const expectClean = !forbiddenIn(s);
      if (expectClean) {
        assert.equal(text, s, `round ${round}: a clean string changed`);
        assert.equal(removed, 0);
      }
      assert.equal(removed > 0 || expectClean || /[\r\u000b\u000c\u0085]/.test(s), true);
      const mapped = cleanTextWithOffsets(s);
      assert.equal(mapped.text, text);
      assert.equal(mapped.mapOffset(s.length), text.length);
    }
  });

  it('cleans a whole document in place, moving block and page spans with the text', () => {
    const text = 'Title\u0007\n\nBody \u0000text\u0085here';
    const blocks: Block[] = [
      { type: 'heading', start: 0, end: 6, rows: [['a\u0001', 'b']] },
      { type: 'paragraph', start: 8, end: text.length },
    ];
    const doc = { text, markdown: '# Title\u0007\n', blocks, pages: [{ number: 1, start: 0, end: text.length, source: 'text-layer' as const }], metadata: { title: 'T\u0000', columns: ['c\u0002'] } };
    assert.equal(cleanDocumentText(doc), 4);
    assert.equal(doc.text, 'Title\n\nBody text\nhere');
    assert.deepEqual(doc.blocks.map((b) => doc.text.slice(b.start, b.end)), ['Title', 'Body text\nhere']);
    assert.equal(doc.text.slice(doc.pages[0]!.start, doc.pages[0]!.end), doc.text);
    assert.deepEqual(doc.metadata, { title: 'T', columns: ['c'] });
    assert.equal(doc.markdown, '# Title\n');
    assert.deepEqual(doc.blocks[0]!.rows, [['a', 'b']]);
  });
});

describe('linear text helpers agree with the regexes they replace', () => {
  const next = rng(42);
  const pick = (alphabet: string, max: number) => Array.from({ length: Math.floor(next() * max) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');

  it('trimLineEnds = /[ \\t]+$/gm on LF text', () => {
    for (let i = 0; i < 2000; i++) {
      const s = pick(' \t\na#', 30);
      assert.equal(trimLineEnds(s), s.replace(/[ \t]+$/gm, ''), JSON.stringify(s));
    }
  });

  it('atxHeading = /^ {0,3}(#{1,6})\\s+(.*?)\\s*#*\\s*$/', () => {
    for (let i = 0; i < 4000; i++) {
      const s = pick('  \t#####a ', 16);
      const m = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(s);
      assert.deepEqual(atxHeading(s), m ? { level: m[1]!.length, title: m[2] } : undefined, JSON.stringify(s));
    }
  });

  it('hasInlineLink = /\\[[^\\]]+\\]\\([^)]+\\)/', () => {
    for (let i = 0; i < 4000; i++) {
      const s = pick('[]()a\n', 16);
      assert.equal(hasInlineLink(s), /\[[^\]]+\]\([^)]+\)/.test(s), JSON.stringify(s));
    }
  });
});
