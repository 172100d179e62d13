import * as assert from 'node:assert/strict';
import { glyphUnicodeFromTrueType } from '../../../src/core/extract/pdf/trueTypeCmap';
import { pageLines } from '../../../src/core/extract/pdf/layout';
import { PdfTextDocument } from '../../../src/core/extract/pdf/textLayer';
import { PdfBuilder } from '../../support/pdfBuilder';

function pageText(pdf: Buffer): string {
  return pageLines(new PdfTextDocument(pdf).pageText(1))
    .map((l) => l.text)
    .join('\n');
}

function onePage(content: string, fonts: Record<string, (b: PdfBuilder) => number>, extraResources = ''): Buffer {
  const b = new PdfBuilder();
  const refs = Object.entries(fonts).map(([name, add]) => `/${name} ${add(b)} 0 R`);
  b.page(content, `<< /Font << ${refs.join(' ')} >> ${extraResources} >>`);
  return b.build();
}

/** A minimal TrueType program with only a `cmap` table (3,1 format 4): 'A'..'C' → glyphs 1..3, 'é' → glyph 7. */
function trueTypeWithCmap(): Buffer {
  const segments: Array<[number, number, number]> = [
    [0x41, 0x43, 1], // start, end, first glyph
    [0xe9, 0xe9, 7],
    [0xffff, 0xffff, 0],
  ];
  const segX2 = segments.length * 2;
  const sub = Buffer.alloc(16 + segments.length * 8);
  sub.writeUInt16BE(4, 0);
  sub.writeUInt16BE(sub.length, 2);
  sub.writeUInt16BE(segX2, 6);
  segments.forEach(([start, end, glyph], i) => {
    sub.writeUInt16BE(end, 14 + i * 2);
    sub.writeUInt16BE(start, 16 + segX2 + i * 2);
    sub.writeUInt16BE((glyph - start) & 0xffff, 16 + segX2 * 2 + i * 2);
    sub.writeUInt16BE(0, 16 + segX2 * 3 + i * 2);
  });
  const cmap = Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 12]), sub]);
  const head = Buffer.alloc(12 + 16);
  head.writeUInt32BE(0x00010000, 0);
  head.writeUInt16BE(1, 4);
  head.write('cmap', 12, 'latin1');
  head.writeUInt32BE(head.length, 20);
  head.writeUInt32BE(cmap.length, 24);
  return Buffer.concat([head, cmap]);
}

