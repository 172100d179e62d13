import { pathToFileURL } from 'node:url';
import { BrightRunError, throwIfAborted } from '../../errors';
import { pdfjsAssets } from '../assets';
import { importModule } from '../esmImport';
import type { BackendContext, BackendResult } from '../backendTypes';
import { DocumentBuilder } from '../documentBuilder';
import type { ExtractionWarning } from '../types';
import { maxImagePixels } from '../limits';
import { compact } from '../xml';
import type { PageDrawing } from '../pdf/pageDrawing';
import { addParagraphs, pageLines, type Line, type PositionedText } from '../pdf/layout';
import { PdfJsGuard, PdfPixelError, checkInlineImages } from '../pdf/pdfjsGuard';
import { PdfTextDocument } from '../pdf/textLayer';
import { DEFAULT_MAX_UNCOMPRESSED } from '../types';
import { cleanPdfjsRuns, drawingGlyphs, judgeTextLayer, ocrAgrees, ocrDisagreesWarning, undecodableWarning, type GlyphCounts, type TextLayerVerdict } from './pdfPageText';
import { blankPagesWarning, isBlank, pageFailure, pdfBudgetError, pdfOpenError, pixelSkipWarning, worthOcr } from './pdfPages';
import { dropShadowCopies } from '../pdf/shadowCopies';

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs', { with: { 'resolution-mode': 'import' } });
type PdfDocument = Awaited<ReturnType<PdfJs['getDocument']>['promise']>;
type PdfPage = Awaited<ReturnType<PdfDocument['getPage']>>;

interface TextItem {
  str: string;
  dir: string;
  width: number;
  height: number;
  transform: number[];
  hasEOL: boolean;
}

/** OCR of one page, provided by the OCR module when OCR is on; `dpi` is the resolution it was rasterised at. */
export type PageOcr = (page: PdfPage, pageNumber: number) => Promise<{ text: string; confidence: number; rotation: number; dpi?: number } | undefined>;

/** The resolution scanned pages are rasterised at for OCR, unless the pixel budget asks for less. */
export const OCR_DPI = 300;

let pdfjs: Promise<PdfJs> | undefined;
export function loadPdfJs(): Promise<PdfJs> {
  pdfjs ??= importModule<PdfJs>(pathToFileURL(pdfjsAssets().module).href);
  return pdfjs;
}

type Outcome = { lines: Line[]; failed?: boolean; blank?: boolean; ocr?: { text: string; confidence: number; rotation: number } };
type OcrRunner = { run: PageOcr; concurrency: number };

/**
 * PDF: the text layer is read by Bright Run's own reader (src/core/extract/pdf), which handles the common cases
 * several times faster than pdf.js; a file it does not fully understand (encrypted, a glyph whose text only its
 * font program knows, CMaps built on other predefined CMaps, damage it cannot repair) is read by pdf.js (legacy
 * build, Node 20). Text runs become lines by position and lines become paragraphs and headings (pdf/layout.ts). Pages
 * without a usable text layer go to OCR, rendered by pdf.js.
 */
