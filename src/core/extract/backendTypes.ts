import type { Block, DocumentMetadata, ExtractionWarning, ExtractOptions, PageInfo } from './types';

/** What every format backend returns; extract() adds identity, timings and detection. */
export interface BackendResult {
  text: string;
  markdown: string;
  blocks: Block[];
  pages?: PageInfo[];
  metadata: DocumentMetadata;
  warnings: ExtractionWarning[];
  /** Library and version that did the parsing, e.g. "pdfjs-dist@5.6.205". */
  backend: string;
  encoding?: { name: string; confidence: number };
  ocrPages?: number;
  ocrMs?: number;
  /** Control characters and noncharacters the backend removed (cleanText.ts); extract() turns it into a warning. */
  controlCharsRemoved?: number;
}

export interface BackendContext {
  file: string;
  options: ExtractOptions;
  signal?: AbortSignal;
  /** Pages (or slides, or bytes) done so far, for progress. */
  onUnit?: (done: number, total: number) => void;
}
