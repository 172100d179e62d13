import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { extract, type BrightRunError } from '../../src/core';
import { createOcrService, type TesseractOcr } from '../../src/core/extract/ocr/tesseractOcr';
import { corpus, groundTruth, wordRecall } from '../support/corpus';
import { useTempDir } from '../support/tmp';

describe('corpus: PDF', () => {
  const tmp = useTempDir();

  it('reads text, pages, headings and metadata', async () => {
    const doc = await extract(corpus('docling/pdf/multi_page.pdf'));
    assert.equal(doc.format, 'pdf');
    assert.equal(doc.metadata.pages, 5);
    assert.equal(doc.pages?.length, 5);
    assert.ok(doc.pages!.every((p) => p.source === 'text-layer' && p.end >= p.start));
    assert.match(doc.metadata.producer ?? '', /Quartz/);
    assert.equal(doc.metadata.created, '2025-01-24T13:59:15.000Z');
    assert.ok(doc.blocks.every((b) => b.page! >= 1 && b.page! <= 5));
    assert.ok(wordRecall(doc.text, groundTruth('docling/pdf/multi_page.pdf')) > 0.97);
    assert.match(doc.markdown, /<!-- page 2 -->/);
    assert.equal(doc.extractor.backend, 'brightrun-pdf');
  });

  it('reads text layers with its own reader and agrees with pdf.js on them', async () => {
    const files = ['docling/pdf/multi_page.pdf', 'docling/pdf/code_and_formula.pdf', 'textract/pdf/raw_text.pdf', 'docling/pdf/right_to_left_03.pdf'];
    const words = (t: string) => t.split(/\s+/).filter(Boolean);
    for (const file of files) {
      const ours = await extract(corpus(file));
      assert.equal(ours.extractor.backend, 'brightrun-pdf', file);
      process.env.BRIGHTRUN_PDF_READER = 'pdfjs';
      try {
        const theirs = await extract(corpus(file));
        assert.equal(theirs.extractor.backend, 'pdfjs-dist@5.6', file);
        assert.deepEqual(ours.metadata, theirs.metadata, file);
        assert.ok(wordRecall(ours.text, theirs.text) > 0.99 && words(ours.text).length === words(theirs.text).length, `${file}: the two readers disagree`);
      } finally {
        delete process.env.BRIGHTRUN_PDF_READER;
      }
    }
    // a CID font without ToUnicode: the text comes from the embedded TrueType's cmap
    assert.equal((await extract(corpus('pdfminer/issue_566_test_1.pdf'))).text.replace(/\s+/g, ' ').trim(), groundTruth('pdfminer/issue_566_test_1.pdf').replace(/\s+/g, ' ').trim());
  });

  it('opens encrypted PDFs only with the right password', async () => {
    await assert.rejects(extract(corpus('pdfminer/aes-256.pdf')), (e: BrightRunError) => e.code === 'PASSWORD_REQUIRED' && /password/.test(e.remedy));
    await assert.rejects(extract(corpus('pdfminer/aes-256.pdf'), { password: 'wrong' }), { code: 'WRONG_PASSWORD' });
    const doc = await extract(corpus('pdfminer/aes-256.pdf'), { password: 'foo' });
    assert.ok(doc.text.trim().length > 0);
    assert.equal(doc.extractor.backend, 'brightrun-pdf', 'encrypted files are decrypted and read by the own reader');
    const paper = await extract(corpus('docling/pdf/2206.01062_pg3.pdf'), { password: '1234' });
    assert.match(paper.text, /\w{4,}/);
    const ownerOnly = await extract(corpus('unstructured/pdf/copy-protected.pdf'));
    assert.ok(ownerOnly.text.length > 100, 'an owner-password-only PDF opens without a password');
  });

  it('reports truncated and broken PDFs, recovers what it can from damaged streams', async () => {
    await assert.rejects(extract(corpus('synthetic/corrupt/multi_page.truncated.pdf')), (e: BrightRunError) => e.code === 'CORRUPT_FILE' && /truncated/.test(e.message));
    await fs.writeFile(path.join(tmp.dir, 'bad.pdf'), '%PDF-1.7\nthis is not a pdf body');
    await assert.rejects(extract(path.join(tmp.dir, 'bad.pdf')), { code: 'CORRUPT_FILE' });
    const zen = await extract(corpus('pdfminer/zen_of_python_corrupted.pdf'));
    assert.match(zen.text, /Beautiful is better than ugly/);
    const invalid = await extract(corpus('unstructured/pdf/invalid-pdf-structure-pdfminer-one-page.pdf'));
    assert.ok(invalid.text.trim().length > 0);
  });

  it('counts a page that draws nothing to read as blank, not as a page OCR skipped', async () => {
    // simple2.pdf's one page draws 7 path operators and no text or image (pages OCR skips: budgets.test.ts).
    const doc = await extract(corpus('pdfminer/simple2.pdf'), { ocr: false });
    assert.ok(doc.warnings.some((w) => w.code === 'BLANK_PAGES'));
    assert.ok(!doc.warnings.some((w) => w.code === 'OCR_SKIPPED'));
    assert.ok(doc.warnings.some((w) => w.code === 'EMPTY_TEXT'));
  });

  it('extracts by content when the name says otherwise', async () => {
    const doc = await extract(corpus('synthetic/corrupt/pdf-named-as.docx'));
    assert.equal(doc.format, 'pdf');
    assert.equal(doc.warnings[0]?.code, 'NAME_MISMATCH');
    assert.match(doc.warnings[0]!.message, /named like DOCX but its content is PDF/);
  });

  it('reads right-to-left and CJK text layers', async () => {
    const rtl = await extract(corpus('docling/pdf/right_to_left_03.pdf'));
    assert.match(rtl.text, /[\u0590-\u05ff\u0600-\u06ff]/);
    const korean = await extract(corpus('docling/pdf/normal_4pages.pdf'));
    assert.match(korean.text, /[\uac00-\ud7af]/);
    assert.ok(wordRecall(korean.text, groundTruth('docling/pdf/normal_4pages.pdf')) > 0.85);
  });

});

