import type { ErrorInfo } from '../errors';
import type { ExtractedDocument, ExtractOptions } from './types';

/** Messages from the pool to an extraction process (IPC, V8 serialization). */
export type WorkerRequest =
  /** `size`: the file's size in bytes as the pool saw it (the memory watchdog starts early for large files). */
  | { type: 'extract'; id: number; file: string; options: ExtractOptions; size?: number }
  /** Page count of a PDF, for splitting it into page ranges. */
  | { type: 'count'; id: number; file: string; options: ExtractOptions }
  /** Drop a file sent behind the running one, if it has not started (it was cancelled). */
  | { type: 'drop'; id: number }
  | { type: 'shutdown' };

/** Messages from an extraction process to the pool. `peakRssMb`: the process's peak resident memory so far. */
export type WorkerResponse =
  /** Sent once, when the process has loaded its code and takes work. */
  | { type: 'ready' }
  | { type: 'progress'; id: number; done: number; total: number }
  | { type: 'done'; id: number; doc: ExtractedDocument; peakRssMb?: number }
  | { type: 'count'; id: number; pages: number | undefined }
  | { type: 'failed'; id: number; error: ErrorInfo; peakRssMb?: number };

/** What the pool passes to an extraction process as its one argument (JSON). */
export interface HostOptions {
  ocrWorkers?: number;
  codeCacheDir?: string;
  v8Flags?: string;
  /** Memory budget (resident set) of the process in MB, until a task sets its own. */
  memoryLimitMb?: number;
}

/**
 * A line an extraction process writes to stderr just before it stops itself on a budget, so the pool can tell
 * the user which budget (the process is gone before any IPC message could be sent).
 */
export const LIMIT_MARKER = '@@brightrun-limit ';
