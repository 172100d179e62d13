import { BrightRunError } from '../errors';
import type { ExtractOptions } from './types';

/**
 * Per-file resource budgets of extraction (docs/threat-model.md). A file over one fails with RESOURCE_LIMIT,
 * naming the budget and the setting that raises it; other files go on.
 */

/** Default memory budget of one extraction process, in MB (resident set, native memory included). */
export const DEFAULT_MAX_MEMORY_MB = 3072;
/** Default pixel budget: 50 megapixels (a 48 MP phone photo; an A2 sheet at 300 DPI is 35 MP, A4 8.7 MP). One page at 100 MP measured ~3.7 GB peak through rendering and OCR, over the default memory budget; 50 MP stays under it. */
export const DEFAULT_MAX_IMAGE_PIXELS = 50_000_000;
/** Default base of the time budget, in seconds. */
export const DEFAULT_TIME_LIMIT_SECONDS = 120;
/**
 * Growth of the time budget: per page (OCR measured ~1.3 s a page on 2 cores; 20 s leaves room for slow machines
 * and dense pages) and per MB of input (text parsing runs at tens of MB a second; 2 s a MB is ~20× headroom).
 */
export const TIME_PER_PAGE_MS = 20_000;
export const TIME_PER_MB_MS = 2_000;

export type Budget = 'memory' | 'time' | 'decompressed' | 'pixels';

/** The brightrun.json field (and VS Code setting) that raises each budget. */
export const BUDGET_SETTING: Record<Budget, { field: string; setting: string }> = {
  memory: { field: 'extract.maxMemoryMB', setting: 'brightrun.extract.maxMemoryMB' },
  time: { field: 'extract.timeLimitSeconds', setting: 'brightrun.extract.timeLimitSeconds' },
  decompressed: { field: 'extract.maxDecompressedMB', setting: 'brightrun.extract.maxDecompressedMB' },
  pixels: { field: 'extract.maxImageMegapixels', setting: 'brightrun.extract.maxImageMegapixels' },
};

/**
 * The error for a file over a budget. `what` says what went over, e.g. "page 3 would be 20,833 × 20,833 pixels
 * (434 megapixels)"; `limit` the budget in words, e.g. "the 50-megapixel image budget".
 */
export function resourceLimitError(file: string, budget: Budget, what: string, limit: string, cause?: unknown): BrightRunError {
  const s = BUDGET_SETTING[budget];
  return new BrightRunError(
    {
      code: 'RESOURCE_LIMIT',
      file,
      message: `${file}: ${what}, over ${limit}.`,
      remedy: `If the file is genuine, raise the budget (${s.field} in brightrun.json, or the setting ${s.setting}) and extract it again; otherwise remove it from the dataset.`,
    },
    cause === undefined ? undefined : { cause },
  );
}

export function maxImagePixels(options: ExtractOptions): number {
  return options.maxImagePixels ?? DEFAULT_MAX_IMAGE_PIXELS;
}

export function maxMemoryMb(options: ExtractOptions): number {
  return options.maxMemoryMB ?? DEFAULT_MAX_MEMORY_MB;
}

/**
 * Time budget of one file in ms: the base (extract.timeLimitSeconds) + TIME_PER_PAGE_MS a page (once the page
 * count is known) + TIME_PER_MB_MS a MB of input.
 */
export function timeBudgetMs(options: ExtractOptions, bytes: number, pages = 0): number {
  return (options.timeLimitSeconds ?? DEFAULT_TIME_LIMIT_SECONDS) * 1000 + pages * TIME_PER_PAGE_MS + (bytes / 1048576) * TIME_PER_MB_MS;
}

/** "1,234" for messages. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Extraction options from a project's `extract` section (brightrun.json). */
export function extractOptionsFromConfig(extract: {
  ocr?: boolean;
  ocrLanguages?: string[];
  maxFileSizeMB?: number;
  maxMemoryMB?: number;
  maxDecompressedMB?: number;
  maxImageMegapixels?: number;
  timeLimitSeconds?: number;
} = {}): ExtractOptions {
  const MB = 1024 * 1024;
  return {
    ...(extract.ocr !== undefined ? { ocr: extract.ocr } : {}),
    ...(extract.ocrLanguages ? { ocrLanguages: extract.ocrLanguages } : {}),
    ...(extract.maxFileSizeMB ? { maxBytes: extract.maxFileSizeMB * MB } : {}),
    ...(extract.maxMemoryMB ? { maxMemoryMB: extract.maxMemoryMB } : {}),
    ...(extract.maxDecompressedMB ? { maxUncompressedBytes: extract.maxDecompressedMB * MB } : {}),
    ...(extract.maxImageMegapixels ? { maxImagePixels: Math.round(extract.maxImageMegapixels * 1e6) } : {}),
    ...(extract.timeLimitSeconds ? { timeLimitSeconds: extract.timeLimitSeconds } : {}),
  };
}
