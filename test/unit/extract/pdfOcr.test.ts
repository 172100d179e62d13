import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { extract, type BrightRunError } from '../../../src/core';
import { pdfDate } from '../../../src/core/extract/backends/pdf';
import { createOcrService, type TesseractOcr } from '../../../src/core/extract/ocr/tesseractOcr';
import { wordRecall } from '../../support/corpus';
import { encryptedPdf, multiPagePdf, OCR_LINES, renderText, scannedPdf, textPdf, truncate } from '../../support/fixtures';
import { PdfBuilder } from '../../support/pdfBuilder';
import { useTempDir } from '../../support/tmp';

describe('extract: PDF', () => {
  const tmp = useTempDir();








  const write = (name: string, data: Buffer) => tmp.write(name, data);

  it('reads text, pages, headings and metadata', async () => {
    const doc = await extract(await write('multi_page.pdf', multiPagePdf()));
    assert.equal(doc.format, 'pdf');
    assert.equal(doc.metadata.pages, 5);
    assert.equal(doc.pages?.length, 5);
    assert.ok(doc.pages!.every((p) => p.source === 'text-layer' && p.end >= p.start));
    assert.match(doc.metadata.producer ?? '', /Bright Run test fixtures/);
    assert.equal(doc.metadata.title, 'Five pages');
    assert.equal(doc.metadata.created, '2025-01-24T13:59:15.000Z');
    assert.ok(doc.blocks.every((b) => b.page! >= 1 && b.page! <= 5));
    assert.match(doc.text, /Chapter 3: The market/);
    assert.match(doc.markdown, /<!-- page 2 -->/);
    assert.equal(doc.extractor.backend, 'brightrun-pdf');
  });

  it('reads text layers with its own reader and agrees with pdf.js on them', async () => {
    const files = [
      await write('classic.pdf', multiPagePdf()),
      await write('compressed.pdf', multiPagePdf({ compressed: true })),
      await write('prose.pdf', textPdf([['A short report', 'It has one page, (parentheses) and a back\\slash.', 'The end.']])),
    ];
    const words = (t: string) => t.split(/\s+/).filter(Boolean);
    for (const file of files) {
      const ours = await extract(file);
      assert.equal(ours.extractor.backend, 'brightrun-pdf', file);
      process.env.BRIGHTRUN_PDF_READER = 'pdfjs';
      try {
        const theirs = await extract(file);
        assert.equal(theirs.extractor.backend, 'pdfjs-dist@5.6', file);
        assert.deepEqual(ours.metadata, theirs.metadata, file);
        assert.ok(wordRecall(ours.text, theirs.text) > 0.99 && words(ours.text).length === words(theirs.text).length, `${file}: the two readers disagree`);
      } finally {
        delete process.env.BRIGHTRUN_PDF_READER;
      }
    }
  });

  it('opens encrypted PDFs only with the right password', async () => {
    const locked = await write('locked.pdf', encryptedPdf('Secret text on the page.\nA second line of it.', { user: 'foo', owner: 'owner' }));
    await assert.rejects(extract(locked), (e: BrightRunError) => e.code === 'PASSWORD_REQUIRED' && /password/.test(e.remedy));
    await assert.rejects(extract(locked, { password: 'wrong' }), { code: 'WRONG_PASSWORD' });
    const doc = await extract(locked, { password: 'foo' });
    assert.match(doc.text, /Secret text on the page\.\s+A second line of it\./);
    assert.equal(doc.extractor.backend, 'brightrun-pdf', 'encrypted files are decrypted and read by the own reader');
    const ownerOnly = await extract(await write('owner-only.pdf', encryptedPdf('Owner only protection here.\nAnyone can open it and read it.', { user: '', owner: 'owner' })));
    assert.match(ownerOnly.text, /Anyone can open it/, 'an owner-password-only PDF opens without a password');
  });

  it('reports truncated and broken PDFs, recovers what it can from damaged streams', async () => {
    await assert.rejects(extract(await write('multi_page.truncated.pdf', truncate(multiPagePdf(), 0.5))), (e: BrightRunError) => e.code === 'CORRUPT_FILE' && /truncated/.test(e.message));
    await fs.writeFile(path.join(tmp.dir, 'bad.pdf'), '%PDF-1.7\nthis is not a pdf body');
    await assert.rejects(extract(path.join(tmp.dir, 'bad.pdf')), { code: 'CORRUPT_FILE' });
    // A wrong xref table (every offset off): the objects are found by scanning the file.
    const shifted = Buffer.from(multiPagePdf().toString('latin1').replace(/^(\d{10}) 00000 n/gm, (_, n: string) => `${String(Number(n) + 7).padStart(10, '0')} 00000 n`), 'latin1');
    assert.match((await extract(await write('bad-xref.pdf', shifted))).text, /Chapter 1: The harbour/);
  });

  it('counts a page that draws nothing to read as blank, not as a page OCR skipped', async () => {
    const b = new PdfBuilder();
    b.page('1 w 72 72 m 300 300 l S 0 0 1 rg 100 100 50 50 re f 10 10 m 20 20 l 30 10 l h S', '<< >>');
    const doc = await extract(await write('paths.pdf', b.build()), { ocr: false });
    assert.ok(doc.warnings.some((w) => w.code === 'BLANK_PAGES'));
    assert.ok(!doc.warnings.some((w) => w.code === 'OCR_SKIPPED'));
    assert.ok(doc.warnings.some((w) => w.code === 'EMPTY_TEXT'));
  });

  it('extracts by content when the name says otherwise', async () => {
    const doc = await extract(await write('pdf-named-as.docx', multiPagePdf()));
    assert.equal(doc.format, 'pdf');
    assert.equal(doc.warnings[0]?.code, 'NAME_MISMATCH');
    assert.match(doc.warnings[0]!.message, /named like DOCX but its content is PDF/);
  });

  it('parses PDF dates', () => {
    assert.equal(pdfDate("D:20250124135915Z00'00'"), '2025-01-24T13:59:15.000Z');
    assert.equal(pdfDate("D:20230421180435+02'00'"), '2023-04-21T16:04:35.000Z');
    assert.equal(pdfDate('D:2023'), '2023-01-01T00:00:00.000Z');
    assert.equal(pdfDate('garbage'), 'garbage');
    assert.equal(pdfDate(undefined), undefined);
  });
});