describe('PDF fonts (own reader)', () => {
  it('reads glyph Unicode back from an embedded TrueType cmap', () => {
    const map = glyphUnicodeFromTrueType(trueTypeWithCmap());
    assert.deepEqual([...map!.entries()].sort((a, b) => a[0] - b[0]), [
      [1, 'A'],
      [2, 'B'],
      [3, 'C'],
      [7, 'é'],
    ]);
    assert.equal(glyphUnicodeFromTrueType(Buffer.from('not a font at all')), undefined);
  });

  it('gets the text of a CID font without ToUnicode from its TrueType program, through CIDToGIDMap', () => {
    const pdf = onePage('BT /F1 12 Tf 72 700 Td <000100020003> Tj 0 -20 Td <0004> Tj ET', {
      F1: (b) => {
        const file = b.stream(trueTypeWithCmap(), '', true);
        const desc = b.add(`<< /Type /FontDescriptor /FontName /Sub /Flags 4 /FontFile2 ${file} 0 R >>`);
        // CID 1..3 → glyphs 1..3, CID 4 → glyph 7
        const gidMap = b.stream(Buffer.from([0, 0, 0, 1, 0, 2, 0, 3, 0, 7]));
        const cid = b.add(`<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Sub /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor ${desc} 0 R /CIDToGIDMap ${gidMap} 0 R /DW 600 >>`);
        return b.add(`<< /Type /Font /Subtype /Type0 /BaseFont /Sub /Encoding /Identity-H /DescendantFonts [${cid} 0 R] >>`);
      },
    });
    assert.equal(pageText(pdf), 'ABC\né');
  });

  it('reads Type3 fonts through /Differences, scaling widths by the FontMatrix', () => {
    const pdf = onePage('BT /F1 10 Tf 72 700 Td (ab) Tj (cd) Tj ET', {
      F1: (b) =>
        b.add(
          '<< /Type /Font /Subtype /Type3 /FontBBox [0 0 1000 1000] /FontMatrix [0.001 0 0 0.001 0 0] /CharProcs << >> /Encoding << /Type /Encoding /Differences [97 /x /y /space /z] >> /FirstChar 97 /LastChar 100 /Widths [500 500 250 500] /Resources << >> >>',
        ),
    });
    assert.equal(pageText(pdf), 'xy z');
    const [run] = new PdfTextDocument(pdf).pageText(1);
    assert.ok(Math.abs(run!.width - 17.5) < 1e-9, `width ${run!.width}`); // (500 + 500 + 250 + 500) / 1000 × 10
  });

  it('uses the encoding written inside an embedded Type 1 program when the font has none', () => {
    const program = '%!PS-AdobeFont-1.0: Custom\n/Encoding 256 array\n0 1 255 {1 index exch /.notdef put} for\ndup 65 /Zcaron put\ndup 66 /eacute put\nreadonly def\ncurrentfile eexec\n';
    const pdf = onePage('BT /F1 12 Tf 72 700 Td (AB) Tj ET', {
      F1: (b) => {
        const file = b.stream(program, `/Length1 ${program.length} /Length2 0 /Length3 0`);
        const desc = b.add(`<< /Type /FontDescriptor /FontName /Custom /Flags 4 /FontFile ${file} 0 R >>`);
        return b.add(`<< /Type /Font /Subtype /Type1 /BaseFont /Custom /FirstChar 65 /LastChar 66 /Widths [600 600] /FontDescriptor ${desc} 0 R >>`);
      },
    });
    assert.equal(pageText(pdf), 'Žé');
  });

  it('measures unembedded fonts without widths with standard metrics of the same style', () => {
    const pdf = onePage('BT /F1 10 Tf 72 700 Td (AAAA) Tj ET', {
      F1: (b) => b.add('<< /Type /Font /Subtype /TrueType /BaseFont /SomeSerif /FontDescriptor << /Type /FontDescriptor /FontName /SomeSerif /Flags 34 >> >>'),
    });
    const [run] = new PdfTextDocument(pdf).pageText(1);
    assert.equal(run!.str, 'AAAA');
    assert.ok(Math.abs(run!.width - 4 * 7.22) < 1e-9, `width ${run!.width}`); // Times-Roman 'A' = 722
  });

  it('takes a font from an ExtGState and writes vertical text one glyph per line', () => {
    const vertical = (b: PdfBuilder) => {
      const tu = b.stream('1 begincodespacerange <0000> <FFFF> endcodespacerange 2 beginbfchar <0001> <7E26> <0002> <66F8> endbfchar', '', true);
      const cid = b.add('<< /Type /Font /Subtype /CIDFontType0 /BaseFont /V /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW2 [880 -1000] >>');
      return b.add(`<< /Type /Font /Subtype /Type0 /BaseFont /V /Encoding /Identity-V /DescendantFonts [${cid} 0 R] /ToUnicode ${tu} 0 R >>`);
    };
    const b = new PdfBuilder();
    const font = vertical(b);
    b.page('BT /GS1 gs 300 700 Td <00010002> Tj ET', `<< /ExtGState << /GS1 << /Type /ExtGState /Font [${font} 0 R 20] >> >> >>`);
    const runs = new PdfTextDocument(b.build()).pageText(1).filter((r) => r.str);
    assert.deepEqual(
      runs.map((r) => [r.str, r.y]),
      [
        ['縦', 700],
        ['書', 680],
      ],
    );
  });
});
