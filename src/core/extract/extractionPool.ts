import { setMaxListeners } from 'node:events';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { BrightRunError, cancelledError } from '../errors';
import { sha256Bytes } from '../fs/hash';
import { readInto } from '../fs/readInto';
import { mergeParts } from './mergeParts';
import { DEFAULT_MAX_BYTES, type ExtractedDocument, type ExtractOptions } from './types';
import type { WorkerRequest, WorkerResponse } from './workerProtocol';

interface Task {
  id: number;
  kind: 'extract' | 'count';
  file: string;
  options: ExtractOptions;
  /** The file's bytes, already read, in shared memory (large PDFs: read once, parsed by several threads). */
  data?: Uint8Array;
  resolve: (value: never) => void;
  reject: (err: unknown) => void;
  onUnit?: (done: number, total: number) => void;
  onStart?: () => void;
}

interface Slot {
  worker: Worker;
  /** The thread has loaded its code (until then a task given to it waits, so it goes to a ready thread if any). */
  ready?: boolean;
  task?: Task;
  /** It has run a task with OCR on (it then holds tesseract workers to dispose of). */
  ocrUsed?: boolean;
  watchdog?: NodeJS.Timeout;
}

export interface PoolOptions {
  /** A file whose extraction shows no progress (no page done) for this long is stopped as stuck. */
  stallTimeoutMs?: number;
  /** Heap limit of each thread: a file that needs more fails alone instead of taking the process down. */
  maxHeapMb?: number;
  /** Directory for the threads' V8 code cache (bundled build only); default: the user's cache directory. */
  codeCacheDir?: string;
  /** The threads' script (tests: a stand-in thread); default: the extraction worker beside this module. */
  workerScript?: string;
}

interface TaskOptions {
  signal?: AbortSignal;
  onUnit?: (done: number, total: number) => void;
  onStart?: () => void;
}

/**
 * PDFs of this size or more are read once into shared memory by the calling thread, which counts their pages
 * and hashes them while threads parse page ranges of at least MIN_PAGES_PER_PART pages each.
 */
const SHARED_BYTES = 8 * 1024 * 1024;
const MIN_PAGES_PER_PART = 40;
/**
 * Page ranges go to several threads only on pools of 4+: on 2 cores, two parts measured slower than one (each
 * thread boots and warms up its own JIT, and the hashing competes with them for the cores).
 */
const MIN_THREADS_TO_SPLIT = 4;

/** A PDF's bytes in a SharedArrayBuffer (one read), or undefined when it is not a PDF or cannot be read. */
async function readSharedPdf(file: string, size: number): Promise<Uint8Array | undefined> {
  try {
    const handle = await fs.open(file, 'r');
    try {
      const head = Buffer.alloc(1024);
      await handle.read(head, 0, 1024, 0);
      if (!head.includes('%PDF-')) return undefined;
      const data = new Uint8Array(new SharedArrayBuffer(size));
      return (await readInto(handle, data, 4)) === size ? data : undefined;
    } finally {
      await handle.close();
    }
  } catch {
    return undefined; // the thread reads it and reports the problem
  }
}