describe('corpus: OCR (tesseract.js, offline data)', function () {
  this.timeout(120_000);
  let ocr: TesseractOcr;
  let tmpDir: string;
  before(async () => {
    ocr = createOcrService(['eng'], 2);
    tmpDir = await fs.mkdtemp(path.join(os.tmpdir(), 'brightrun-ocr-'));
  });
  after(async () => {
    await ocr.dispose();
    await fs.rm(tmpDir, { recursive: true, force: true });
  });

  it('reads an image with per-page confidence', async () => {
    const doc = await extract(corpus('tesseract/phototest.tif'), {}, { ocr });
    assert.equal(doc.format, 'image');
    assert.equal(doc.ocrPages, 1);
    assert.ok(doc.pages![0]!.ocrConfidence! > 80);
    assert.equal(doc.pages![0]!.source, 'ocr');
    assert.ok(wordRecall(doc.text, groundTruth('tesseract/phototest.tif')) > 0.95);
  });

  it('turns rotated scans upright before reading them', async () => {
    for (const [f, degrees] of [['tesseract/phototest-rotated-L.png', 90], ['tesseract/phototest-rotated-180.png', 180]] as const) {
      const doc = await extract(corpus(f), {}, { ocr });
      assert.equal(doc.pages![0]!.rotation, degrees, f);
      assert.ok(wordRecall(doc.text, groundTruth(f)) > 0.9, f);
    }
  });

  it('OCRs scanned PDF pages (rasterised) and records them as OCR pages', async () => {
    const doc = await extract(corpus('textract/scanned/ocr_text.pdf'), {}, { ocr });
    assert.ok(doc.ocrPages >= 1);
    assert.equal(doc.ocrPages, doc.pages!.filter((p) => p.source === 'ocr').length);
    assert.ok(doc.pages!.filter((p) => p.source === 'ocr').every((p) => p.ocrConfidence! > 50));
    assert.ok(wordRecall(doc.text, groundTruth('textract/scanned/ocr_text.pdf')) > 0.9);
  });

  it('turns an upside-down scanned PDF page upright', async () => {
    const doc = await extract(corpus('docling/ocr/ocr_test_rotated_180.pdf'), {}, { ocr });
    assert.equal(doc.pages![0]!.rotation, 180);
    assert.ok(wordRecall(doc.text, groundTruth('docling/ocr/ocr_test_rotated_180.pdf')) > 0.9);
  });

  it('refuses images when OCR is off, naming the setting', async () => {
    await assert.rejects(extract(corpus('tesseractjs/cosmic.png'), { ocr: false }, { ocr }), (e: BrightRunError) => e.code === 'OCR_FAILED' && /ocr/i.test(e.remedy));
    await assert.rejects(extract(corpus('tesseractjs/cosmic.png')), { code: 'OCR_FAILED' });
  });

});
