import * as assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { extract, type BrightRunError } from '../../../src/core';
import type { OcrService } from '../../../src/core/extract/ocr/ocrService';
import { createOcrService, rasterDpi, type TesseractOcr } from '../../../src/core/extract/ocr/tesseractOcr';
import { imageSize, tiffPages } from '../../../src/core/extract/imageHeader';
import { tiffPageFile } from '../../../src/core/extract/ocr/tiffSplit';
import { bombPdf, flateZeros, lzwZeros } from '../../support/bombs';
import { textPage, writeTiff } from '../../support/tiff';
import { PdfBuilder } from '../../support/pdfBuilder';
import { useTempDir } from '../../support/tmp';

const MB = 1024 * 1024;
/** Small budgets, so a bomb is found in milliseconds. */
const small = { maxUncompressedBytes: 1 * MB };

/** An OCR service that records the pages it is asked for and reads each as "page n ocr text". */
function fakeOcr(): OcrService & { pages: number[] } {
  const pages: number[] = [];
  return {
    pages,
    concurrency: 2,
    recognizeImage: () => Promise.reject(new Error('not used')),
    recognizePdfPage: (_page, n) => {
      pages.push(n);
      return Promise.resolve({ text: `page ${n} ocr text`, confidence: 90, rotation: 0 });
    },
  };
}

const isResourceLimit = (setting: RegExp) => (e: BrightRunError) => e.code === 'RESOURCE_LIMIT' && setting.test(e.remedy) && !/TypeError|RangeError/.test(e.message);
const HELLO = 'BT /F1 12 Tf 72 700 Td (Hello from the text layer) Tj ET';
const FONT = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>';

async function timed<T>(fn: () => Promise<T>): Promise<[T | unknown, number]> {
  const t = Date.now();
  try {
    return [await fn(), Date.now() - t];
  } catch (err) {
    return [err, Date.now() - t];
  }
}