/** A counting semaphore: at most `permits` holders at a time, the rest wait in order. */
class Semaphore {
  private readonly waiting: Array<() => void> = [];
  constructor(private permits: number) {}
  async acquire(): Promise<void> {
    if (this.permits > 0) {
      this.permits--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.permits++;
  }
}

/** Where threads keep their V8 code cache: the user's cache directory (never a shared temp directory). */
function defaultCodeCacheDir(): string | undefined {
  const base = process.env.XDG_CACHE_HOME || (process.platform === 'win32' ? process.env.LOCALAPPDATA : path.join(os.homedir(), process.platform === 'darwin' ? 'Library/Caches' : '.cache'));
  return base ? path.join(base, 'brightrun', 'code-cache') : undefined;
}

const DEFAULT_STALL_MS = 3 * 60_000;
const DEFAULT_HEAP_MB = 3072;
/** A larger young generation: extraction allocates many short-lived objects, and the default one is collected far too often. */
const YOUNG_GENERATION_MB = 64;
let processTuning = false;

/**
 * Lets this pool's threads set process-wide V8 flags (batchV8Flags). Only a program that owns its process calls
 * this — the CLI does; the extension never does, since an extension host (local, remote or in a browser-hosted
 * editor) is shared with other extensions.
 */
export function allowBatchTuning(): void {
  processTuning = true;
}

/**
 * V8 flags for the threads of a batch run (the CLI), applied by each thread's boot loader (workerBoot.ts) before
 * it loads the bundle. V8 optimises a function with TurboFan once it has used up an "interrupt budget" of
 * bytecode (66 KB by default on Node 20); a run over a folder of small documents is over before most of that
 * optimised code pays back (the corpus's 14 text PDFs spent 360 ms in TurboFan, several functions compiled 3–4
 * times after deoptimising). A 600 KB budget measured ~20 % faster there and 0–4 % slower on a 100 MB PDF
 * (docs/decisions.md). Only where the process owner allowed it (allowBatchTuning), never under Electron, and
 * only on V8 11 (Node 20), where it was measured and the flag exists (newer V8 tiers up through Maglev by
 * invocation counts).
 */
export function batchV8Flags(versions: NodeJS.ProcessVersions = process.versions, allowed = processTuning): string | undefined {
  if (!allowed || versions.electron) return undefined;
  return versions.v8.split('.')[0] === '11' ? '--interrupt-budget=600000' : undefined;
}

/** The thread's script: the bundled build starts threads through a loader that keeps a V8 code cache (workerBoot.ts). */
function workerScript(): string {
  const boot = path.join(__dirname, 'extractWorkerBoot.js');
  return existsSync(boot) ? boot : path.join(__dirname, 'extractWorker.js');
}

function defaultOcrWorkers(size: number): number {
  return Math.max(1, Math.floor((os.availableParallelism?.() ?? os.cpus().length) / size));
}

function threadOptions(ocrWorkers: number, limits: PoolOptions): WorkerOptions {
  const v8Flags = batchV8Flags();
  return {
    workerData: { ocrWorkers, codeCacheDir: limits.codeCacheDir ?? defaultCodeCacheDir(), ...(v8Flags ? { v8Flags } : {}) },
    resourceLimits: { maxOldGenerationSizeMb: limits.maxHeapMb ?? DEFAULT_HEAP_MB, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  };
}

/**
 * Threads for extraction. In an editor, one per core less one, so the UI keeps a core; headless (the CLI),
 * one per core.
 */
export function defaultPoolSize(interactive = true): number {
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  return Math.max(1, interactive ? cores - 1 : cores);
}

/**
 * Runs extractions in worker threads so the caller's event loop (the extension host, the CLI's progress bar)
 * stays responsive. Each thread extracts one file at a time with its own OCR workers. Cancelling a task
 * terminates its thread; a new one is started for the next task.
 */
export class ExtractionPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private inFlight = 0;
  private readonly sharedSlots: Semaphore;
  private closed = false;
  private readonly script: string;
  /** Threads that stopped before they were up, since the last one that came up. */
  private bootFailures = 0;

  constructor(
    private readonly size = defaultPoolSize(),
    private readonly ocrWorkersPerThread = defaultOcrWorkers(size),
    private readonly limits: PoolOptions = {},
  ) {
    this.script = limits.workerScript ?? workerScript();
    if (!existsSync(this.script)) throw new BrightRunError({ code: 'INTERNAL', message: `The extraction worker is missing (${this.script}).`, remedy: 'Reinstall Bright Run; if you build from source, run the build first.' });
    this.sharedSlots = new Semaphore(size);
  }

  /**
   * Queues a file; `onStart` fires when a thread takes it (not when it is queued). A large PDF is split into
   * page ranges run on several threads at once when the pool has more than one.
   */
  async extract(file: string, options: ExtractOptions, opts: TaskOptions = {}): Promise<ExtractedDocument> {
    this.inFlight++;
    try {
      this.prewarm();
      return await this.extractFile(file, options, opts);
    } finally {
      this.inFlight--;
    }
  }

  private async extractFile(file: string, options: ExtractOptions, opts: TaskOptions): Promise<ExtractedDocument> {
    const size = options.pageRange ? undefined : await fs.stat(file).then((st) => st.size, () => undefined);
    if (size === undefined || size < SHARED_BYTES || size > (options.maxBytes ?? DEFAULT_MAX_BYTES)) return this.enqueue(file, options, opts);
    // At most one large file per thread is held in memory at a time, however many the caller hands over at once.
    await this.sharedSlots.acquire();
    try {
      const data = await readSharedPdf(file, size);
      return data ? await this.extractShared(file, data, options, opts) : await this.enqueue(file, options, opts);
    } finally {
      this.sharedSlots.release();
    }
  }

  /** A large PDF in shared memory: threads count its pages, then parse page ranges of it while this thread hashes it. */
  private async extractShared(file: string, data: Uint8Array, options: ExtractOptions, opts: TaskOptions): Promise<ExtractedDocument> {
    const hashing = options.skipHash ? Promise.resolve('') : sha256Bytes(data, opts.signal);
    hashing.catch(() => undefined);
    const pages = this.size >= MIN_THREADS_TO_SPLIT ? await this.enqueue<number | undefined>(file, options, { ...(opts.signal ? { signal: opts.signal } : {}) }, data, 'count') : undefined;
    const parts = pages ? Math.min(this.size, Math.floor(pages / MIN_PAGES_PER_PART)) : 1;
    const unhashed = { ...options, skipHash: true };
    const doc = pages && parts > 1 ? await this.extractInParts(file, data, unhashed, opts, pages, parts) : await this.enqueue<ExtractedDocument>(file, unhashed, opts, data);
    return { ...doc, id: await hashing };
  }

  private async extractInParts(file: string, data: Uint8Array, options: ExtractOptions, opts: TaskOptions, pages: number, parts: number): Promise<ExtractedDocument> {
    const started = Date.now();
    const per = Math.ceil(pages / parts);
    const done = new Array<number>(parts).fill(0);
    let startedOnce = false;
    const results = await Promise.all(
      Array.from({ length: parts }, (_, i) =>
        this.enqueue<ExtractedDocument>(
          file,
          { ...options, pageRange: { first: i * per + 1, last: Math.min(pages, (i + 1) * per) } },
          {
          ...(opts.signal ? { signal: opts.signal } : {}),
          onStart: () => {
            if (!startedOnce) opts.onStart?.();
            startedOnce = true;
          },
            onUnit: (d) => {
              done[i] = d;
              opts.onUnit?.(done.reduce((a, b) => a + b, 0), pages);
            },
          },
          data,
        ),
      ),
    );
    return mergeParts(results, Date.now() - started);
  }

  private enqueue<T = ExtractedDocument>(file: string, options: ExtractOptions, opts: TaskOptions, data?: Uint8Array, kind: Task['kind'] = 'extract'): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the extraction pool is closed'));
    if (opts.signal?.aborted) return Promise.reject(cancelledError());
    if (opts.signal) setMaxListeners(0, opts.signal); // one listener per queued file is expected here
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => this.cancel(task);
      const settle = () => opts.signal?.removeEventListener('abort', onAbort);
      const task: Task = {
        id: this.nextId++,
        kind,
        file,
        options,
        ...(data ? { data } : {}),
        resolve: ((value: T) => (settle(), resolve(value))) as (value: never) => void,
        reject: (err) => (settle(), reject(err)),
        ...(opts.onUnit ? { onUnit: opts.onUnit } : {}),
        ...(opts.onStart ? { onStart: opts.onStart } : {}),
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(task);
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0)) t.reject(cancelledError());
    await Promise.all(
      this.slots.map(async (s) => {
        clearTimeout(s.watchdog);
        s.task?.reject(cancelledError());
        // A thread that never ran OCR holds nothing to release: stopping it is quicker than a graceful exit.
        if (!s.ocrUsed) return void (await s.worker.terminate());
        s.worker.postMessage({ type: 'shutdown' } satisfies WorkerRequest);
        const exited = new Promise((r) => s.worker.once('exit', r));
        const timeout = new Promise((r) => setTimeout(r, 2000).unref());
        if ((await Promise.race([exited.then(() => 'exit'), timeout])) !== 'exit') await s.worker.terminate();
      }),
    );
    this.slots.length = 0;
  }

  /** Starts up to `threads` threads now, ahead of any work (a caller that knows work is coming, e.g. the CLI). */
  warm(threads = 1): void {
    while (!this.closed && this.slots.length < Math.min(this.size, threads)) this.spawn();
  }

  /** Starts threads ahead of their first task (one per file in flight, up to the size), so they boot while files are read and hashed. */
  private prewarm(): void {
    while (!this.closed && this.slots.length < Math.min(this.size, this.inFlight)) this.spawn();
  }

  private pump(): void {
    // Threads for the work still waiting: one starting per waiting task not yet covered by a starting thread, up
    // to the size. After a thread failed to start, only while no thread is up: such starts then carry a task
    // each, so a broken install fails the tasks one by one instead of restarting threads for ever.
    const up = this.slots.some((s) => s.ready);
    if (this.bootFailures === 0 || !up) {
      let starting = this.slots.filter((s) => !s.ready && !s.task).length;
      while (this.queue.length > starting && this.slots.length < this.size) {
        this.spawn();
        starting++;
      }
    }
    // Tasks go to idle threads that are up; while none is up yet, to starting ones (the task waits in its port).
    while (this.queue.length) {
      const slot = this.slots.find((s) => !s.task && (s.ready || !up));
      if (!slot) return;
      const task = this.queue.shift()!;
      slot.task = task;
      if (task.kind === 'extract' && task.options.ocr !== false) slot.ocrUsed = true;
      task.onStart?.();
      this.arm(slot);
      slot.worker.postMessage({ type: task.kind, id: task.id, file: task.file, options: task.options, ...(task.data ? { data: task.data } : {}) } satisfies WorkerRequest);
    }
  }

  private spawn(): Slot {
    const worker = new Worker(this.script, threadOptions(this.ocrWorkersPerThread, this.limits));
    const slot: Slot = { worker };
    worker.on('message', (msg: WorkerResponse) => {
      if (msg.type === 'ready') {
        slot.ready = true;
        this.bootFailures = 0;
        return this.pump();
      }
      const task = slot.task;
      if (!task || msg.id !== task.id) return;
      if (msg.type === 'progress') {
        this.arm(slot);
        task.onUnit?.(msg.done, msg.total);
        return;
      }
      clearTimeout(slot.watchdog);
      slot.task = undefined;
      if (msg.type === 'done') task.resolve(msg.doc as never);
      else if (msg.type === 'count') task.resolve(msg.pages as never);
      else task.reject(new BrightRunError(msg.error));
      this.pump();
    });
    const stopped = () => {
      if (!slot.ready && this.slots.includes(slot)) this.bootFailures++;
    };
    worker.on('error', (err) => (stopped(), this.retire(slot, err)));
    worker.on('exit', (code) => {
      stopped();
      if (slot.task) this.retire(slot, new Error(`the extraction thread stopped (exit code ${code})`));
      else {
        // A thread that stopped before taking work (while starting, say): queued work goes to another.
        this.remove(slot);
        if (!this.closed) this.pump();
      }
    });
    this.slots.push(slot);
    return slot;
  }

  /** (Re)starts the stall watchdog of a busy thread. */
  private arm(slot: Slot): void {
    clearTimeout(slot.watchdog);
    const ms = this.limits.stallTimeoutMs ?? DEFAULT_STALL_MS;
    slot.watchdog = setTimeout(() => {
      if (!slot.task) return;
      const file = slot.task.file;
      this.retire(slot, new Error(`no progress for ${Math.round(ms / 1000)} s`), `Extracting ${file} stopped: it made no progress for ${Math.round(ms / 1000)} s.`);
    }, ms);
  }

  /** A thread that crashed (out of memory in a parser, say) or stalled fails its task with a specific error; the pool goes on. */
  private retire(slot: Slot, err: Error, message?: string): void {
    clearTimeout(slot.watchdog);
    const task = slot.task;
    slot.task = undefined;
    this.remove(slot);
    void slot.worker.terminate();
    task?.reject(
      new BrightRunError(
        { code: 'CORRUPT_FILE', file: task.file, message: message ?? `Extracting ${task.file} crashed its worker: ${err.message}.`, remedy: 'The file is probably damaged or far too complex; open and re-save it, or remove it from the dataset.' },
        { cause: err },
      ),
    );
    this.pump();
  }

  private remove(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
  }

  private cancel(task: Task): void {
    const queued = this.queue.indexOf(task);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      task.reject(cancelledError());
      return;
    }
    const slot = this.slots.find((s) => s.task === task);
    if (!slot) return;
    clearTimeout(slot.watchdog);
    slot.task = undefined;
    this.remove(slot);
    void slot.worker.terminate();
    task.reject(cancelledError());
    this.pump();
  }
}