describe('extract: OCR (tesseract.js, offline data)', function () {
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






  const expected = OCR_LINES.join('\n');

  it('reads an image with per-page confidence', async () => {
    const file = path.join(tmpDir, 'phototest.png');
    await fs.writeFile(file, (await renderText(OCR_LINES)).png);
    const doc = await extract(file, {}, { ocr });
    assert.equal(doc.format, 'image');
    assert.equal(doc.ocrPages, 1);
    assert.ok(doc.pages![0]!.ocrConfidence! > 80);
    assert.equal(doc.pages![0]!.source, 'ocr');
    assert.ok(wordRecall(doc.text, expected) > 0.95);
  });

  it('turns rotated scans upright before reading them', async () => {
    for (const [turn, fix] of [[90, 270], [180, 180]] as const) {
      const file = path.join(tmpDir, `rotated-${turn}.png`);
      await fs.writeFile(file, (await renderText(OCR_LINES, { rotate: turn })).png);
      const doc = await extract(file, {}, { ocr });
      assert.equal(doc.pages![0]!.rotation, fix, file);
      assert.ok(wordRecall(doc.text, expected) > 0.9, file);
    }
  });

  it('OCRs scanned PDF pages (rasterised) and records them as OCR pages', async () => {
    const file = path.join(tmpDir, 'scan.pdf');
    await fs.writeFile(file, await scannedPdf([OCR_LINES]));
    const doc = await extract(file, {}, { ocr });
    assert.ok(doc.ocrPages >= 1);
    assert.equal(doc.ocrPages, doc.pages!.filter((p) => p.source === 'ocr').length);
    assert.ok(doc.pages!.filter((p) => p.source === 'ocr').every((p) => p.ocrConfidence! > 50));
    assert.ok(wordRecall(doc.text, expected) > 0.9);
  });

  it('turns an upside-down scanned PDF page upright', async () => {
    const file = path.join(tmpDir, 'upside-down.pdf');
    await fs.writeFile(file, await scannedPdf([OCR_LINES], { rotate: 180 }));
    const doc = await extract(file, {}, { ocr });
    assert.equal(doc.pages![0]!.rotation, 180);
    assert.ok(wordRecall(doc.text, expected) > 0.9);
  });

  it('refuses images when OCR is off, naming the setting', async () => {
    const file = path.join(tmpDir, 'cosmic.png');
    await fs.writeFile(file, (await renderText(['Cosmic rays'])).png);
    await assert.rejects(extract(file, { ocr: false }, { ocr }), (e: BrightRunError) => e.code === 'OCR_FAILED' && /ocr/i.test(e.remedy));
    await assert.rejects(extract(file), { code: 'OCR_FAILED' });
  });

  it('names a missing OCR language package', () => {
    assert.throws(() => createOcrService(['xxx']), (e: BrightRunError) => e.code === 'OCR_FAILED' && /@tesseract\.js-data\/xxx/.test(e.remedy));
  });

  it('reports an unreadable image as an OCR failure without crashing', async () => {
    const file = path.join(tmpDir, 'broken.png');
    await fs.writeFile(file, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]));
    await assert.rejects(extract(file, {}, { ocr }), (e: BrightRunError) => e.code === 'OCR_FAILED' && e.file === file);
  });
});
