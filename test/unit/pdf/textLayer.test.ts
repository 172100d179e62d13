import * as assert from 'node:assert/strict';
import { PdfUnsupportedError } from '../../../src/core/extract/pdf/objects';
import { pageLines } from '../../../src/core/extract/pdf/layout';
import { PdfTextDocument } from '../../../src/core/extract/pdf/textLayer';
import { PdfBuilder, utf16Hex } from '../../support/pdfBuilder';

const HELVETICA = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>';

/** Text of page n: lines joined with newlines. */
function pageText(pdf: Buffer, n = 1): string {
  return pageLines(new PdfTextDocument(pdf).pageText(n))
    .map((l) => l.text)
    .join('\n');
}

/** One page with the given fonts: a font is a dictionary, or a function that adds it (and what it needs) and returns its number. */
function onePage(content: string, fonts: Record<string, string | ((b: PdfBuilder) => number)> = { F1: HELVETICA }): Buffer {
  const b = new PdfBuilder();
  const fontRefs = Object.entries(fonts).map(([name, font]) => `/${name} ${typeof font === 'string' ? b.add(font) : font(b)} 0 R`);
  b.page(content, `<< /Font << ${fontRefs.join(' ')} >> >>`);
  return b.build();
}

/** A ToUnicode CMap stream mapping 2-byte codes 1..n to the characters of `chars`. */
function toUnicode(b: PdfBuilder, chars: string): number {
  const entries = Array.from(chars).map((c, i) => `<${(i + 1).toString(16).padStart(4, '0')}> <${utf16Hex(c)}>`);
  const cmap = `/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Test def 1 begincodespacerange <0000> <FFFF> endcodespacerange ${entries.length} beginbfchar ${entries.join(' ')} endbfchar endcmap end end`;
  return b.stream(cmap, '', true);
}

