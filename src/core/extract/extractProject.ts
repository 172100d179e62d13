import { isCancellation, throwIfAborted, toBrightRunError, type ErrorInfo } from '../errors';
import { EtaEstimator, type OperationOptions } from '../progress';
import type { LogEntry } from '../project/processingLog';
import { fromStoredPath, toStoredPath } from '../project/paths';
import type { Project } from '../project/project';
import { MAX_EXTRACT_ATTEMPTS, type ExtractionSummary, type SourceEntry, type SourceStatus } from '../project/sources';
import { DocumentStore } from './documentStore';
import { readQueueState, writeQueueState } from './queueState';
import { inShard, type Shard } from './shards';
import { StatusWriter } from './statusWriter';
import { WorkQueue } from './workQueue';
import { defaultPoolSize, ExtractionPool } from './extractionPool';
import { extractOptionsFromConfig } from './limits';
import type { ExtractedDocument, ExtractOptions } from './types';

export { summarize } from './documentFile';

export interface ExtractProjectOptions extends OperationOptions {
  options?: ExtractOptions;
  concurrency?: number;
  /** Also retry sources that failed before. */
  retryFailed?: boolean;
  /** Only these stored source paths (default: every queued source). */
  only?: readonly string[];
  /** Only this shard's share of the sources (by content hash): `brightrun extract --shard i/n`. */
  shard?: Shard;
  /** How often status changes are written to sources.json (they are batched). */
  flushIntervalMs?: number;
  onOutcome?: (outcome: ProjectExtractOutcome) => void;
  /** A file started (threads took it), or made progress within itself (pages or slides done of total). */
  onFileStart?: (path: string) => void;
  onFileProgress?: (path: string, done: number, total: number) => void;
  /** Receives the steering handle as soon as the run starts. */
  onControl?: (control: ExtractionControl) => void;
}

export interface ProjectExtractOutcome {
  path: string;
  status: 'done' | 'failed';
  /** True when a stored document for the same bytes was reused: no work was done. */
  reused: boolean;
  /**
   * Done: the stored document's id (sha256 of the bytes extracted) and its summary. The document itself stays in
   * the store (DocumentStore.load): the pool's processes write it, and only this summary reaches the caller.
   */
  documentId?: string;
  extracted?: ExtractionSummary;
  error?: ErrorInfo;
}

export interface ProjectExtractSummary {
  done: number;
  reused: number;
  failed: number;
  pages: number;
  ocrPages: number;
}

/** Steering of a running extraction (the extension's queue panel uses it). */
export interface ExtractionControl {
  pause(): Promise<void>;
  resume(): Promise<void>;
  readonly paused: boolean;
  /** Stops one file (in flight or waiting): it goes back to queued and is skipped for this run. */
  cancel(path: string): void;
  /** Higher first; persisted in queue.json. */
  setPriority(path: string, priority: number): Promise<void>;
  /** Sources queued after the run started are picked up too; this wakes the run to look now. */
  poke(): void;
}

/**
 * Extracts the project's queued sources (and ones left "extracting" by a run that was killed), storing each
 * ExtractedDocument by content hash. Resumable by construction: a source whose document is already stored is
 * marked done without work, so a killed run picks up where it stopped and nothing finished is redone.
 * Files run by priority (queue.json), as many at once as the pool has threads; the run can be paused,
 * resumed and steered through `onControl`. Status changes are batched into sources.json under the project
 * lock, never clobbering a source that was changed (re-added with other bytes) meanwhile.
 */
