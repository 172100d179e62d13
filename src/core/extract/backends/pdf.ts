import { pathToFileURL } from 'node:url';
import { BrightRunError, throwIfAborted } from '../../errors';
import { pdfjsAssets } from '../assets';
import type { BackendContext, BackendResult } from '../backendTypes';
import { DocumentBuilder } from '../documentBuilder';
import type { ExtractionWarning } from '../types';
import { compact } from '../xml';

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

interface Line {
  text: string;
  y: number;
  size: number;
  rtl: boolean;
}

/** OCR of one page, provided by the OCR module when OCR is on. */
export type PageOcr = (page: PdfPage, pageNumber: number) => Promise<{ text: string; confidence: number; rotation: number } | undefined>;

/** A page whose text layer has fewer visible characters than this is treated as scanned. */
const MIN_TEXT_LAYER_CHARS = 8;

let pdfjs: Promise<PdfJs> | undefined;
export function loadPdfJs(): Promise<PdfJs> {
  pdfjs ??= import(pathToFileURL(pdfjsAssets().module).href) as Promise<PdfJs>;
  return pdfjs;
}

/**
 * PDF with pdf.js (legacy build, runs on Node 20): text items are grouped into lines by position (right-to-left
 * lines ordered by x from the right), lines into paragraphs by vertical gaps, and large short lines become
 * headings. Pages without a usable text layer go to OCR when it is available.
 */
export async function extractPdf(data: Buffer, ctx: BackendContext, ocr?: { run: PageOcr; concurrency: number }): Promise<Omit<BackendResult, 'backend'>> {
  const ocrStarted = Date.now();
  const lib = await loadPdfJs();
  const assets = pdfjsAssets();
  const warnings: ExtractionWarning[] = [];
  const truncated = !hasEofMarker(data);
  if (truncated) warnings.push({ code: 'PARTIAL_CONTENT', message: 'The file looks truncated (no %%EOF at its end); the text that could be recovered was extracted.' });
  let doc: PdfDocument;
  try {
    doc = await lib.getDocument({
      // pdf.js takes ownership of (detaches) the buffer: hand it over whole, or a copy when it is shared.
      data: data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? new Uint8Array(data.buffer) : new Uint8Array(data),
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
  try {
    type Outcome = { lines: Line[]; failed?: boolean; ocr?: { text: string; confidence: number; rotation: number } };
    const outcomes: Array<Promise<Outcome>> = [];
    const inFlight = new Set<Promise<Outcome>>();
    const first = Math.max(1, ctx.options.pageRange?.first ?? 1);
    const last = Math.min(doc.numPages, ctx.options.pageRange?.last ?? doc.numPages);
    const unitTotal = last - first + 1;
    let done = 0;
    const unitDone = () => ctx.onUnit?.(++done, unitTotal);
    for (let n = first; n <= last; n++) {
      throwIfAborted(ctx.signal);
      let page: PdfPage;
      try {
        page = await doc.getPage(n);
      } catch (err) {
        warnings.push({ code: 'PAGE_FAILED', message: `Page ${n} could not be read: ${(err as Error).message}`, page: n });
        outcomes.push(Promise.resolve({ lines: [], failed: true }));
        unitDone();
        continue;
      }
      const lines = await pageLines(page).catch((err: Error) => {
        warnings.push({ code: 'PAGE_FAILED', message: `The text of page ${n} could not be read: ${err.message}`, page: n });
        return [] as Line[];
      });
      const visible = lines.reduce((sum, l) => sum + l.text.replace(/\s/g, '').length, 0);
      if (visible >= MIN_TEXT_LAYER_CHARS || !ocr || ctx.options.ocr === false) {
        if (visible < MIN_TEXT_LAYER_CHARS && ctx.options.ocr === false) warnings.push({ code: 'OCR_SKIPPED', message: `Page ${n} has no text layer and OCR is off.`, page: n });
        page.cleanup();
        outcomes.push(Promise.resolve({ lines }));
        unitDone();
        continue;
      }
      // Scanned page: OCR runs in the background, up to the OCR pool's width, while later pages are read.
      const pageNumber = n;
      const job: Promise<Outcome> = ocr
        .run(page, pageNumber)
        .then((result): Outcome => (result ? { lines, ocr: result } : { lines }))
        .catch((err: unknown): Outcome => {
          warnings.push({ code: 'PAGE_FAILED', message: `OCR of page ${pageNumber} failed: ${(err as Error).message}`, page: pageNumber });
          return { lines };
        })
        .finally(() => {
          page.cleanup();
          inFlight.delete(job);
          unitDone();
        });
      inFlight.add(job);
      outcomes.push(job);
      if (inFlight.size >= ocr.concurrency) await Promise.race(inFlight);
    }
    const results = await Promise.all(outcomes);
    throwIfAborted(ctx.signal);
    const b = new DocumentBuilder();
    let ocrPages = 0;
    results.forEach((r, i) => {
      const n = first + i;
      if (r.ocr) {
        ocrPages++;
        b.beginPage(n, 'ocr');
        for (const para of r.ocr.text.split(/\n\s*\n/)) b.paragraph(para, { page: n });
        b.endPage({ ocrConfidence: Math.round(r.ocr.confidence), rotation: r.ocr.rotation });
        if (r.ocr.confidence < 60 && r.ocr.text.trim()) warnings.push({ code: 'LOW_OCR_CONFIDENCE', message: `Page ${n} was OCR'd with low confidence (${Math.round(r.ocr.confidence)}%); check its text.`, page: n });
        return;
      }
      b.beginPage(n, r.lines.length ? 'text-layer' : 'none');
      addParagraphs(b, r.lines, n);
      b.endPage();
    });
    const ocrMs = ocr && ocrPages ? Date.now() - ocrStarted : 0;
    const meta = await doc.getMetadata().catch(() => undefined);
    const info = (meta?.info ?? {}) as Record<string, unknown>;
    const str = (k: string) => (typeof info[k] === 'string' && (info[k] as string).trim() ? (info[k] as string).trim() : undefined);
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
        pages: doc.numPages,
      }),
      warnings,
      ocrPages,
      ...(ocrPages ? { ocrMs } : {}),
    };
  } finally {
    await doc.destroy();
  }
}

