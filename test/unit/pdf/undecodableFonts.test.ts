import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { extract } from '../../../src/core';
import { drawingGlyphs, judgeTextLayer } from '../../../src/core/extract/backends/pdfPageText';
import { pageLines } from '../../../src/core/extract/pdf/layout';
import { PdfUnsupportedError } from '../../../src/core/extract/pdf/objects';
import { PdfTextDocument } from '../../../src/core/extract/pdf/textLayer';
import { PdfBuilder } from '../../support/pdfBuilder';
import { useTempDir } from '../../support/tmp';

/** C0/C1 controls (but TAB, LF), DEL, noncharacters, U+FFFD and lone surrogates: never text. */
const FORBIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufdd0-\ufdef\ufffd\ufffe\uffff]|[\ud83f\ud87f\ud8bf\ud8ff\ud93f\ud97f\ud9bf\ud9ff\uda3f\uda7f\udabf\udaff\udb3f\udb7f\udbbf\udbff][\udffe\udfff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Glyph names that name nothing (subsetters' and Type 3 names), or name a character that is not text. */
const garbageName = fc.oneof(
  fc.nat(9999).map((n) => `g${n}`),
  fc.nat(9999).map((n) => `glyph${n}`),
  fc.nat(99999).map((n) => `cid${String(n).padStart(5, '0')}`),
  fc.nat(999).map((n) => `a${n}`),
  fc.constantFrom('.notdef', 'uni0001', 'uni001F', 'uni007F', 'uni0085', 'uni009F', 'uniFFFE', 'uniFDD0', 'u1FFFF', 'u10FFFE', 'uniFFFD', 'uniD800', 'u0000'),
  fc.stringMatching(/^[A-Z][a-z0-9]{3,8}\d$/),
);
/** Names of real characters. */
const goodName = fc.constantFrom('A', 'b', 'space', 'eacute', 'uni4E2D', 'u20BB7', 'fi', 'zero', 'Euro', 'uni00410301');
/** UTF-16 units a ToUnicode CMap may map to that are not text: controls (TAB, LF and CR are whitespace), noncharacters, lone surrogates, U+FFFD. */
const garbageUnit = fc.oneof(fc.integer({ min: 0, max: 0x1f }).filter((u) => u !== 0x09 && u !== 0x0a && u !== 0x0d), fc.integer({ min: 0x7f, max: 0x9f }), fc.integer({ min: 0xfdd0, max: 0xfdef }), fc.constantFrom(0xfffe, 0xffff, 0xfffd, 0xd800, 0xdbff, 0xdc00, 0xdfff));
const goodUnit = fc.oneof(fc.integer({ min: 0x41, max: 0x5a }), fc.integer({ min: 0x4e00, max: 0x4e80 }), fc.constantFrom(0x20, 0xe9));
/** Drops a low surrogate that would pair with the high one before it: two lone surrogates in a row are a character. */
function breakPairs(units: number[]): number[] {
  const out: number[] = [];
  for (const u of units) {
    const prev = out[out.length - 1];
    if (!(u >= 0xdc00 && u <= 0xdfff && prev !== undefined && prev >= 0xd800 && prev <= 0xdbff)) out.push(u);
  }
  return out;
}
const hex4 = (u: number) => u.toString(16).padStart(4, '0').toUpperCase();

type FontKind = 'type1' | 'truetype' | 'type3' | 'type0';
interface FontSpec {
  kind: FontKind;
  /** Per code 1…n: a glyph name (type1, type3) or UTF-16 units (ToUnicode of truetype, type0). */
  names: string[];
  units: number[][];
  codes: number[];
}

function fontSpec(garbageOnly: boolean): fc.Arbitrary<FontSpec> {
  const name = garbageOnly ? garbageName : fc.oneof(garbageName, goodName);
  const unit = garbageOnly ? garbageUnit : fc.oneof(garbageUnit, goodUnit);
  return fc.integer({ min: 1, max: 12 }).chain((n) =>
    fc.record({
      kind: fc.constantFrom<FontKind>('type1', 'truetype', 'type3', 'type0'),
      names: fc.array(name, { minLength: n, maxLength: n }),
      units: fc.array(fc.array(unit, { minLength: 1, maxLength: 3 }).map(garbageOnly ? breakPairs : (u) => u), { minLength: n, maxLength: n }),
      codes: fc.array(fc.integer({ min: 1, max: n }), { minLength: 1, maxLength: 40 }),
    }),
  );
}

function toUnicode(b: PdfBuilder, units: number[][], width: 2 | 4): number {
  const entries = units.map((u, i) => `<${(i + 1).toString(16).padStart(width, '0')}> <${u.map(hex4).join('')}>`);
  return b.stream(`/CIDInit /ProcSet findresource begin 12 dict begin begincmap 1 begincodespacerange <${'0'.repeat(width)}> <${'F'.repeat(width)}> endcodespacerange ${entries.length} beginbfchar ${entries.join(' ')} endbfchar endcmap end end`);
}

/** One page drawing `spec.codes` in the font `spec` describes, in three lines. */
function build(spec: FontSpec): Buffer {
  const b = new PdfBuilder();
  const n = spec.names.length;
  const widths = `/FirstChar 1 /LastChar ${n} /Widths [${'600 '.repeat(n)}]`;
  const differences = `<< /Type /Encoding /Differences [1 ${spec.names.map((x) => `/${x}`).join(' ')}] >>`;
  let font: number;
  if (spec.kind === 'type1') font = b.add(`<< /Type /Font /Subtype /Type1 /BaseFont /XYZABC+Custom /Encoding ${differences} ${widths} >>`);
  else if (spec.kind === 'type3') font = b.add(`<< /Type /Font /Subtype /Type3 /FontBBox [0 0 1000 1000] /FontMatrix [0.001 0 0 0.001 0 0] /CharProcs << >> /Encoding ${differences} ${widths} /Resources << >> >>`);
  else if (spec.kind === 'truetype') font = b.add(`<< /Type /Font /Subtype /TrueType /BaseFont /XYZABC+Custom ${widths} /ToUnicode ${toUnicode(b, spec.units, 2)} 0 R >>`);
  else {
    const cid = b.add('<< /Type /Font /Subtype /CIDFontType2 /BaseFont /XYZABC+Custom /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 600 >>');
    font = b.add(`<< /Type /Font /Subtype /Type0 /BaseFont /XYZABC+Custom /Encoding /Identity-H /DescendantFonts [${cid} 0 R] /ToUnicode ${toUnicode(b, spec.units, 4)} 0 R >>`);
  }
  const bytes = (codes: number[]) => Buffer.from(codes.flatMap((c) => (spec.kind === 'type0' ? [0, c] : [c]))).toString('hex');
  const third = Math.ceil(spec.codes.length / 3);
  const lines = [0, 1, 2].map((i) => spec.codes.slice(i * third, (i + 1) * third)).filter((c) => c.length);
  b.page(`BT /F1 10 Tf 14 TL 72 700 Td ${lines.map((c) => `<${bytes(c)}> Tj T*`).join(' ')} ET`, `<< /Font << /F1 ${font} 0 R >> >>`);
  return b.build();
}

/** The page's runs and verdict; undefined when the own reader hands the file to pdf.js. */
function read(pdf: Buffer) {
  try {
    const { text, drawing } = new PdfTextDocument(pdf).readPage(1);
    const lines = pageLines(text);
    return { text, drawing, verdict: judgeTextLayer(lines, drawing, drawingGlyphs(drawing)) };
  } catch (err) {
    if (err instanceof PdfUnsupportedError) return undefined;
    throw err;
  }
}

describe('PDF fonts without a usable Unicode mapping', () => {
  const tmp = useTempDir();

  it('never yields a control character, noncharacter or lone surrogate, whatever the font maps its codes to', () => {
    fc.assert(
      fc.property(fontSpec(false), (spec) => {
        const page = read(build(spec));
        if (!page) return;
        for (const run of page.text) assert.doesNotMatch(run.str, FORBIDDEN, JSON.stringify(run.str));
        // every visible glyph is text, whitespace or undecodable, and the counts add up
        assert.ok(page.drawing.textGlyphs + page.drawing.undecodable <= page.drawing.glyphs);
      }),
      { numRuns: 400 },
    );
  });

  it('flags a page drawn only with glyphs no mapping names as having no text layer', () => {
    fc.assert(
      fc.property(fontSpec(true), (spec) => {
        const page = read(build(spec));
        assert.ok(page, 'a font whose mappings are all garbage is the own reader’s to judge, not pdf.js’s');
        assert.equal(page.drawing.textGlyphs, 0);
        assert.equal(page.drawing.undecodable, spec.codes.length);
        assert.equal(page.verdict, 'undecodable');
        assert.equal(page.text.filter((r) => r.str.trim()).length, 0);
      }),
      { numRuns: 300 },
    );
  });

  it('reports such pages with UNDECODABLE_TEXT and writes none of their codes', async () => {
    await fc.assert(
      fc.asyncProperty(fontSpec(true), async (spec) => {
        const doc = await extract(await tmp.write('garbage.pdf', build(spec)), { ocr: false });
        assert.doesNotMatch(doc.text, FORBIDDEN);
        assert.equal(doc.text.trim(), '');
        const warning = doc.warnings.find((w) => w.code === 'UNDECODABLE_TEXT');
        assert.ok(warning, JSON.stringify(doc.warnings));
        assert.equal(warning.page, 1);
        assert.ok(!doc.warnings.some((w) => w.code === 'CONTROL_CHARS_REMOVED'));
      }),
      { numRuns: 15 },
    );
  });

  it('reads through a garbage ToUnicode entry to a real glyph name, and keeps real astral text', () => {
    const b = new PdfBuilder();
    const tu = toUnicode(b, [[0x0001], [0xd842, 0xdfb7]], 2);
    const font = b.add(`<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Differences [1 /A /g7] >> /ToUnicode ${tu} 0 R /FirstChar 1 /LastChar 2 /Widths [600 600] >>`);
    b.page('BT /F1 10 Tf 72 700 Td <0102> Tj ET', `<< /Font << /F1 ${font} 0 R >> >>`);
    const page = read(b.build())!;
    assert.equal(page.text.map((r) => r.str).join(''), 'A𠮷');
  });
});