export async function extractProject(project: Project, opts: ExtractProjectOptions = {}): Promise<ProjectExtractSummary> {
  const { signal } = opts;
  throwIfAborted(signal);
  const store = new DocumentStore(project.paths.documents);
  const wanted = new Set<SourceStatus>(opts.retryFailed ? ['queued', 'extracting', 'failed'] : ['queued', 'extracting']);
  const only = opts.only ? new Set(opts.only) : undefined;
  const wants = (s: SourceEntry) => wanted.has(s.status) && (!only || only.has(s.path)) && inShard(s, opts.shard);
  // A run over part of the queue (some paths, one shard) does not start or end the queue as a whole.
  const partial = !!only || !!opts.shard;
  const summary: ProjectExtractSummary = { done: 0, reused: 0, failed: 0, pages: 0, ocrPages: 0 };
  // Only the sources to run are held (the list is read one source at a time): memory grows with the work.
  const initial = await project.selectSources(wants);
  if (initial.length === 0) return summary;

  // Starting a run is an explicit "go": it clears a pause left by an earlier run (a kill while paused).
  const queue = await readQueueState(project.paths.queue);
  if (!partial) await writeQueueState(project.paths.queue, { ...queue, active: true, paused: false });
  const extractOptions: ExtractOptions = {
    ...extractOptionsFromConfig(project.config.extract),
    ...opts.options,
  };
  // Documents are saved without an fsync each; a batch's documents are made durable together before its statuses.
  const writer = new StatusWriter(project, opts.flushIntervalMs ?? 500, () => store.publish());
  const logs: Array<Omit<LogEntry, 'time'>> = [];
  // The log is appended a thousand entries at a time, in order, so a 100,000-file run does not hold them all.
  let logged: Promise<void> = Promise.resolve();
  const flushLogs = () => {
    const batch = logs.splice(0);
    logged = logged.then(() => project.log(batch)).catch(() => undefined);
    return logged;
  };
  const seen = new Set(initial.map((t) => t.path));
  let bytesTotal = initial.reduce((s, t) => s + t.size, 0);
  const eta = new EtaEstimator(bytesTotal);
  let bytesDone = 0;
  let finished = 0;
  const report = (current?: string) =>
    opts.onProgress?.({ done: finished, total: seen.size, unit: 'files', bytesDone, bytesTotal, ...(eta.eta(bytesDone) !== undefined ? { etaMs: eta.eta(bytesDone)! } : {}), ...(current ? { current } : {}) });

  const finish = (source: SourceEntry, outcome: ProjectExtractOutcome, sha256: string, size: number, extracted?: ExtractionSummary) => {
    finished++;
    if (logs.length >= 1000) void flushLogs();
    bytesDone += source.size;
    eta.update(bytesDone);
    writer.set(source, { status: outcome.status, sha256, size, ...(outcome.error ? { error: outcome.error } : {}), ...(extracted ? { extracted } : {}) });
    opts.onOutcome?.(outcome);
    report(source.path);
  };

  // ── steering ──
  let paused = false;
  let wake: (() => void) | undefined;
  const nudge = () => {
    wake?.();
    wake = undefined;
  };
  const cancelled = new Set<string>();
  const running = new Map<string, AbortController>();
  const priority = (path: string) => queue.priorities[path] ?? 0;
  const todo = new WorkQueue(priority);
  const saveQueue = () => writeQueueState(project.paths.queue, { ...queue, active: true, paused });
  opts.onControl?.({
    get paused() {
      return paused;
    },
    async pause() {
      paused = true;
      await saveQueue();
    },
    async resume() {
      paused = false;
      await saveQueue();
      nudge();
    },
    cancel(path: string) {
      cancelled.add(path);
      running.get(path)?.abort();
      nudge();
    },
    async setPriority(path: string, value: number) {
      queue.priorities[path] = value;
      todo.resort();
      await saveQueue();
    },
    poke: nudge,
  });
  const onAbort = () => nudge();
  signal?.addEventListener('abort', onAbort);

  const poolSize = Math.max(1, opts.concurrency || defaultPoolSize(true, extractOptions.maxMemoryMB));
  const pool = new ExtractionPool(poolSize);
  const inFlight = new Set<Promise<void>>();
  const extractedHere = new Set<string>();
  let firstCancellation: unknown;

  // The documents stored when the run starts, listed once: a source whose bytes have none is not looked up (issue
  // #13: a failed open per new file). Documents this run stores are looked up as before (the same bytes added twice).
  const stored = await store.storedIds();
  // Sources with the same bytes share one document, named by the first of them to start (the queue's order): a
  // second one waits for the first and reuses its document, so the document's source does not depend on which
  // process finishes first (and the bytes are extracted once).
  const extracting = new Map<string, Promise<void>>();
  const runOne = async (source: SourceEntry): Promise<void> => {
    const same = extracting.get(source.sha256);
    if (same) {
      await same;
      return runOne(source);
    }
    let release = () => {};
    extracting.set(source.sha256, new Promise<void>((resolve) => (release = resolve)));
    try {
      await runSource(source);
    } finally {
      extracting.delete(source.sha256);
      release();
    }
  };
  const runSource = async (source: SourceEntry) => {
    const file = fromStoredPath(project.root, source.path);
    // Reading the stored document's header tells whether it is current and what it holds: a few KB, not the document.
    // Only for bytes that have a document (listed when the run starts, or stored by this run): a new file costs no
    // failed open (issue #13).
    const existing = stored.has(source.sha256) || extractedHere.has(source.sha256) ? await store.currentSummary(source.sha256) : undefined;
    if (existing) {
      summary.reused++;
      summary.done++;
      finish(source, { path: source.path, status: 'done', reused: true, documentId: source.sha256 }, source.sha256, source.size, existing);
      return;
    }
    const controller = new AbortController();
    const forward = () => controller.abort();
    signal?.addEventListener('abort', forward);
    running.set(source.path, controller);
    let started = 0;
    try {
      // The process writes the document into the store itself and sends back its summary (issue #13).
      const done = await pool.extractToStore(file, extractOptions, { dir: project.paths.documents, sourcePath: toStoredPath(project.root, file) }, {
        signal: controller.signal,
        size: source.size,
        onStart: () => {
          started = Date.now();
          writer.set(source, { status: 'extracting', attempts: (source.status === 'extracting' ? (source.attempts ?? 1) : 0) + 1 });
          opts.onFileStart?.(source.path);
        },
        ...(opts.onFileProgress ? { onUnit: (done: number, total: number) => opts.onFileProgress!(source.path, done, total) } : {}),
      });
      // Made durable with its batch, before the batch's statuses are written (StatusWriter's beforeFlush).
      store.adopt(done.file);
      extractedHere.add(done.id);
      const x = done.extracted;
      summary.done++;
      summary.pages += x.pages ?? 0;
      summary.ocrPages += x.ocrPages;
      logs.push({
        level: x.warnings.length ? 'warn' : 'info',
        stage: 'extract',
        message: `Extracted ${source.path} (${x.format})`,
        file: source.path,
        durationMs: x.durationMs,
        ...(x.pages !== undefined ? { pages: x.pages } : {}),
        ocrPages: x.ocrPages,
        ...(x.warnings.length ? { warnings: x.warnings } : {}),
      });
      // The file may have changed since it was added: the document is keyed by the bytes actually read.
      finish(source, { path: source.path, status: 'done', reused: false, documentId: done.id, extracted: x }, done.id, done.size, x);
    } catch (err) {
      if (isCancellation(err)) {
        writer.set(source, { status: 'queued' });
        if (signal?.aborted) firstCancellation ??= err;
        else logs.push({ level: 'info', stage: 'extract', message: `Cancelled ${source.path}`, file: source.path });
        return;
      }
      const error = toBrightRunError(err, file).toJSON();
      summary.failed++;
      logs.push({ level: 'error', stage: 'extract', message: error.message, file: source.path, ...(started ? { durationMs: Date.now() - started } : {}), error });
      finish(source, { path: source.path, status: 'failed', reused: false, error }, source.sha256, source.size);
    } finally {
      running.delete(source.path);
      signal?.removeEventListener('abort', forward);
    }
  };

  // A source that runs kept leaving "extracting" (each was killed while extracting it) is not tried again by
  // itself: it is failed, and only an explicit retry (retryFailed, "Retry Failed") runs it once more.
  if (!opts.retryFailed) {
    for (const source of initial.filter(interruptedTooOften)) {
      const error = interruptedError(fromStoredPath(project.root, source.path), source.attempts ?? MAX_EXTRACT_ATTEMPTS);
      summary.failed++;
      logs.push({ level: 'error', stage: 'extract', message: error.message, file: source.path, error });
      finish(source, { path: source.path, status: 'failed', reused: false, error }, source.sha256, source.size);
    }
  }
  todo.add(opts.retryFailed ? initial : initial.filter((s) => !interruptedTooOften(s)));

  report();
  try {
    for (;;) {
      if (signal?.aborted) break;
      // Two files per process in flight: one running, one waiting in its pipe (ExtractionPool pipelining), so a
      // process never idles on a round trip through this thread between small files (issue #13).
      const next = paused || inFlight.size >= poolSize * 2 ? undefined : todo.take((s) => cancelled.has(s.path));
      if (next) {
        const job: Promise<void> = runOne(next).finally(() => {
          inFlight.delete(job);
          nudge();
        });
        inFlight.add(job);
        continue;
      }
      if (!next && todo.size === 0 && inFlight.size === 0 && !paused) {
        // Sources queued while this run went on are picked up before it ends.
        const fresh = await project.selectSources((s) => wants(s) && !seen.has(s.path) && !cancelled.has(s.path));
        if (!fresh.length) break;
        for (const s of fresh) seen.add(s.path);
        bytesTotal += fresh.reduce((sum, s) => sum + s.size, 0);
        eta.setTotal(bytesTotal);
        todo.add(fresh);
        report();
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
    await Promise.allSettled(inFlight);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await pool.close();
    await writer.close();
    await flushLogs();
    // The run ended (done, or cancelled by the user): nothing to resume. Only a killed run leaves it active.
    if (!partial) await writeQueueState(project.paths.queue, { ...queue, active: false, paused: false }).catch(() => undefined);
  }
  if (firstCancellation || signal?.aborted) throwIfAborted(signal);
  return summary;
}

function interruptedTooOften(source: SourceEntry): boolean {
  return source.status === 'extracting' && (source.attempts ?? 1) >= MAX_EXTRACT_ATTEMPTS;
}

function interruptedError(file: string, attempts: number): ErrorInfo {
  return {
    code: 'EXTRACTION_CRASHED',
    file,
    message: `Extracting ${file} was interrupted ${attempts} times (the run stopped while it was being extracted), so it is not tried again by itself.`,
    remedy: 'If the file is genuine, choose "Retry Failed Documents" (or brightrun extract --retry-failed) to try it once more; otherwise remove it from the dataset.',
  };
}

/** The stored document of a source, for previews. */
export async function loadSourceDocument(project: Project, source: SourceEntry): Promise<ExtractedDocument | undefined> {
  return new DocumentStore(project.paths.documents).load(source.sha256);
}
