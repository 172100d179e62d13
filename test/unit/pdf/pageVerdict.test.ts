import * as assert from 'node:assert/strict';
import { extract } from '../../../src/core';
import type { OcrService } from '../../../src/core/extract/ocr/ocrService';
import type { ExtractedDocument } from '../../../src/core/extract/types';
import { cleanPdfjsRuns, ocrAgrees } from '../../../src/core/extract/backends/pdfPageText';
import { pageLines } from '../../../src/core/extract/pdf/layout';
import { PdfBuilder, utf16Hex } from '../../support/pdfBuilder';
import { useTempDir } from '../../support/tmp';

const HELVETICA = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>';
const FORBIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufdd0-\ufdef\ufffe\uffff\ufffd]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/u;

/** A fake OCR that reads every page as `text` with `confidence`, counting its calls. */
function fakeOcr(text: string, confidence: number): OcrService & { calls: number } {
  const service = {
    calls: 0,
    concurrency: 1,
    recognizeImage: () => Promise.reject(new Error('not an image test')),
    recognizePdfPage: async () => {
      service.calls++;
      return { text, confidence, rotation: 0 };
    },
  };
  return service;
}

/** A Type0 font (Identity-H) whose ToUnicode maps 2-byte codes 1, 2, … to the characters of `chars`. */
function cidFont(b: PdfBuilder, chars: string, name = 'KozMin-Subset'): number {
  const entries = Array.from(chars).map((c, i) => `<${(i + 1).toString(16).padStart(4, '0')}> <${utf16Hex(c)}>`);
  const cmap = b.stream(`/CIDInit /ProcSet findresource begin 12 dict begin begincmap 1 begincodespacerange <0000> <FFFF> endcodespacerange ${entries.length} beginbfchar ${entries.join(' ')} endbfchar endcmap end end`);
  const cid = b.add(`<< /Type /Font /Subtype /CIDFontType2 /BaseFont /${name} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>`);
  return b.add(`<< /Type /Font /Subtype /Type0 /BaseFont /${name} /Encoding /Identity-H /DescendantFonts [${cid} 0 R] /ToUnicode ${cmap} 0 R >>`);
}

/** A gray image XObject (its pixels do not matter: the fake OCR never looks). */
const image = (b: PdfBuilder) => b.stream(Buffer.alloc(16), '/Type /XObject /Subtype /Image /Width 4 /Height 4 /ColorSpace /DeviceGray /BitsPerComponent 8');

/** One page: an image over `cover` of the page (none at 0), then `text` (content operators) with fonts F1 and F2. */
function page(text: string, fonts: (b: PdfBuilder) => { F1: number; F2?: number }, cover = 0): Buffer {
  const b = new PdfBuilder();
  const f = fonts(b);
  const im = image(b);
  const w = 612 * Math.sqrt(cover);
  const h = 792 * Math.sqrt(cover);
  const draw = cover ? `q ${w} 0 0 ${h} 0 0 cm /Im1 Do Q\n` : '';
  b.page(draw + text, `<< /Font << /F1 ${f.F1} 0 R ${f.F2 ? `/F2 ${f.F2} 0 R` : ''} >> /XObject << /Im1 ${im} 0 R >> >>`);
  return b.build();
}

const astral = (cover: number) => page('BT /F1 7.5 Tf 8.7 825 Td <0001> Tj ET'.replace('825', '700'), (b) => ({ F1: cidFont(b, '𠮷') }), cover);

/** A Type 3 font whose glyphs are named /g1, /g2, … (nothing a reader can map to text), as subsetters write them. */
const type3 = (b: PdfBuilder) =>
  b.add(`<< /Type /Font /Subtype /Type3 /Name /T3 /FontBBox [0 0 1000 1000] /FontMatrix [0.001 0 0 0.001 0 0] /CharProcs << >> /Encoding << /Type /Encoding /Differences [1 ${Array.from({ length: 30 }, (_, i) => `/g${i + 1}`).join(' ')}] >> /FirstChar 1 /LastChar 30 /Widths [${'500 '.repeat(30)}] /Resources << >> >>`);
const rawCodes = Buffer.from(Array.from({ length: 24 }, (_, i) => 1 + (i % 30))).toString('hex');

const codes = (doc: ExtractedDocument) => doc.warnings.map((w) => w.code);