export async function extractPdf(data: Buffer, ctx: BackendContext, ocr?: OcrRunner): Promise<Omit<BackendResult, 'backend'> & { reader: 'brightrun' | 'pdfjs' }> {
  const truncated = !hasEofMarker(data);
  const truncatedWarning = (): ExtractionWarning[] =>
    truncated ? [{ code: 'PARTIAL_CONTENT', message: 'The file looks truncated (no %%EOF at its end); the text that could be recovered was extracted.' }] : [];
  const maxStreamBytes = ctx.options.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED;
  // The own reader opens the file even when pdf.js reads it: it keeps pdf.js within the budgets (pdfjsGuard.ts).
  let doc: PdfTextDocument | undefined;
  try {
    doc = new PdfTextDocument(data, { maxStreamBytes, ...(ctx.options.password !== undefined ? { password: ctx.options.password } : {}) });
    if (process.env.BRIGHTRUN_PDF_READER !== 'pdfjs') {
      // Every page's text is read before any OCR starts, so giving up leaves nothing running behind.
      const read = await readTextLayer(doc, ctx);
      return { ...(await extractWithTextLayer(doc, read, data, ctx, ocr, truncatedWarning())), reader: 'brightrun' };
    }
  } catch (err) {
    if (ctx.signal?.aborted) throw err;
    // A budget met is the file's answer: pdf.js, which decodes without limits, never gets such a file.
    const budget = pdfBudgetError(err, ctx.file);
    if (budget) throw budget;
    // Not something the own reader handles (or it failed): pdf.js reads the whole file.
    if (process.env.BRIGHTRUN_DEBUG_PDF) process.stderr.write(`pdf.js reads ${ctx.file}: ${(err as Error).message}\n`);
  }
  const guard = doc ? new PdfJsGuard(doc, maxImagePixels(ctx.options)) : undefined;
  if (doc && guard) {
    const { first, last } = pageSpan(ctx, doc.numPages);
    try {
      for (let n = first; n <= last; n++) guard.checkPage(n, 'text');
    } catch (err) {
      throw pdfBudgetError(err, ctx.file) ?? err;
    }
  }
  return { ...(await extractWithPdfJs(data, ctx, ocr, truncatedWarning(), truncated, doc, guard)), reader: 'pdfjs' };
}

interface TextLayer {
  lines: Line[][];
  drawings: PageDrawing[];
}

/** The own reader's lines, and what else each page draws, for each page of the range; throws if it does not handle the file. */
async function readTextLayer(doc: PdfTextDocument, ctx: BackendContext): Promise<TextLayer> {
  const { first, last } = pageSpan(ctx, doc.numPages);
  const lines: Line[][] = [];
  const drawings: PageDrawing[] = [];
  let lastYield = Date.now();
  for (let n = first; n <= last; n++) {
    throwIfAborted(ctx.signal);
    if (Date.now() - lastYield > 25) {
      await new Promise((resolve) => setImmediate(resolve));
      throwIfAborted(ctx.signal);
      lastYield = Date.now();
    }
    const page = doc.readPage(n);
    lines.push(pageLines(page.text));
    drawings.push(page.drawing);
  }
  return { lines, drawings };
}

async function extractWithTextLayer(doc: PdfTextDocument, read: TextLayer, data: Buffer, ctx: BackendContext, ocr: OcrRunner | undefined, warnings: ExtractionWarning[]) {
  const ocrStarted = Date.now();
  const { first } = pageSpan(ctx, doc.numPages);
  const guard = new PdfJsGuard(doc, maxImagePixels(ctx.options));
  // Scanned pages are rendered by pdf.js for OCR, opened only if there is one.
  let pdfjsDoc: Promise<PdfDocument> | undefined;
  try {
    const results = await schedulePages(first, read.lines.length, ctx, ocr, warnings, async (n) => ({
      lines: read.lines[n - first]!,
      drawing: read.drawings[n - first]!,
      check: () => guard.checkPage(n, 'render'),
      page: () => (pdfjsDoc ??= openPdfJs(new Uint8Array(data), ctx, false)).then((d) => d.getPage(n)),
    }));
    if (doc.repaired) warnings.push({ code: 'PARTIAL_CONTENT', message: 'The file is damaged (its cross-reference table is wrong); its objects were found by scanning the file.' });
    return assemble(results, first, doc.numPages, doc.info(), warnings, ocrStarted);
  } finally {
    if (pdfjsDoc) await pdfjsDoc.then((d) => d.destroy()).catch(() => undefined);
  }
}