async function pageLines(page: PdfPage): Promise<Line[]> {
  const content = await page.getTextContent({ disableNormalization: false });
  const items = (content.items as TextItem[]).filter((i) => 'str' in i);
  const lines: Line[] = [];
  let parts: Array<{ x: number; end: number; str: string; rtl: boolean; size: number }> = [];
  let lineY = Number.NaN;
  const flush = () => {
    if (!parts.length) return;
    const rtlCount = parts.filter((p) => p.rtl).length;
    const rtl = rtlCount > parts.length / 2;
    const ordered = [...parts].sort((a, b) => (rtl ? b.x - a.x : a.x - b.x));
    let text = '';
    let prevEnd = Number.NaN;
    let prevX = Number.NaN;
    for (const p of ordered) {
      const gap = rtl ? prevX - p.end : p.x - prevEnd;
      if (text && !/\s$/.test(text) && !/^\s/.test(p.str) && gap > p.size * 0.2) text += ' ';
      text += p.str;
      prevEnd = p.end;
      prevX = p.x;
    }
    const size = Math.max(...parts.map((p) => p.size));
    if (text.trim()) lines.push({ text: text.replace(/\s+/g, ' ').trim(), y: lineY, size, rtl });
    parts = [];
  };
  for (const item of items) {
    const [a, b, , d, x, y] = item.transform as [number, number, number, number, number, number];
    const size = Math.hypot(a, b) || Math.abs(d) || item.height || 10;
    if (item.str) {
      if (parts.length && Math.abs(y - lineY) > size * 0.5) flush();
      if (!parts.length) lineY = y;
      parts.push({ x, end: x + item.width, str: item.str, rtl: item.dir === 'rtl', size });
    }
    if (item.hasEOL) flush();
  }
  flush();
  return lines;
}

/** Lines → paragraphs (split at large vertical gaps or size changes); big short lines → headings. */
function addParagraphs(b: DocumentBuilder, lines: Line[], page: number): void {
  if (!lines.length) return;
  const sizes = lines.map((l) => l.size).sort((x, y) => x - y);
  const body = sizes[Math.floor(sizes.length / 2)]!;
  const gaps = lines.slice(1).map((l, i) => Math.abs(lines[i]!.y - l.y)).filter((g) => g > 0).sort((x, y) => x - y);
  const typicalGap = gaps.length ? gaps[Math.floor(gaps.length / 2)]! : body * 1.2;
  let current: Line[] = [];
  const emit = () => {
    if (!current.length) return;
    const text = current.map((l) => l.text).join('\n');
    const size = current[0]!.size;
    if (size >= body * 1.2 && text.length <= 150 && current.length <= 2) b.heading(text.replace(/\n/g, ' '), size >= body * 1.6 ? 1 : 2, { page });
    else b.paragraph(text, { page });
    current = [];
  };
  for (const line of lines) {
    const prev = current.at(-1);
    if (prev) {
      const gap = Math.abs(prev.y - line.y);
      const sizeChange = Math.abs(prev.size - line.size) > body * 0.15;
      if (gap > typicalGap * 1.45 || sizeChange || line.y > prev.y + typicalGap * 2) emit();
    }
    current.push(line);
  }
  emit();
}

/** Page count of a PDF (for splitting a large one across threads); undefined when it cannot be opened. */
export async function countPdfPages(data: Buffer, password?: string): Promise<number | undefined> {
  const lib = await loadPdfJs();
  try {
    const doc = await lib.getDocument({ data: new Uint8Array(data), ...(password !== undefined ? { password } : {}), isEvalSupported: false, verbosity: 0 }).promise;
    const n = doc.numPages;
    await doc.destroy();
    return n;
  } catch {
    return undefined;
  }
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
  const offset = !tz || tz.toUpperCase() === 'Z' ? 'Z' : `${tz}${th}:${tm}`;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${offset}`);
  return Number.isNaN(date.getTime()) ? raw : date.toISOString();
}

function pdfOpenError(err: unknown, ctx: BackendContext, truncated: boolean): BrightRunError {
  const e = err as { name?: string; code?: number; message?: string };
  const file = ctx.file;
  const reason = (e?.message ?? String(err)).replace(/\.$/, '');
  if (e?.name === 'PasswordException') {
    if (e.code === 2 || ctx.options.password !== undefined) {
      return new BrightRunError({ code: 'WRONG_PASSWORD', file, message: `The password given for ${file} is wrong.`, remedy: 'Check the password (it is case-sensitive) and try again.' }, { cause: err });
    }
    return new BrightRunError({ code: 'PASSWORD_REQUIRED', file, message: `${file} is encrypted and needs a password to open.`, remedy: 'Give the password when asked (VS Code) or with --password (CLI), or add an unencrypted copy.' }, { cause: err });
  }
  return new BrightRunError(
    {
      code: 'CORRUPT_FILE',
      file,
      message: truncated ? `${file} is a truncated PDF (it ends before its %%EOF marker) and cannot be read: ${reason}.` : `${file} cannot be read as a PDF: ${reason}.`,
      remedy: truncated ? 'Download or copy the file again: it was cut short.' : 'Open it in a PDF viewer and save or print it to a new PDF, or restore a good copy.',
    },
    { cause: err },
  );
}
