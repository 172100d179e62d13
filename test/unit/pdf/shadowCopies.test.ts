import * as assert from 'node:assert/strict';
import { pageLines, type PositionedText } from '../../../src/core/extract/pdf/layout';
import { dropShadowCopies } from '../../../src/core/extract/pdf/shadowCopies';
import { PdfTextDocument } from '../../../src/core/extract/pdf/textLayer';
import { PdfBuilder } from '../../support/pdfBuilder';

const HELVETICA = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>';

function pageText(content: string): string {
  const b = new PdfBuilder();
  b.page(content, `<< /Font << /F1 ${b.add(HELVETICA)} 0 R >> >>`);
  return pageLines(new PdfTextDocument(b.build()).pageText(1))
    .map((l) => l.text)
    .join('\n');
}

/** `text` shown at (x, y) in Helvetica of `size`, in its own text object (as map and drawing programs write labels). */
const at = (text: string, x: number, y: number, size = 10) => `BT /F1 ${size} Tf ${x} ${y} Td (${text}) Tj ET\n`;

describe('PDF text drawn twice (shadows, halos, fake bold)', () => {
  it('keeps one copy of a label drawn again a fraction of a point away (pdfminer.six#1008)', () => {
    // the map labels of pdfminer-1008-inline-ascii85.pdf: the shadow 0.48 pt left and up of the text, 7.92 pt type (moved onto a letter page)
    const page = at('SAINT-SAUVEUR', 443.22, 576.05, 7.92) + at('SAINT-SAUVEUR', 442.74, 576.53, 7.92) + at('LAC-BRETON', 144.86, 556.81, 7.92) + at('LAC-BRETON', 144.38, 557.29, 7.92);
    assert.equal(pageText(page), 'SAINT-SAUVEUR\nLAC-BRETON');
    assert.equal(pageText(at('Municipalité de Saint-Sauveur', 346.24, 403.92) + at('Municipalité de Saint-Sauveur', 345.28, 404.88)), 'Municipalité de Saint-Sauveur');
  });

  it('merges copies in any direction: halos, embossing, offset bold drawn three times', () => {
    let halo = '';
    for (const [dx, dy] of [[-1, -1], [0, -1], [1, -1], [-1, 0], [1, 0], [-1, 1], [0, 1], [1, 1]]) halo += at('Halo', 100 + dx * 0.5, 500 + dy * 0.5);
    assert.equal(pageText(halo + at('Halo', 100, 500)), 'Halo');
    assert.equal(pageText(at('Bold title', 72, 700, 20) + at('Bold title', 72.4, 700, 20) + at('Bold title', 72.8, 700, 20)), 'Bold title');
    // the copy may come later in the content (a whole shadow layer first, then the text layer)
    assert.equal(pageText(at('North', 100, 600) + at('South', 100, 300) + at('North', 100.6, 599.4) + at('South', 100.6, 299.4)), 'North\nSouth');
  });

  it('drops a glyph drawn again over itself, one glyph at a time (fake bold), but not a letter written twice', () => {
    // Helvetica widths (AFM): S 667, A 667, I 278, N 722, T 611, e 556, l 222, o 556, h 556
    const widths: Record<string, number> = { S: 667, A: 667, I: 278, N: 722, T: 611, h: 556, e: 556, l: 222, o: 556 };
    const glyphByGlyph = (word: string, offsets: number[]) => {
      let x = 72;
      let out = 'BT /F1 10 Tf ';
      for (const ch of word) {
        for (const dx of offsets) out += `1 0 0 1 ${(x + dx).toFixed(2)} 700 Tm (${ch}) Tj `;
        x += widths[ch]! / 100;
      }
      return `${out}ET`;
    };
    assert.equal(pageText(glyphByGlyph('SAINT', [0, 0.3])), 'SAINT');
    assert.equal(pageText(glyphByGlyph('SAINT', [0, 0.25, 0.5])), 'SAINT');
    // condensed type: the second l starts 0.2 em after the first, which is a letter, not a copy
    assert.equal(pageText(glyphByGlyph('hello', [0])), 'hello');
    assert.equal(pageText('BT /F1 10 Tf -0.3 Tc 72 700 Td (hello) Tj ET'), 'hello');
  });

  it('keeps real repeats: words side by side, cells holding the same value, a word on the next line', () => {
    assert.equal(pageText(at('no', 72, 700) + at('no', 86, 700)), 'no no');
    assert.equal(pageText(at('12', 100, 700) + at('12', 160, 700) + at('12', 100, 686) + at('12', 160, 686)), '12 12\n12 12');
    assert.equal(pageText(at('again', 72, 700) + at('again', 72, 688)), 'again\nagain');
    // a different size is another string, not a shadow
    assert.equal(pageText(at('Big', 72, 700, 10) + at('Big', 72.2, 700, 14)), 'BigBig');
  });

  it('moves the line break of a dropped copy to the run kept before it, and leaves a clean page alone', () => {
    const run = (str: string, x: number, y: number, eol = false): PositionedText => ({ str, x, y, width: 20, size: 10, rtl: false, eol });
    const runs = [run('A', 0, 100), run('A', 0.5, 100.5, true), run('B', 0, 80, true)];
    assert.deepEqual(
      dropShadowCopies(runs).map((r) => [r.str, r.eol]),
      [
        ['A', true],
        ['B', true],
      ],
    );
    const clean = [run('A', 0, 100), run('A', 30, 100)];
    assert.equal(dropShadowCopies(clean), clean);
  });

  it('stays linear on a page drawing one value thousands of times', () => {
    const runs: PositionedText[] = [];
    for (let i = 0; i < 50_000; i++) runs.push({ str: '0', x: (i % 200) * 30, y: Math.floor(i / 200) * 12, width: 6, size: 10, rtl: false, eol: false });
    const started = performance.now();
    assert.equal(dropShadowCopies(runs).length, 50_000);
    assert.ok(performance.now() - started < 2000);
  });
});