async function extractWithPdfJs(data: Buffer, ctx: BackendContext, ocr: OcrRunner | undefined, warnings: ExtractionWarning[], truncated: boolean, own: PdfTextDocument | undefined, guard: PdfJsGuard | undefined) {
  const ocrStarted = Date.now();
  // pdf.js takes ownership of (detaches) the buffer: hand it over whole, or a copy when it is shared or the own
  // reader still reads it.
  const whole = !own && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && !(data.buffer instanceof SharedArrayBuffer);
  const bytes = whole ? new Uint8Array(data.buffer) : new Uint8Array(data);
  const doc = await openPdfJs(bytes, ctx, truncated);
  try {
    const { first, last } = pageSpan(ctx, doc.numPages);
    const results = await schedulePages(first, last - first + 1, ctx, ocr, warnings, async (n) => {
      let page: PdfPage;
      try {
        page = await doc.getPage(n);
      } catch (err) {
        warnings.push({ code: 'PAGE_FAILED', message: pageFailure(err, `Page ${n} could not be read (it is damaged).`), page: n });
        return { lines: [], failed: true };
      }
      const { lines, glyphs } = await pdfjsPageLines(page).catch((err: Error) => {
        warnings.push({ code: 'PAGE_FAILED', message: pageFailure(err, `The text of page ${n} could not be read (it is damaged).`), page: n });
        return { lines: [] as Line[], glyphs: undefined };
      });
      const drawing = own && n <= own.numPages ? ownDrawing(own, n) : undefined;
      return { lines, ...(glyphs ? { glyphs } : {}), ...(drawing ? { drawing } : {}), ...(guard && own && n <= own.numPages ? { check: () => guard.checkPage(n, 'render') } : {}), page: async () => page, release: () => page.cleanup() };
    });
    const meta = await doc.getMetadata().catch(() => undefined);
    const info = (meta?.info ?? {}) as Record<string, unknown>;
    const strings = Object.fromEntries(Object.entries(info).map(([k, v]) => [k, typeof v === 'string' ? v : undefined]));
    return assemble(results, first, doc.numPages, strings, warnings, ocrStarted);
  } finally {
    await doc.destroy();
  }
}

/** What page `n` draws by the own reader's count, for a file pdf.js reads; undefined when it cannot tell. */
function ownDrawing(own: PdfTextDocument, n: number): PageDrawing | undefined {
  try {
    return own.pageDrawing(n);
  } catch (err) {
    if (pdfBudgetError(err, '')) throw err;
    return undefined;
  }
}

interface PageText {
  lines: Line[];
  failed?: boolean;
  /** What the page draws besides text, when the own reader could tell: a page with nothing to read is not OCR'd. */
  drawing?: PageDrawing;
  /** How many glyphs came out as text and how many no font could name (pdf.js; the own reader's are in `drawing`). */
  glyphs?: GlyphCounts;
  /** Checks the page against the budgets before pdf.js renders it (throws PdfBudgetError or PdfPixelError). */
  check?: () => void;
  /** The page for rendering, when it needs OCR. */
  page?: () => Promise<PdfPage>;
  /** Frees what the page holds once it is done with. */
  release?: () => void;
}

/**
 * Walks the pages in order; pages without a usable text layer are OCR'd in the background, up to the OCR pool's
 * width, while later pages are read. Reports progress per page and waits for every job before returning.
 */