describe('PDF text layer (own reader)', () => {
  it('reads lines, standard-font widths and T* leading from an uncompressed file', () => {
    const pdf = onePage('BT /F1 12 Tf 14 TL 72 700 Td (Hello world) Tj T* (Second line) Tj ET');
    assert.equal(pageText(pdf), 'Hello world\nSecond line');
    const [first] = new PdfTextDocument(pdf).pageText(1);
    // Helvetica AFM widths: H 722 e 556 l 222 l 222 o 556 space 278 w 722 o 556 r 333 l 222 d 556 = 4945 → 59.34 pt at 12 pt
    assert.ok(Math.abs(first!.width - 59.34) < 1e-9, `width ${first!.width}`);
  });

  it('turns TJ gaps into spaces, ignores kerning, and splits far-apart runs', () => {
    const pdf = onePage('BT /F1 10 Tf 72 700 Td [(Ke) 20 (rned) -300 (gap) -2000 (far)] TJ ET');
    assert.equal(pageText(pdf), 'Kerned gap far');
    const runs = new PdfTextDocument(pdf).pageText(1).filter((r) => r.str);
    assert.deepEqual(
      runs.map((r) => r.str),
      ['Kerned gap', 'far'],
    );
  });

  it('keeps real spaces unless the next glyph overlaps them, and applies word spacing', () => {
    assert.equal(pageText(onePage('BT /F1 10 Tf 72 700 Td 5 Tw (a b) Tj ET')), 'a b');
    // a space cancelled by a negative adjustment of its own width is not a word break
    assert.equal(pageText(onePage('BT /F1 10 Tf 72 700 Td [(a ) 278 (b)] TJ ET')), 'ab');
  });

  it('follows q/Q, cm, Tm, Tz, Ts and form XObjects with their own matrix and resources', () => {
    const pdf = onePage('q 2 0 0 2 0 0 cm BT /F1 6 Tf 36 350 Td 50 Tz (Scaled) Tj ET Q BT /F1 10 Tf 1 0 0 1 72 600 Tm (Base) Tj 3 Ts (sup) Tj ET');
    assert.equal(pageText(pdf), 'Scaled\nBasesup');
    const scaled = new PdfTextDocument(pdf).pageText(1)[0]!;
    assert.equal(scaled.x, 72);
    assert.equal(scaled.y, 700);
    assert.equal(scaled.size, 6); // 6 pt × 2 (cm) × 0.5 (Tz)
    const b = new PdfBuilder();
    const font = b.add(HELVETICA);
    const form = b.stream('BT /F9 10 Tf 0 0 Td (Inside the form) Tj ET', `/Type /XObject /Subtype /Form /BBox [0 0 500 100] /Matrix [1 0 0 1 72 300] /Resources << /Font << /F9 ${font} 0 R >> >>`);
    b.page('BT /F1 10 Tf 72 700 Td (Page text) Tj ET /Fm1 Do', `<< /Font << /F1 ${font} 0 R >> /XObject << /Fm1 ${form} 0 R >> >>`);
    const text = pageText(b.build());
    assert.equal(text, 'Page text\nInside the form');
    const runs = new PdfTextDocument(b.build()).pageText(1).filter((r) => r.str);
    assert.equal(runs[1]!.y, 300);
  });

  it('drops text placed outside the visible page, as viewers do', () => {
    assert.equal(pageText(onePage('BT /F1 10 Tf 72 700 Td (Visible) Tj 0 -800 Td (Below the page) Tj ET')), 'Visible');
  });

  it('reads Type0 fonts with Identity-H, a ToUnicode CMap and /W widths', () => {
    const pdf = onePage('BT /F2 12 Tf 72 700 Td <000100020003> Tj 0 -20 Td <0004> Tj ET', {
      F2: (b) => {
        const tu = toUnicode(b, '日本語ﬁ');
        const cid = b.add('<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Test /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 /W [1 [1000 1000] 3 3 900] >>');
        return b.add(`<< /Type /Font /Subtype /Type0 /BaseFont /Test /Encoding /Identity-H /DescendantFonts [${cid} 0 R] /ToUnicode ${tu} 0 R >>`);
      },
    });
    assert.equal(pageText(pdf), '日本語\nfi');
    const [run] = new PdfTextDocument(pdf).pageText(1);
    assert.ok(Math.abs(run!.width - 12 * 2.9) < 1e-9, `width ${run!.width}`);
  });

  it('maps simple-font codes through /Differences and glyph names', () => {
    const font = '<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman /Encoding << /BaseEncoding /WinAnsiEncoding /Differences [65 /Euro /fi /uni00E9] >> >>';
    assert.equal(pageText(onePage('BT /F1 12 Tf 72 700 Td (ABC) Tj ET', { F1: font })), '€fié');
  });

  it('reorders right-to-left runs into reading order', () => {
    // drawn left to right: ו ל ש — read right to left: שלו
    const pdf = onePage('BT /F3 12 Tf 72 700 Td <000300020001> Tj ET', {
      F3: (b) => {
        const tu = toUnicode(b, 'שלו');
        return b.add(`<< /Type /Font /Subtype /Type0 /BaseFont /Heb /Encoding /Identity-H /DescendantFonts [<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Heb /DW 500 >>] /ToUnicode ${tu} 0 R >>`);
      },
    });
    const runs = new PdfTextDocument(pdf).pageText(1).filter((r) => r.str);
    assert.equal(runs[0]!.str, 'שלו');
    assert.equal(runs[0]!.rtl, true);
  });

  it('reads xref streams and object streams, and document information', () => {
    const b = new PdfBuilder();
    const font = b.add(HELVETICA);
    b.page('BT /F1 10 Tf 72 700 Td (Compressed structure) Tj ET', `<< /Font << /F1 ${font} 0 R >> >>`);
    b.setInfo(`<< /Title <FEFF${utf16Hex('Résumé ✓')}> /Author (Ann \\(A.\\) Author) /CreationDate (D:20250124135915Z) >>`);
    const doc = new PdfTextDocument(b.build({ compressed: true, catalogExtra: '/Lang (en-GB)' }));
    assert.equal(doc.numPages, 1);
    assert.equal(doc.repaired, false);
    assert.equal(pageLines(doc.pageText(1))[0]!.text, 'Compressed structure');
    const info = doc.info();
    assert.equal(info.Title, 'Résumé ✓');
    assert.equal(info.Author, 'Ann (A.) Author');
    assert.equal(info.CreationDate, 'D:20250124135915Z');
    assert.equal(info.Language, 'en-GB');
  });

  it('inherits resources from the page tree and walks nested /Pages', () => {
    const b = new PdfBuilder();
    const font = b.add(HELVETICA);
    const inner = b.reserve();
    const content = b.stream('BT /F1 10 Tf 72 700 Td (Inherited font) Tj ET');
    const page = b.add(`<< /Type /Page /Parent ${inner} 0 R /MediaBox [0 0 612 792] /Contents ${content} 0 R >>`);
    b.set(inner, `<< /Type /Pages /Parent ${b.pagesRef} 0 R /Kids [${page} 0 R] /Count 1 /Resources << /Font << /F1 ${font} 0 R >> >> >>`);
    b.addKid(inner);
    assert.equal(pageText(b.build()), 'Inherited font');
  });

  it('rebuilds a wrong cross-reference table by scanning the file', () => {
    const pdf = onePage('BT /F1 10 Tf 72 700 Td (Still readable) Tj ET').toString('latin1');
    const broken = Buffer.from(pdf.replace(/startxref\n\d+/, 'startxref\n999999'), 'latin1');
    const doc = new PdfTextDocument(broken);
    assert.equal(doc.repaired, true);
    assert.equal(pageText(broken), 'Still readable');
    const shifted = Buffer.from(pdf.replace(/(\d{10}) 00000 n/g, (_, o: string) => `${String(Number(o) + 7).padStart(10, '0')} 00000 n`), 'latin1');
    assert.equal(pageText(shifted), 'Still readable');
  });

  it('leaves what it does not handle to pdf.js with a reason', () => {
    const unsupported = (pdf: Buffer, re: RegExp) =>
      assert.throws(() => {
        const d = new PdfTextDocument(pdf);
        for (let n = 1; n <= d.numPages; n++) d.pageText(n);
      }, (e: Error) => e instanceof PdfUnsupportedError && re.test(e.message));
    unsupported(onePage('BT /F7 10 Tf 72 700 Td (x) Tj ET'), /F7 is not in the page resources/);
    const b = new PdfBuilder();
    const font = b.add(HELVETICA);
    b.page('BT /F1 10 Tf 72 700 Td (Secret) Tj ET', `<< /Font << /F1 ${font} 0 R >> >>`);
    const enc = b.add('<< /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>');
    unsupported(b.build({ trailerExtra: `/Encrypt ${enc} 0 R /ID [<01> <01>]` }), /encrypted/);
    // a symbolic embedded font with no ToUnicode and no encoding: only its program knows the text
    unsupported(
      onePage('BT /F1 10 Tf 72 700 Td (abc) Tj ET', {
        F1: (bb) => {
          const file = bb.stream('fake font program');
          const desc = bb.add(`<< /Type /FontDescriptor /FontName /Sym /Flags 4 /FontFile2 ${file} 0 R >>`);
          return bb.add(`<< /Type /Font /Subtype /TrueType /BaseFont /Sym /FirstChar 97 /LastChar 99 /Widths [500 500 500] /FontDescriptor ${desc} 0 R >>`);
        },
      }),
      /no Unicode/,
    );
    unsupported(Buffer.from('%PDF-1.4\nnothing here\n'), /catalog|page/);
    assert.throws(() => new PdfTextDocument(Buffer.from('not a pdf')), PdfUnsupportedError);
  });
  it('draws a self-referencing form once and caps forms drawn from forms, so no page can hang', () => {
    const b = new PdfBuilder();
    const font = b.add(HELVETICA);
    const loop = b.reserve();
    b.setStream(loop, 'BT /F1 10 Tf 0 0 Td (Loop) Tj ET /Me Do /Me Do', `/Type /XObject /Subtype /Form /BBox [0 0 100 100] /Resources << /Font << /F1 ${font} 0 R >> /XObject << /Me ${loop} 0 R >> >>`);
    // a fan-out: each level draws the level below it ten times (10^8 draws without a budget)
    let level = b.stream('BT /F1 10 Tf 0 0 Td (x) Tj ET', `/Type /XObject /Subtype /Form /BBox [0 0 100 100] /Resources << /Font << /F1 ${font} 0 R >> >>`);
    for (let i = 0; i < 8; i++) {
      level = b.stream('/L Do '.repeat(10), `/Type /XObject /Subtype /Form /BBox [0 0 100 100] /Resources << /XObject << /L ${level} 0 R >> >>`);
    }
    b.page('/Loop Do /Fan Do', `<< /XObject << /Loop ${loop} 0 R /Fan ${level} 0 R >> >>`);
    const { text: runs, drawing } = new PdfTextDocument(b.build()).readPage(1);
    assert.equal(runs.filter((r) => r.str.includes('Loop')).length, 1);
    const xs = drawing.glyphs - 'Loop'.length;
    assert.ok(xs > 1000 && xs <= 20_000, `${xs} fan-out draws`);
    // every draw puts the x at the same spot: it is text once (shadowCopies.ts)
    assert.equal(runs.filter((r) => r.str === 'x').length, 1);
  });
  it('keeps the graphics state of the page when a form pops more states than it pushed', () => {
    const b = new PdfBuilder();
    const font = b.add(HELVETICA);
    const form = b.stream('Q Q Q BT /F1 10 Tf 0 0 Td (In form) Tj ET', `/Type /XObject /Subtype /Form /BBox [0 0 100 100] /Resources << /Font << /F1 ${font} 0 R >> >>`);
    b.page('q 1 0 0 1 0 100 cm /Fm Do Q Q Q BT /F1 10 Tf 72 700 Td (After) Tj ET', `<< /Font << /F1 ${font} 0 R >> /XObject << /Fm ${form} 0 R >> >>`);
    const runs = new PdfTextDocument(b.build()).pageText(1).filter((r) => r.str);
    assert.deepEqual(
      runs.map((r) => [r.str, r.y]),
      [
        ['In form', 100],
        ['After', 700],
      ],
    );
  });
});
