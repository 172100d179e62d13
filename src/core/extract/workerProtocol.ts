import type { ErrorInfo } from '../errors';
import type { ExtractedDocument, ExtractOptions } from './types';

export type WorkerRequest =
  /** `data`: the file's bytes in a SharedArrayBuffer when the pool has read it already (large PDFs). */
  | { type: 'extract'; id: number; file: string; options: ExtractOptions; data?: Uint8Array }
  /** Page count of a PDF given in `data` (shared memory), for splitting it into page ranges. */
  | { type: 'count'; id: number; file: string; options: ExtractOptions; data?: Uint8Array }
  | { type: 'shutdown' };

export type WorkerResponse =
  /** Sent once, when the thread has loaded its code and takes work. */
  | { type: 'ready' }
  | { type: 'progress'; id: number; done: number; total: number }
  | { type: 'done'; id: number; doc: ExtractedDocument }
  | { type: 'count'; id: number; pages: number | undefined }
  | { type: 'failed'; id: number; error: ErrorInfo };