describe('PDF pages: text layer or OCR', () => {
  const tmp = useTempDir();
  const run = async (pdf: Buffer, ocr?: OcrService, options: { ocr?: boolean } = {}) => extract(await tmp.write('page.pdf', pdf), options, ocr ? { ocr } : {});

  it('keeps a one-character astral CJK text layer over a low-confidence OCR guess (pdf.js#16176)', async () => {
    const ocr = fakeOcr('Oh', 41);
    const doc = await run(astral(1), ocr);
    assert.equal(ocr.calls, 1, 'a page that an image covers is OCR’d');
    assert.equal(doc.text.trim(), '𠮷');
    assert.equal(doc.pages?.[0]?.source, 'text-layer');
    assert.deepEqual(codes(doc), ['OCR_DISAGREES']);
    assert.match(doc.warnings[0]!.message, /41%.*text layer was kept/);
  });

  it('keeps the text layer over a confident OCR that reads something else, and warns', async () => {
    const doc = await run(astral(1), fakeOcr('Oh', 96));
    assert.equal(doc.text.trim(), '𠮷');
    assert.deepEqual(codes(doc), ['OCR_DISAGREES']);
  });

  it('takes OCR of a scan whose short text layer OCR also read (a page number over a scanned page)', async () => {
    const pdf = page('BT /F1 10 Tf 300 30 Td (12) Tj ET', (b) => ({ F1: b.add(HELVETICA) }), 1);
    const doc = await run(pdf, fakeOcr('The scanned page reads well.\n\n12', 92));
    assert.equal(doc.pages?.[0]?.source, 'ocr');
    assert.match(doc.text, /scanned page reads well/);
    assert.deepEqual(codes(doc), []);
  });

  it('does not OCR a short text layer when pictures cover little of the page (a title page with a logo)', async () => {
    const ocr = fakeOcr('Oh', 41);
    const doc = await run(astral(0.1), ocr);
    assert.equal(ocr.calls, 0);
    assert.equal(doc.text.trim(), '𠮷');
    assert.deepEqual(codes(doc), []);
    const index = await run(page('BT /F1 24 Tf 72 700 Td (Index) Tj ET', (b) => ({ F1: b.add(HELVETICA) })), ocr);
    assert.equal(index.text.trim(), 'Index');
    assert.equal(ocr.calls, 0);
  });

  it('treats a page of undecodable glyphs as having no text layer: OCR when on, UNDECODABLE_TEXT naming the font when off', async () => {
    const pdf = page(`BT /F1 12 Tf 72 700 Td <${rawCodes}> Tj ET`, (b) => ({ F1: type3(b) }));
    const off = await run(pdf, undefined, { ocr: false });
    assert.doesNotMatch(off.text, FORBIDDEN);
    assert.equal(off.text.trim(), '');
    assert.deepEqual(codes(off).filter((c) => c !== 'EMPTY_TEXT'), ['UNDECODABLE_TEXT']);
    assert.match(off.warnings.find((w) => w.code === 'UNDECODABLE_TEXT')!.message, /24 glyphs on page 1 drawn with font T3 .*turn OCR on/);
    const ocr = fakeOcr('What the page shows', 88);
    const on = await run(pdf, ocr);
    assert.equal(ocr.calls, 1);
    assert.equal(on.pages?.[0]?.source, 'ocr');
    assert.equal(on.text.trim(), 'What the page shows');
  });

  it('keeps decodable text beside a few undecodable glyphs, and says what was left out', async () => {
    const pdf = page(`BT /F1 12 Tf 72 700 Td (A sentence that reads as it should.) Tj /F2 12 Tf 0 -20 Td <010203> Tj ET`, (b) => ({ F1: b.add(HELVETICA), F2: type3(b) }));
    const ocr = fakeOcr('x', 90);
    const doc = await run(pdf, ocr);
    assert.equal(ocr.calls, 0);
    assert.equal(doc.text.trim(), 'A sentence that reads as it should.');
    assert.deepEqual(codes(doc), ['UNDECODABLE_TEXT']);
    assert.match(doc.warnings[0]!.message, /^3 glyphs on page 1 drawn with font T3 .*left out\.$/);
  });

  it('applies the same rule to what pdf.js returns', async () => {
    const pdf = page(`BT /F1 12 Tf 72 700 Td <${rawCodes}> Tj ET`, (b) => ({ F1: type3(b) }));
    process.env.BRIGHTRUN_PDF_READER = 'pdfjs';
    try {
      const doc = await run(pdf, undefined, { ocr: false });
      assert.equal(doc.extractor.backend, 'pdfjs-dist@5.6');
      assert.doesNotMatch(doc.text, FORBIDDEN);
      assert.equal(doc.text.trim(), '');
      assert.ok(codes(doc).includes('UNDECODABLE_TEXT'), codes(doc).join());
    } finally {
      delete process.env.BRIGHTRUN_PDF_READER;
    }
  });

  it('drops pdf.js runs of raw codes without splitting the word around them, and strips stray controls', () => {
    const run = (str: string, x: number, width: number, eol = false) => ({ str, x, y: 700, width, size: 10, rtl: false, eol });
    // "di" + an ffi ligature pdf.js writes as U+001F + "culties" (copy-protected.pdf in the corpus)
    const { items, glyphs } = cleanPdfjsRuns([run('di', 72, 8), run('\u001f', 80, 8), run('culties', 88, 30, true), run('A\u0002 long sentence of text', 72, 120)]);
    assert.deepEqual(
      pageLines(items).map((l) => l.text),
      ['diculties', 'A long sentence of text'],
    );
    assert.equal(glyphs.undecodable, 1);
    assert.ok(glyphs.text > 20);
    const salad = cleanPdfjsRuns([run('\u0003\u0011!#\u0012\u0005%', 72, 40, true)]);
    assert.equal(salad.items.filter((i) => i.str).length, 0);
    assert.equal(salad.glyphs.undecodable, 7);
  });

  it('judges agreement by the text layer’s characters', () => {
    assert.ok(ocrAgrees('12', 'The page reads well. 12'));
    assert.ok(ocrAgrees('Chapter', 'CHAPTER 3'));
    assert.ok(!ocrAgrees('𠮷', 'Oh'));
    assert.ok(!ocrAgrees('Summary', 'Sun'));
  });
});
