/** The formats Bright Run extracts, as detected from content. */
export type DocumentFormat = 'pdf' | 'docx' | 'doc' | 'pptx' | 'ppt' | 'txt' | 'md' | 'csv' | 'json' | 'jsonl' | 'image';

export type BlockType = 'heading' | 'paragraph' | 'list' | 'table' | 'slide' | 'page' | 'notes' | 'code' | 'record';

/** A structural piece of the document, located in `text` by [start, end). */
export interface Block {
  type: BlockType;
  start: number;
  end: number;
  /** Heading level 1–6, or list nesting depth. */
  level?: number;
  page?: number;
  slide?: number;
  /** Table cells, for `table` blocks (small tables only; large CSVs keep rows in `text`). */
  rows?: string[][];
}

export interface PageInfo {
  number: number;
  start: number;
  end: number;
  /** How the page's text was obtained. */
  source: 'text-layer' | 'ocr' | 'none';
  /** Mean OCR word confidence 0–100, for OCR'd pages. */
  ocrConfidence?: number;
  /** Clockwise rotation in degrees applied before OCR (from orientation detection). */
  rotation?: number;
}

export interface DocumentMetadata {
  title?: string;
  author?: string;
  subject?: string;
  keywords?: string;
  creator?: string;
  producer?: string;
  created?: string;
  modified?: string;
  lastModifiedBy?: string;
  pages?: number;
  slides?: number;
  language?: string;
  /** CSV: delimiter, header row, column names, row count. JSON: record fields and count. */
  delimiter?: string;
  hasHeader?: boolean;
  columns?: string[];
  rowCount?: number;
  recordCount?: number;
  recordFields?: string[];
  imageWidth?: number;
  imageHeight?: number;
}

export interface ExtractionWarning {
  code: 'NAME_MISMATCH' | 'ENCODING_GUESSED' | 'LOW_OCR_CONFIDENCE' | 'OCR_SKIPPED' | 'PAGE_FAILED' | 'PARTIAL_CONTENT' | 'MALFORMED_ROWS' | 'EMPTY_TEXT' | 'UNREADABLE_PART'
    /** Pages that draw nothing (no glyphs, no images): counted, not OCR'd. */
    | 'BLANK_PAGES'
    /** UTF-8 text with bytes that are not UTF-8: those became U+FFFD. */
    | 'INVALID_UTF8'
    /** Control characters or noncharacters were removed from the text. */
    | 'CONTROL_CHARS_REMOVED'
    /** Text drawn with a font that has no usable Unicode mapping. */
    | 'UNDECODABLE_TEXT'
    /** OCR read something else than the page's text layer; the text layer was kept. */
    | 'OCR_DISAGREES'
    /** Parts of the document that were not extracted (see the message). */
    | 'SKIPPED_CONTENT';
  message: string;
  page?: number;
}

export interface ExtractedDocument {
  /** sha256 of the source bytes. */
  id: string;
  source: { path: string; name: string; size: number };
  format: DocumentFormat;
  /** What the detection saw, e.g. "magic %PDF-", "OOXML word/document.xml". */
  detectedBy: string;
  encoding?: { name: string; confidence: number };
  metadata: DocumentMetadata;
  pages?: PageInfo[];
  blocks: Block[];
  text: string;
  markdown: string;
  warnings: ExtractionWarning[];
  extractor: { name: 'brightrun'; version: string; backend: string };
  timings: { totalMs: number; ocrMs?: number };
  ocrPages: number;
  extractedAt: string;
}

export interface ExtractOptions {
  /** Largest file accepted, in bytes. */
  maxBytes?: number;
  /** Password for encrypted PDFs. */
  password?: string;
  ocr?: boolean;
  ocrLanguages?: string[];
  /**
   * Decompression budget of one file, in bytes: everything inflated from its ZIP parts, and each decoded PDF
   * stream (per stream; a PDF's kept streams together get 2×, docs/extraction.md). Setting:
   * `extract.maxDecompressedMB` (default DEFAULT_MAX_UNCOMPRESSED).
   */
  maxUncompressedBytes?: number;
  /** Zip bomb cap: largest uncompressed ÷ compressed size of one ZIP entry. */
  maxCompressionRatio?: number;
  /**
   * Memory budget of one file's extraction, in MB: the resident memory of the process that parses it (native
   * memory included), enforced by the supervisor (extractionPool.ts). Setting: `extract.maxMemoryMB`.
   */
  maxMemoryMB?: number;
  /**
   * Pixel budget: the largest image decoded, or page rasterised for OCR, in pixels (width × height). Setting:
   * `extract.maxImageMegapixels`.
   */
  maxImagePixels?: number;
  /**
   * Base of the time budget of one file, in seconds; the budget grows with its pages and size (limits.ts,
   * timeBudgetMs). Setting: `extract.timeLimitSeconds`.
   */
  timeLimitSeconds?: number;
  /** PDF only: extract just these pages (1-based, inclusive) — one part of a large PDF split across threads. */
  pageRange?: { first: number; last: number };
  /** Skip hashing (a part whose whole-file hash another part computes). */
  skipHash?: boolean;
}

export const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;
export const DEFAULT_MAX_UNCOMPRESSED = 1024 * 1024 * 1024;
export const DEFAULT_MAX_RATIO = 200;

/** Bump when the output of any backend changes, so stored documents can be re-extracted. */
export const EXTRACTOR_VERSION = '1.3.0';