describe('PDF budgets: decompression bombs, pixels, blank pages', function () {
  this.timeout(30_000);
  const tmp = useTempDir();

  it('fails LZW and Flate bombs with RESOURCE_LIMIT quickly, without handing them to pdf.js', async () => {
    for (const [name, pdf] of [['lzw.pdf', bombPdf(lzwZeros(16 * MB), 'LZWDecode')], ['flate.pdf', bombPdf(flateZeros(16 * MB), 'FlateDecode')]] as const) {
      assert.ok(pdf.length < 40_000, `${name} is small (${pdf.length} bytes)`);
      const file = await tmp.write(name, pdf);
      const [err, ms] = await timed(() => extract(file, small));
      assert.ok(isResourceLimit(/extract\.maxDecompressedMB/)(err as BrightRunError), `${name}: ${String(err)}`);
      assert.match((err as BrightRunError).message, /decode to more than 1 MB/);
      assert.ok(ms < 5000, `${name} took ${ms} ms`);
      // Within a budget that fits, the same file is read (its stream is 16 MB of zeros: no text).
      const doc = await extract(file, { maxUncompressedBytes: 32 * MB });
      assert.equal(doc.extractor.backend, 'brightrun-pdf');
    }
  });

  it('checks what pdf.js would decode before it reads a file the own reader does not handle', async () => {
    // Page 1 shows text with no font set (the own reader gives up: pdf.js reads the file); page 2 draws a form
    // whose content is an LZW bomb, which the own reader never reached.
    const b = new PdfBuilder();
    const form = b.stream(lzwZeros(16 * MB), '/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Filter /LZWDecode');
    b.page('BT 72 700 Td (no font) Tj ET', '<< >>');
    b.page('/X1 Do', `<< /XObject << /X1 ${form} 0 R >> >>`);
    const file = await tmp.write('fallback.pdf', b.build());
    await assert.rejects(extract(file, small), isResourceLimit(/extract\.maxDecompressedMB/));
    assert.equal((await extract(file, { maxUncompressedBytes: 32 * MB })).extractor.backend, 'pdfjs-dist@5.6', 'within the budget, pdf.js reads it');
    // The same when pdf.js is asked for by name.
    process.env.BRIGHTRUN_PDF_READER = 'pdfjs';
    try {
      await assert.rejects(extract(await tmp.write('flate.pdf', bombPdf(flateZeros(16 * MB), 'FlateDecode')), small), isResourceLimit(/extract\.maxDecompressedMB/));
    } finally {
      delete process.env.BRIGHTRUN_PDF_READER;
    }
  });

  it('does not OCR blank pages: 300 of them are counted in well under a few seconds', async () => {
    const b = new PdfBuilder();
    for (let i = 0; i < 300; i++) b.page('', '<< >>');
    const file = await tmp.write('blank.pdf', b.build({ compressed: true }));
    const ocr = createOcrService(['eng'], 1);
    try {
      const started = Date.now();
      const doc = await extract(file, {}, { ocr });
      const ms = Date.now() - started;
      assert.ok(ms < 3000, `300 blank pages took ${ms} ms`);
      assert.equal(doc.pages?.length, 300);
      assert.ok(doc.pages!.every((p) => p.source === 'none'));
      assert.equal(doc.ocrPages, 0);
      const blank = doc.warnings.find((w) => w.code === 'BLANK_PAGES');
      assert.match(blank?.message ?? '', /^300 pages draw nothing to read .*: 1–300\.$/);
    } finally {
      await ocr.dispose();
    }
  });

  it('OCRs pages that draw an image or enough paths, and only those', async () => {
    const b = new PdfBuilder();
    const image = b.stream(deflateSync(Buffer.alloc(100 * 100, 255)), '/Type /XObject /Subtype /Image /Width 100 /Height 100 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode');
    const font = b.add(FONT);
    const form = b.stream('q 100 0 0 100 0 0 cm /Im1 Do Q', `/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /XObject << /Im1 ${image} 0 R >> >>`);
    b.page('q 200 0 0 200 100 400 cm /Im1 Do Q', `<< /XObject << /Im1 ${image} 0 R >> >>`); // 1: an image
    b.page('/Fm1 Do', `<< /XObject << /Fm1 ${form} 0 R >> >>`); // 2: an image inside a form
    b.page('BI /W 10 /H 10 /CS /G /BPC 8 ID ' + 'x'.repeat(100) + ' EI', '<< >>'); // 3: an inline image
    b.page(Array.from({ length: 120 }, (_, i) => `${i} 0 m ${i} 5 l`).join(' ') + ' S', '<< >>'); // 4: 240 path operators (outlined text?)
    b.page('0 0 612 792 re S 10 10 m 600 10 l S', '<< >>'); // 5: a frame and a rule
    b.page('', '<< >>'); // 6: nothing
    b.page(HELLO, `<< /Font << /F1 ${font} 0 R >> >>`); // 7: a text layer
    b.page('BT /F1 12 Tf 300 50 Td (7) Tj ET', `<< /Font << /F1 ${font} 0 R >> >>`); // 8: a page number only
    const ocr = fakeOcr();
    const doc = await extract(await tmp.write('mixed.pdf', b.build()), {}, { ocr });
    assert.deepEqual(ocr.pages.sort(), [1, 2, 3, 4]);
    assert.deepEqual(doc.pages!.map((p) => p.source), ['ocr', 'ocr', 'ocr', 'ocr', 'none', 'none', 'text-layer', 'text-layer']);
    assert.match(doc.text, /page 3 ocr text[\s\S]*Hello from the text layer/);
    const blank = doc.warnings.filter((w) => w.code === 'BLANK_PAGES');
    assert.equal(blank.length, 1);
    assert.match(blank[0]!.message, /^2 pages draw nothing to read .*: 5–6\.$/);
    // With OCR off, only the pages worth OCR are reported as skipped.
    const off = await extract(await tmp.write('mixed2.pdf', b.build()), { ocr: false }, { ocr });
    assert.deepEqual(off.warnings.filter((w) => w.code === 'OCR_SKIPPED').map((w) => w.page), [1, 2, 3, 4]);
  });

  it('skips a page whose image is over the pixel budget, and fails an image that decodes past the budget', async () => {
    const b = new PdfBuilder();
    const huge = b.stream(deflateSync(Buffer.alloc(1000)), '/Type /XObject /Subtype /Image /Width 40000 /Height 40000 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode');
    b.page('q 612 0 0 792 0 0 cm /Im1 Do Q', `<< /XObject << /Im1 ${huge} 0 R >> >>`);
    b.page('BI /W 30000 /H 30000 /CS /G /BPC 1 ID xx EI', '<< >>');
    const ocr = fakeOcr();
    const doc = await extract(await tmp.write('pixels.pdf', b.build()), {}, { ocr });
    assert.deepEqual(ocr.pages, []);
    const skipped = doc.warnings.filter((w) => w.code === 'SKIPPED_CONTENT');
    assert.deepEqual(skipped.map((w) => w.page), [1, 2]);
    assert.match(skipped[0]!.message, /40,000 × 40,000 pixels \(1,600 megapixels\), over the 50-megapixel image budget.*extract\.maxImageMegapixels/);

    const c = new PdfBuilder();
    const bomb = c.stream(flateZeros(16 * MB), '/Type /XObject /Subtype /Image /Width 100 /Height 100 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode');
    c.page('q 612 0 0 792 0 0 cm /Im1 Do Q', `<< /XObject << /Im1 ${bomb} 0 R >> >>`);
    await assert.rejects(extract(await tmp.write('imagebomb.pdf', c.build()), small, { ocr }), isResourceLimit(/extract\.maxDecompressedMB/));
    assert.deepEqual(ocr.pages, []);
  });

  it('rasterises large pages at a lower resolution that fits the pixel budget, or not at all', () => {
    const ctx = { file: 'f.pdf', options: {} };
    assert.equal(rasterDpi({ width: 612, height: 792 }, 1, ctx), 300); // Letter at 300 DPI: 8.4 MP
    assert.equal(rasterDpi({ width: 5000, height: 5000 }, 1, ctx), 101); // 69 in square: 50 MP (the default budget) at 101 DPI
    assert.equal(rasterDpi({ width: 612, height: 792 }, 1, { file: 'f.pdf', options: { maxImagePixels: 2_000_000 } }), 146);
    assert.throws(() => rasterDpi({ width: 14400, height: 14400 }, 3, ctx), (e: BrightRunError) => e.code === 'RESOURCE_LIMIT' && /page 3 would be 14,400 × 14,400 pixels .* even at 72 DPI/.test(e.message) && /maxImageMegapixels/.test(e.remedy));
  });
});

