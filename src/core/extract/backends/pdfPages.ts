/**
 * What the PDF backend decides per page before any OCR: whether a page without a text layer has anything to
 * read, and how budgets met on the way become errors and warnings users can act on (limits.ts).
 */
import { BrightRunError } from '../../errors';
import { BUDGET_SETTING, formatCount, resourceLimitError } from '../limits';
import type { PageDrawing } from '../pdf/pageDrawing';
import { PdfBudgetError } from '../pdf/filters';
import { PdfPixelError } from '../pdf/pdfjsGuard';
import type { ExtractionWarning } from '../types';
import type { BackendContext } from '../backendTypes';

/**
 * Path construction operators (m l c v y h re) from which a page without images is worth OCR: text drawn as
 * outlines takes ~5–30 per glyph, so a short line of it passes; rules, boxes and a table grid stay under.
 */
export const MIN_OCR_PATH_OPS = 100;
/** Glyphs shown, without any text coming of them (fonts mapping to spaces), from which a page is worth OCR. */
export const MIN_OCR_GLYPHS = 8;

/**
 * Whether a page without a usable text layer is worth rasterising for OCR: it draws an image (XObject, inline,
 * or from a form), or enough path operators to be text drawn as outlines, or glyphs whose text did not come
 * out. A shading alone (`sh`, a gradient) is not: it cannot hold text.
 */
export function worthOcr(d: PageDrawing): boolean {
  return d.images.size > 0 || d.inlineImages.length > 0 || d.paths >= MIN_OCR_PATH_OPS || d.glyphs >= MIN_OCR_GLYPHS;
}

/** Whether a page draws nothing at all a reader could see as text or picture (no glyph, no image, no path to speak of). */
export function isBlank(d: PageDrawing): boolean {
  return d.glyphs === 0 && !worthOcr(d);
}

/** "1–3, 7, 9–12" for a sorted list of page numbers (at most `max` ranges, then "…"). */
export function pageRanges(pages: readonly number[], max = 12): string {
  const out: string[] = [];
  for (let i = 0; i < pages.length; ) {
    let j = i;
    while (j + 1 < pages.length && pages[j + 1] === pages[j]! + 1) j++;
    if (out.length === max) {
      out.push('…');
      break;
    }
    out.push(i === j ? String(pages[i]) : `${pages[i]}–${pages[j]}`);
    i = j + 1;
  }
  return out.join(', ');
}

export function blankPagesWarning(pages: readonly number[]): ExtractionWarning {
  const n = pages.length;
  return {
    code: 'BLANK_PAGES',
    message: `${n === 1 ? `Page ${pages[0]} draws` : `${formatCount(n)} pages draw`} nothing to read (no text, no images), so ${n === 1 ? 'it was' : 'they were'} not OCR'd${n === 1 ? '' : `: ${pageRanges(pages)}`}.`,
  };
}

/**
 * A budget met by the own reader or the pdf.js guard, as the file's error (RESOURCE_LIMIT, naming the setting);
 * undefined for anything else. Such a file is never handed to pdf.js.
 */
export function pdfBudgetError(err: unknown, file: string): BrightRunError | undefined {
  if (err instanceof PdfBudgetError) {
    const mb = formatCount(err.limit / 1048576);
    return resourceLimitError(file, 'decompressed', `${err.what} would decode to more than ${mb} MB (a decompression bomb, or an unusually large stream)`, `the ${mb} MB decompression budget`, err);
  }
  if (err instanceof PdfPixelError) return resourceLimitError(file, 'pixels', pixelsWhat(err), pixelLimit(err.limit), err);
  return undefined;
}

/** A page not OCR'd because an image on it is over the pixel budget. */
export function pixelSkipWarning(err: PdfPixelError): ExtractionWarning {
  const s = BUDGET_SETTING.pixels;
  return {
    code: 'SKIPPED_CONTENT',
    message: `Page ${err.page} was not OCR'd: ${pixelsWhat(err)}, over ${pixelLimit(err.limit)}. If the file is genuine, raise ${s.field} in brightrun.json (setting ${s.setting}).`,
    page: err.page,
  };
}

const pixelsWhat = (e: PdfPixelError) => `an image on page ${e.page} is ${formatCount(e.width)} × ${formatCount(e.height)} pixels (${formatCount((e.width * e.height) / 1e6)} megapixels)`;
const pixelLimit = (limit: number) => `the ${formatCount(limit / 1e6)}-megapixel image budget`;

/** A page-level failure in the user's words: our own errors keep their message, anything else is named, not quoted. */
export function pageFailure(err: unknown, fallback: string): string {
  if (err instanceof BrightRunError) return `${err.message} ${err.remedy}`;
  if (process.env.BRIGHTRUN_DEBUG_PDF) process.stderr.write(`${fallback}: ${(err as Error)?.stack ?? String(err)}\n`);
  return fallback;
}

/** What pdf.js failing to open a file means for the user: a password to give, or a file to repair. */
export function pdfOpenError(err: unknown, ctx: Pick<BackendContext, 'file' | 'options'>, truncated: boolean): BrightRunError {
  const e = err as { name?: string; code?: number; message?: string };
  const file = ctx.file;
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
      message: truncated ? `${file} is a truncated PDF (it ends before its %%EOF marker) and cannot be read.` : `${file} cannot be read as a PDF: its structure is damaged beyond repair.`,
      remedy: truncated ? 'Download or copy the file again: it was cut short.' : 'Open it in a PDF viewer and save or print it to a new PDF, or restore a good copy.',
    },
    { cause: err },
  );
}
