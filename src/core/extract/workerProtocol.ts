import type { ErrorInfo } from '../errors';
import type { ExportTaskInput, ExportTaskResult, VerifyTaskInput, VerifyTaskResult } from '../export/exportTask';
import type { Progress } from '../progress';
import type { RecordsTaskInput, RecordsTaskResult } from '../records/recordsTask';
import type { ExtractionSummary } from '../project/sources';
import type { ExtractedDocument, ExtractOptions } from './types';

/**
 * The pool's stages: kinds of task a pool process runs, each with its own handler in the process
 * (workerStages.ts). The pool itself — processes, budgets, crash handling, cancellation, progress — is the same
 * for all of them (one pool for every stage, issue #10).
 */
export interface StageTypes {
  /** Extracts one file: returns the document, or with `store` writes it and returns its summary. */
  extract: { input: ExtractTaskInput; result: ExtractedDocument | StoredDocument };
  /** Page count of a PDF, for splitting it into page ranges (undefined: not a PDF the reader can count). */
  count: { input: { file: string }; result: number | undefined };
  /** Builds one document's training records and writes its per-document record file (records/recordsTask.ts). */
  records: { input: RecordsTaskInput; result: RecordsTaskResult };
  /** Runs one export (export/runExport.ts) into a version folder; progress as a whole Progress (export/exportTask.ts). */
  export: { input: ExportTaskInput; result: ExportTaskResult };
  /** Verifies one export version against its manifest (export/verifyExport.ts). */
  verify: { input: VerifyTaskInput; result: VerifyTaskResult };
}

export type StageName = keyof StageTypes;

export interface ExtractTaskInput {
  file: string;
  options: ExtractOptions;
  /** The file's size in bytes as the pool saw it (the memory watchdog starts early for large files). */
  size?: number;
  /**
   * Write the document into this document store folder (`<sha256>.json`, atomic, not yet fsynced: the parent
   * makes a batch durable with DocumentStore.publish before it records the batch's statuses), with its
   * `source.path` set to `sourcePath`, and reply with a StoredDocument only: the text never crosses the pipe.
   */
  store?: { dir: string; sourcePath: string };
}

/** What a process that stored a document tells the pool: enough for the status journal, the log and the UI. */
export interface StoredDocument {
  stored: true;
  /** sha256 of the bytes extracted (the document's id). */
  id: string;
  /** Bytes extracted. */
  size: number;
  /** The document file written (to be made durable by the parent, DocumentStore.adopt). */
  file: string;
  extracted: ExtractionSummary;
}

/** Messages from the pool to a process (IPC, V8 serialization). */
export type WorkerRequest =
  /** `maxMemoryMB`: the task's memory budget (the process's watchdog enforces it). */
  | { [S in StageName]: { type: 'task'; id: number; stage: S; input: StageTypes[S]['input']; maxMemoryMB: number } }[StageName]
  /** Drop a task sent behind the running one, if it has not started (it was cancelled). */
  | { type: 'drop'; id: number }
  | { type: 'shutdown' };

/** Messages from a process to the pool. `peakRssMb`: the process's peak resident memory so far. */
export type WorkerResponse =
  /** Sent once, when the process has loaded its code and takes work. */
  | { type: 'ready' }
  /**
   * Units (pages, slides, records) done of `total` within the task; `progress`: the whole Progress, from stages
   * that report more than a count (an export: bytes, ETA, the format being written).
   */
  | { type: 'progress'; id: number; done: number; total: number; progress?: Progress }
  | { type: 'done'; id: number; result: unknown; peakRssMb?: number }
  | { type: 'failed'; id: number; error: ErrorInfo; peakRssMb?: number };

/** What the pool passes to a process as its one argument (JSON). */
export interface HostOptions {
  ocrWorkers?: number;
  codeCacheDir?: string;
  v8Flags?: string;
  /** Memory budget (resident set) of the process in MB, until a task sets its own. */
  memoryLimitMb?: number;
}

/**
 * A line a process writes to stderr just before it stops itself on a budget, so the pool can tell the user
 * which budget (the process is gone before any IPC message could be sent).
 */
export const LIMIT_MARKER = '@@brightrun-limit ';