async function schedulePages(first: number, count: number, ctx: BackendContext, ocr: OcrRunner | undefined, warnings: ExtractionWarning[], read: (n: number) => Promise<PageText>): Promise<Outcome[]> {
  const outcomes: Array<Promise<Outcome>> = [];
  const inFlight = new Set<Promise<Outcome>>();
  const blank: number[] = [];
  let done = 0;
  const unitDone = () => ctx.onUnit?.(++done, count);
  const settle = (text: PageText, outcome: Outcome) => {
    text.release?.();
    outcomes.push(Promise.resolve(outcome));
    unitDone();
  };
  try {
    for (let n = first; n < first + count; n++) {
      throwIfAborted(ctx.signal);
      const text = await read(n);
      const { lines, drawing } = text;
      const glyphs = text.glyphs ?? drawingGlyphs(drawing);
      const verdict = text.failed ? 'text' : judgeTextLayer(lines, drawing, glyphs);
      if (verdict === 'text') {
        if (glyphs?.undecodable) warnings.push(undecodableWarning(n, glyphs, 'off'));
        settle(text, { lines, ...(text.failed ? { failed: true } : {}) });
        continue;
      }
      if (verdict === 'none' && drawing && !worthOcr(drawing)) {
        // Nothing a scan could hold: a blank page (counted), or a few characters of text and nothing else.
        if (isBlank(drawing) && !lines.length) blank.push(n);
        settle(text, { lines, ...(isBlank(drawing) && !lines.length ? { blank: true } : {}) });
        continue;
      }
      if (!ocr || ctx.options.ocr === false || !text.page) {
        if (verdict === 'undecodable') warnings.push(undecodableWarning(n, glyphs, ctx.options.ocr === false ? 'off' : 'unavailable'));
        else if (verdict === 'none' && ctx.options.ocr === false) warnings.push(ocrSkipped(n));
        settle(text, { lines });
        continue;
      }
      try {
        // Before pdf.js renders the page: its streams within the decompression budget (a bomb fails the file),
        // its images within the pixel budget (the page is skipped, with a warning naming the setting).
        text.check?.();
        if (drawing) checkInlineImages(drawing.inlineImages, maxImagePixels(ctx.options), n);
      } catch (err) {
        if (!(err instanceof PdfPixelError)) throw pdfBudgetError(err, ctx.file) ?? err;
        warnings.push(pixelSkipWarning(err));
        settle(text, { lines });
        continue;
      }
      const pageNumber = n;
      const pageOf = text.page;
      const job: Promise<Outcome> = pageOf()
        .then((page) => ocrPage(ocr, page, pageNumber, lines, { verdict, glyphs }, warnings).finally(() => (text.release ?? (() => page.cleanup()))()))
        .catch((err: unknown): Outcome => {
          // A page too large to rasterise even at the lowest useful resolution is skipped, naming the setting.
          const code = err instanceof BrightRunError && err.code === 'RESOURCE_LIMIT' ? 'SKIPPED_CONTENT' : 'PAGE_FAILED';
          warnings.push({ code, message: pageFailure(err, `OCR of page ${pageNumber} failed: the page could not be rendered or read.`), page: pageNumber });
          return { lines };
        })
        .finally(() => {
          inFlight.delete(job);
          unitDone();
        });
      inFlight.add(job);
      outcomes.push(job);
      if (inFlight.size >= ocr.concurrency) await Promise.race(inFlight);
    }
  } finally {
    // Never leave OCR running behind a failure or a cancellation.
    await Promise.allSettled(inFlight);
  }
  const results = await Promise.all(outcomes);
  throwIfAborted(ctx.signal);
  if (blank.length) warnings.push(blankPagesWarning(blank));
  return results;
}

/**
 * OCR of one page. Over a short text layer (`short`) OCR's text is taken only when it read the layer's own text
 * too; otherwise the layer is kept and OCR_DISAGREES says so (pdfPageText.ts).
 */
async function ocrPage(ocr: OcrRunner, page: PdfPage, n: number, lines: Line[], layer: { verdict: TextLayerVerdict; glyphs: GlyphCounts | undefined }, warnings: ExtractionWarning[]): Promise<Outcome> {
  const { verdict } = layer;
  const result = await ocr.run(page, n);
  if (result?.dpi !== undefined && result.dpi < OCR_DPI) {
    warnings.push({ code: 'PARTIAL_CONTENT', message: `Page ${n} is large: it was rasterised for OCR at ${result.dpi} DPI instead of ${OCR_DPI}, to stay within the image pixel budget (extract.maxImageMegapixels); small print may read worse.`, page: n });
  }
  if (verdict === 'short' && !(result && result.text.trim() && ocrAgrees(lines.map((l) => l.text).join(' '), result.text))) {
    if (result?.text.trim()) warnings.push(ocrDisagreesWarning(n, result.confidence));
    return { lines };
  }
  if (result && result.confidence < 60 && result.text.trim()) {
    warnings.push({ code: 'LOW_OCR_CONFIDENCE', message: `Page ${n} was OCR'd with low confidence (${Math.round(result.confidence)}%); check its text.`, page: n });
  }
  if (verdict === 'undecodable' && !result?.text.trim()) warnings.push(undecodableWarning(n, layer.glyphs, 'empty'));
  return result ? { lines, ocr: result } : { lines };
}

