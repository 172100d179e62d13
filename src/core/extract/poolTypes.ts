// The pool's bookkeeping types: a task (of any stage), a process slot, and the options of the pool and its tasks.
import type { ExtractionProcess } from './extractionProcess';
import type { ProgressCallback } from '../progress';
import type { StopReason } from './poolSetup';
import type { StageName } from './workerProtocol';

export interface Task {
  id: number;
  stage: StageName;
  input: unknown;
  /** Who the task is about (a file), for its errors. */
  subject: string;
  /** Its memory budget in MB (the process's, while it runs). */
  memoryMb: number;
  /** Base of its time budget, in seconds (limits.ts timeBudgetMs). */
  timeLimitSeconds?: number;
  /** Its input's size in bytes (its time budget grows with it; small tasks are pipelined), when known. */
  size?: number;
  /** It runs OCR (its process then holds tesseract workers). */
  ocr: boolean;
  resolve: (value: never) => void;
  reject: (err: unknown) => void;
  onUnit?: (done: number, total: number) => void;
  onProgress?: ProgressCallback;
  onStart?: () => void;
}

export interface Slot {
  worker: ExtractionProcess;
  /** The memory budget of the process (its task's), in MB; it was started with processArgs(heapMb). */
  heapMb: number;
  /** The process has loaded its code (until then a task given to it waits, so it goes to a ready one if any). */
  ready?: boolean;
  task?: Task;
  /**
   * A small task sent to the process behind its running one (pipelining: the process starts it as soon as the
   * running one ends, without waiting for a round trip through this thread). It becomes `task` then; if the
   * process dies first, it goes back to the queue — never blamed for the running task's death.
   */
  next?: Task;
  /** When its task started (or, when given to a process still starting, when that process was ready). */
  taskStarted?: number;
  /** The task's unit count (pages) as last reported (its time budget grows with it). */
  pages?: number;
  /** It has run a task with OCR on (it then holds tesseract workers to dispose of). */
  ocrUsed?: boolean;
  /** No-progress watchdog and time budget of the task in flight. */
  watchdog?: NodeJS.Timeout;
  deadline?: NodeJS.Timeout;
  /** Why the pool stopped the process, so its death is reported as that and not as a crash. */
  stoppedFor?: StopReason;
}

export interface PoolOptions {
  /** A task that shows no progress (no unit done) for this long is stopped as stuck. */
  stallTimeoutMs?: number;
  /**
   * Memory budget of each process in MB, when the tasks do not set their own (`maxMemoryMB`): the JavaScript heap
   * cap, and the resident-set limit its watchdog enforces.
   */
  maxHeapMb?: number;
  /** Directory for the processes' V8 code cache (bundled build only); default: the user's cache directory. */
  codeCacheDir?: string;
  /** The processes' script (tests: a stand-in); default: the pool's worker beside this module. */
  workerScript?: string;
}

export interface TaskOptions {
  signal?: AbortSignal;
  /** Units (pages, slides) done of a total within the task, as the process reports them. */
  onUnit?: (done: number, total: number) => void;
  /** The task's whole Progress, for stages that report one (export: records, bytes, ETA, phase). */
  onProgress?: ProgressCallback;
  /** A process took the task (not when it was queued). */
  onStart?: () => void;
  /**
   * Extraction: the file's size in bytes when the caller knows it (a source's recorded size), sparing a stat per
   * file. It decides whether a PDF is split into page ranges and sizes the time budget; the process still reads
   * the file as it is now, within `maxBytes`.
   */
  size?: number;
}

/** Options of a task of any stage (`run`). */
export interface RunOptions extends TaskOptions {
  /** Who the task is about (a file path): named in its errors (a crash, a budget). */
  subject: string;
  /** Its input's size in bytes, when known: its time budget grows with it, and small tasks are pipelined. */
  size?: number;
  /** Memory budget in MB (default: the pool's). */
  maxMemoryMB?: number;
  /** Base of its time budget in seconds (default limits.ts DEFAULT_TIME_LIMIT_SECONDS); 0: none but the stall watchdog. */
  timeLimitSeconds?: number;
}

/** What a task's facts are, apart from its stage, input and callbacks. */
export type TaskFacts = Pick<Task, 'subject' | 'memoryMb' | 'timeLimitSeconds' | 'ocr'> & { size: number | undefined };