describe('image budgets and multi-page TIFF', function () {
  this.timeout(120_000);
  const tmp = useTempDir();
  let ocr: TesseractOcr;
  before(() => {
    ocr = createOcrService(['eng'], 2);
  });
  after(() => ocr.dispose());

  it('refuses an image over the pixel budget from its header, before OCR decodes it', async () => {
    const ihdr = Buffer.alloc(25);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).copy(ihdr);
    ihdr.write('IHDR', 12, 'latin1');
    ihdr.writeUInt32BE(40000, 16);
    ihdr.writeUInt32BE(40000, 20);
    const png = Buffer.concat([ihdr, Buffer.alloc(64)]);
    const started = Date.now();
    await assert.rejects(extract(await tmp.write('huge.png', png), {}, { ocr }), (e: BrightRunError) => isResourceLimit(/extract\.maxImageMegapixels/)(e) && /40,000 × 40,000 pixels/.test(e.message));
    assert.ok(Date.now() - started < 2000);
  });

  it('reads image sizes from headers, bounds-checked', () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xff, 0xc2, 0, 11, 8, 0x01, 0x2c, 0x02, 0x58, 1, 1, 0x11, 0]);
    assert.deepEqual(imageSize(jpeg, 'jpeg'), { width: 600, height: 300 });
    const gif = Buffer.from('GIF89a\x10\x00\x08\x00\x00\x00\x00\x2c\x00\x00\x00\x00\x20\x00\x04\x00\x00\x02\x00\x3b', 'latin1');
    assert.deepEqual(imageSize(gif, 'gif'), { width: 32, height: 8 }); // a frame wider than the screen
    const bmp = Buffer.alloc(30);
    bmp.write('BM', 0, 'latin1');
    bmp.writeUInt32LE(40, 14);
    bmp.writeInt32LE(640, 18);
    bmp.writeInt32LE(-480, 22); // top-down
    assert.deepEqual(imageSize(bmp, 'bmp'), { width: 640, height: 480 });
    const webp = Buffer.alloc(30);
    webp.write('RIFF', 0, 'latin1');
    webp.write('WEBPVP8X', 8, 'latin1');
    webp.writeUIntLE(1999, 24, 3);
    webp.writeUIntLE(999, 27, 3);
    assert.deepEqual(imageSize(webp, 'webp'), { width: 2000, height: 1000 });
    for (const type of ['png', 'jpeg', 'gif', 'bmp', 'webp', 'tiff'] as const) {
      assert.equal(imageSize(Buffer.alloc(10), type), undefined, type);
      assert.equal(imageSize(jpeg.subarray(0, 12), type), undefined, type);
    }
    const loop = Buffer.from([0x49, 0x49, 42, 0, 8, 0, 0, 0, 0, 0, 8, 0, 0, 0]); // an IFD whose next IFD is itself
    assert.equal(tiffPages(loop)?.length, 1);
  });

  it('splits a multi-page TIFF into pages without decoding it', () => {
    const page = (v: number, w: number, h: number) => ({ width: w, height: h, pixels: new Uint8Array(w * h).fill(v) });
    const tiff = writeTiff([page(1, 3, 2), page(2, 5, 3), page(3, 7, 1)]);
    const pages = tiffPages(tiff)!;
    assert.deepEqual(pages.map((p) => [p.width, p.height]), [[3, 2], [5, 3], [7, 1]]);
    const second = tiffPageFile(tiff, pages[1]!.ifd)!;
    const only = tiffPages(second)!;
    assert.deepEqual(only.map((p) => [p.width, p.height]), [[5, 3]]);
    const view = Buffer.from(second);
    const entry = (tag: number) => {
      const n = view.readUInt16LE(8);
      for (let i = 0; i < n; i++) if (view.readUInt16LE(10 + i * 12) === tag) return view.readUInt32LE(18 + i * 12);
      return -1;
    };
    assert.deepEqual([...view.subarray(entry(273), entry(273) + entry(279))], new Array(15).fill(2));
    assert.deepEqual([view.readUInt32LE(entry(282)), view.readUInt32LE(entry(282) + 4)], [300, 1]); // an out-of-line RATIONAL, copied
    assert.equal(tiffPageFile(tiff.subarray(0, pages[2]!.ifd + 20), pages[2]!.ifd), undefined);
  });

  it('OCRs every page of a multi-page TIFF, each with its own confidence', async () => {
    const words = ['Alpha harbour lights', 'Bravo mountain river', 'Charlie winter garden'];
    const tiff = writeTiff(await Promise.all(words.map((w) => textPage(w))));
    const doc = await extract(await tmp.write('pages.tif', tiff), {}, { ocr });
    assert.equal(doc.format, 'image');
    assert.equal(doc.ocrPages, 3);
    assert.equal(doc.metadata.pages, 3);
    assert.deepEqual(doc.pages!.map((p) => [p.number, p.source]), [[1, 'ocr'], [2, 'ocr'], [3, 'ocr']]);
    doc.pages!.forEach((p, i) => {
      assert.ok(p.ocrConfidence! > 70, `page ${i + 1}: ${p.ocrConfidence}`);
      assert.equal(doc.text.slice(p.start, p.end).trim(), words[i]);
    });
    // A page over the pixel budget is skipped with a warning; the others are read.
    const big = writeTiff([await textPage(words[0]!), { width: 3000, height: 2000, pixels: new Uint8Array(6_000_000).fill(255) }]);
    const partial = await extract(await tmp.write('big.tif', big), { maxImagePixels: 1_000_000 }, { ocr });
    assert.equal(partial.ocrPages, 1);
    assert.match(partial.warnings.find((w) => w.code === 'SKIPPED_CONTENT')?.message ?? '', /Page 2 of the TIFF was not OCR'd: it is 3,000 × 2,000 pixels .*extract\.maxImageMegapixels/);
  });
});