function assemble(results: Outcome[], first: number, numPages: number, info: Record<string, string | undefined>, warnings: ExtractionWarning[], ocrStarted: number) {
  const b = new DocumentBuilder();
  let ocrPages = 0;
  results.forEach((r, i) => {
    const n = first + i;
    if (r.ocr) {
      ocrPages++;
      b.beginPage(n, 'ocr');
      for (const para of r.ocr.text.split(/\n\s*\n/)) b.paragraph(para, { page: n });
      b.endPage({ ocrConfidence: Math.round(r.ocr.confidence), rotation: r.ocr.rotation });
      return;
    }
    b.beginPage(n, r.lines.length && !r.blank ? 'text-layer' : 'none');
    addParagraphs(b, r.lines, n);
    b.endPage();
  });
  const str = (k: string) => (info[k]?.trim() ? info[k]!.trim() : undefined);
  return {
    ...b.result(),
    pages: b.pages,
    metadata: compact({
      title: str('Title'),
      author: str('Author'),
      subject: str('Subject'),
      keywords: str('Keywords'),
      creator: str('Creator'),
      producer: str('Producer'),
      created: pdfDate(str('CreationDate')),
      modified: pdfDate(str('ModDate')),
      language: str('Language'),
      pages: numPages,
    }),
    warnings,
    ocrPages,
    ...(ocrPages ? { ocrMs: Date.now() - ocrStarted } : {}),
  };
}

async function openPdfJs(bytes: Uint8Array, ctx: BackendContext, truncated: boolean): Promise<PdfDocument> {
  const lib = await loadPdfJs();
  const assets = pdfjsAssets();
  try {
    return await lib.getDocument({
      data: bytes,
      ...(ctx.options.password !== undefined ? { password: ctx.options.password } : {}),
      isEvalSupported: false,
      useSystemFonts: false,
      disableFontFace: true,
      cMapUrl: assets.cmaps,
      cMapPacked: true,
      standardFontDataUrl: assets.standardFonts,
      verbosity: 0,
      stopAtErrors: false,
    }).promise;
  } catch (err) {
    throw pdfOpenError(err, ctx, truncated);
  }
}

function pageSpan(ctx: BackendContext, numPages: number): { first: number; last: number } {
  return { first: Math.max(1, ctx.options.pageRange?.first ?? 1), last: Math.min(numPages, ctx.options.pageRange?.last ?? numPages) };
}

const ocrSkipped = (n: number): ExtractionWarning => ({ code: 'OCR_SKIPPED', message: `Page ${n} has no text layer and OCR is off.`, page: n });

/** pdf.js's runs of a page as lines, raw codes of undecodable fonts and shadow copies dropped, as the own reader does. */
async function pdfjsPageLines(page: PdfPage): Promise<{ lines: Line[]; glyphs: GlyphCounts }> {
  const content = await page.getTextContent({ disableNormalization: false });
  const items: PositionedText[] = [];
  for (const item of content.items as TextItem[]) {
    if (!('str' in item)) continue;
    const [a, b, , d, x, y] = item.transform as [number, number, number, number, number, number];
    const size = Math.hypot(a, b) || Math.abs(d) || item.height || 10;
    items.push({ str: item.str, x, y, width: item.width, size, rtl: item.dir === 'rtl', eol: item.hasEOL });
  }
  const clean = cleanPdfjsRuns(items);
  return { lines: pageLines(dropShadowCopies(clean.items)), glyphs: clean.glyphs };
}

function hasEofMarker(data: Buffer): boolean {
  return data.subarray(Math.max(0, data.length - 2048)).includes('%%EOF');
}

/** "D:20250124135915Z00'00'" → ISO 8601. */
export function pdfDate(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const m = /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+-])?(\d{2})?'?(\d{2})?/.exec(raw);
  if (!m) return raw;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', tz, th = '00', tm = '00'] = m;
  const [month, day, hour, minute, second] = [mo, d, h, mi, s].map(Number) as [number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return raw;
  // Computed, not parsed from a string: Date's string parser costs a cold thread milliseconds.
  const sign = tz === '-' ? -1 : tz === '+' ? 1 : 0;
  const utc = Date.UTC(Number(y), month - 1, day, hour, minute, second) - sign * (Number(th) * 60 + Number(tm)) * 60_000;
  return new Date(utc).toISOString();
}
