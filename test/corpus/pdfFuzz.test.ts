import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PdfUnsupportedError } from '../../src/core/extract/pdf/objects';
import { PdfFilterError } from '../../src/core/extract/pdf/filters';
import { PdfTextDocument } from '../../src/core/extract/pdf/textLayer';
import { corpus } from '../support/corpus';

/** Damaged inputs may be refused (and go to pdf.js), but never with a programming error, and never hang. */
describe('corpus: PDF reader on damaged files', function () {
  this.timeout(60_000);
  const sources = ['docling/pdf/multi_page.pdf', 'docling/pdf/normal_4pages.pdf', 'textract/pdf/raw_text.pdf', 'pdfminer/simple3.pdf', 'docling/pdf/right_to_left_03.pdf'];

  it('reads or refuses 150 mutated, truncated and spliced copies of corpus PDFs', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const outcomes = { read: 0, refused: 0 };
    for (let i = 0; i < 150; i++) {
      const original = readFileSync(corpus(sources[i % sources.length]!));
      let data = Buffer.from(original);
      if (i % 3 === 0) for (let k = 0; k < 20; k++) data[Math.floor(rnd() * data.length)] = Math.floor(rnd() * 256);
      else if (i % 3 === 1) data = data.subarray(0, Math.floor(rnd() * data.length));
      else {
        const at = Math.floor(rnd() * data.length);
        data = Buffer.concat([data.subarray(0, at), data.subarray(at + Math.floor(rnd() * 500))]);
      }
      try {
        const doc = new PdfTextDocument(data);
        for (let n = 1; n <= doc.numPages; n++) doc.pageText(n);
        doc.info();
        outcomes.read++;
      } catch (err) {
        const known = err instanceof PdfUnsupportedError || err instanceof PdfFilterError || (err instanceof Error && !(err instanceof TypeError) && !(err instanceof RangeError && !/page \d+ out of range/.test(err.message)));
        assert.ok(known, `copy ${i} of ${sources[i % sources.length]}: ${(err as Error).stack}`);
        outcomes.refused++;
      }
    }
    assert.ok(outcomes.read > 30 && outcomes.refused > 10, JSON.stringify(outcomes));
  });
});
