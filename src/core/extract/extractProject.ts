import { BrightRunError, isCancellation, throwIfAborted, toBrightRunError, type ErrorInfo } from '../errors';
import { EtaEstimator, type OperationOptions } from '../progress';
import type { LogEntry } from '../project/processingLog';
import { fromStoredPath, toStoredPath } from '../project/paths';
import type { Project } from '../project/project';
import type { SourceEntry, SourceStatus } from '../project/sources';
import { DocumentStore } from './documentStore';
import { defaultPoolSize, ExtractionPool } from './extractionPool';
import type { ExtractedDocument, ExtractOptions } from './types';

export interface ExtractProjectOptions extends OperationOptions {
  options?: ExtractOptions;
  concurrency?: number;
  /** Also retry sources that failed before. */
  retryFailed?: boolean;
  /** Only these stored source paths (default: every queued source). */
  only?: readonly string[];
  /** How often status changes are written to sources.json (they are batched). */
  flushIntervalMs?: number;
  onOutcome?: (outcome: ProjectExtractOutcome) => void;
  pool?: ExtractionPool;
}

export interface ProjectExtractOutcome {
  path: string;
  status: 'done' | 'failed';
  /** True when a stored document for the same bytes was reused: no work was done. */
  reused: boolean;
  doc?: ExtractedDocument;
  error?: ErrorInfo;
}

export interface ProjectExtractSummary {
  done: number;
  reused: number;
  failed: number;
  pages: number;
  ocrPages: number;
}

/**
 * Extracts the project's queued sources (and ones left "extracting" by a run that was killed), storing each
 * ExtractedDocument by content hash. Resumable by construction: a source whose document is already stored is
 * marked done without work, so a killed run picks up where it stopped and nothing finished is redone.
 * Status changes are batched into sources.json under the project lock, never clobbering a source that was
 * changed (re-added with other bytes) meanwhile.
 */
export async function extractProject(project: Project, opts: ExtractProjectOptions = {}): Promise<ProjectExtractSummary> {
  const { signal } = opts;
  throwIfAborted(signal);
  const store = new DocumentStore(project.paths.documents);
  const wanted = new Set<SourceStatus>(opts.retryFailed ? ['queued', 'extracting', 'failed'] : ['queued', 'extracting']);
  const only = opts.only ? new Set(opts.only) : undefined;
  const todo = (await project.readSources()).filter((s) => wanted.has(s.status) && (!only || only.has(s.path)));
  const summary: ProjectExtractSummary = { done: 0, reused: 0, failed: 0, pages: 0, ocrPages: 0 };
  if (todo.length === 0) return summary;

  const extractOptions: ExtractOptions = {
    ...(project.config.extract?.ocr !== undefined ? { ocr: project.config.extract.ocr } : {}),
    ...(project.config.extract?.ocrLanguages ? { ocrLanguages: project.config.extract.ocrLanguages } : {}),
    ...(project.config.extract?.maxFileSizeMB ? { maxBytes: project.config.extract.maxFileSizeMB * 1024 * 1024 } : {}),
    ...opts.options,
  };
  const writer = new StatusWriter(project, opts.flushIntervalMs ?? 500);
  const logs: Array<Omit<LogEntry, 'time'>> = [];
  const bytesTotal = todo.reduce((s, t) => s + t.size, 0);
  const eta = new EtaEstimator(bytesTotal);
  let bytesDone = 0;
  let finished = 0;
  const report = (current?: string) =>
    opts.onProgress?.({ done: finished, total: todo.length, unit: 'files', bytesDone, bytesTotal, ...(eta.eta(bytesDone) !== undefined ? { etaMs: eta.eta(bytesDone)! } : {}), ...(current ? { current } : {}) });

  const finish = (source: SourceEntry, outcome: ProjectExtractOutcome, sha256: string, size: number) => {
    finished++;
    bytesDone += source.size;
    eta.update(bytesDone);
    writer.set(source, { status: outcome.status, sha256, size, ...(outcome.error ? { error: outcome.error } : {}) });
    opts.onOutcome?.(outcome);
    report(source.path);
  };

  // Sources whose bytes were already extracted (same hash): done without work.
  const pending: SourceEntry[] = [];
  for (const source of todo) {
    if (await store.isCurrent(source.sha256)) {
      summary.reused++;
      summary.done++;
      finish(source, { path: source.path, status: 'done', reused: true }, source.sha256, source.size);
    } else {
      pending.push(source);
    }
  }
  report();

  const pool = opts.pool ?? new ExtractionPool(Math.max(1, Math.min(opts.concurrency || defaultPoolSize(), pending.length || 1)));
  try {
    // allSettled, not all: on cancel every task must put its source back to queued before the last flush.
    const settled = await Promise.allSettled(
      pending.map(async (source) => {
        const file = fromStoredPath(project.root, source.path);
        let started = 0;
        try {
          const doc = await pool.extract(file, extractOptions, {
            ...(signal ? { signal } : {}),
            onStart: () => {
              started = Date.now();
              writer.set(source, { status: 'extracting' });
            },
          });
          const stored: ExtractedDocument = { ...doc, source: { ...doc.source, path: toStoredPath(project.root, file) } };
          await store.save(stored);
          summary.done++;
          summary.pages += doc.pages?.length ?? 0;
          summary.ocrPages += doc.ocrPages;
          logs.push({
            level: doc.warnings.length ? 'warn' : 'info',
            stage: 'extract',
            message: `Extracted ${source.path} (${doc.format})`,
            file: source.path,
            durationMs: doc.timings.totalMs,
            ...(doc.pages ? { pages: doc.pages.length } : {}),
            ocrPages: doc.ocrPages,
            ...(doc.warnings.length ? { warnings: doc.warnings.map((w) => w.code) } : {}),
          });
          // The file may have changed since it was added: the document is keyed by the bytes actually read.
          finish(source, { path: source.path, status: 'done', reused: false, doc: stored }, doc.id, doc.source.size);
        } catch (err) {
          if (isCancellation(err)) {
            writer.set(source, { status: 'queued' });
            throw err;
          }
          const error = toBrightRunError(err, file).toJSON();
          summary.failed++;
          logs.push({ level: 'error', stage: 'extract', message: error.message, file: source.path, ...(started ? { durationMs: Date.now() - started } : {}), error });
          finish(source, { path: source.path, status: 'failed', reused: false, error }, source.sha256, source.size);
        }
      }),
    );
    const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
  } finally {
    if (!opts.pool) await pool.close();
    await writer.close();
    await project.log(logs).catch(() => undefined);
  }
  throwIfAborted(signal);
  return summary;
}

interface StatusChange {
  status: SourceStatus;
  sha256?: string;
  size?: number;
  error?: ErrorInfo;
}

/** Batches status changes into sources.json (one locked write per interval, not one per file). */
class StatusWriter {
  private pending = new Map<string, { expectSha: string; change: StatusChange }>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly project: Project,
    private readonly intervalMs: number,
  ) {}

  set(source: SourceEntry, change: StatusChange): void {
    const prior = this.pending.get(source.path);
    this.pending.set(source.path, { expectSha: prior?.expectSha ?? source.sha256, change });
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flushing.then(() => this.flush());
    }, this.intervalMs);
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const now = new Date().toISOString();
    try {
      await this.project.updateSources((sources) => ({
        sources: sources.map((s) => {
          const p = batch.get(s.path);
          if (!p || s.sha256 !== p.expectSha) return s; // re-added with other bytes meanwhile: leave it queued
          const { error: _old, ...rest } = s;
          return { ...rest, status: p.change.status, sha256: p.change.sha256 ?? s.sha256, size: p.change.size ?? s.size, updatedAt: now, ...(p.change.error ? { error: p.change.error } : {}) };
        }),
        result: undefined,
      }));
    } catch (err) {
      // Could not write (lock held too long, disk full): keep the changes for the next flush.
      for (const [k, v] of batch) if (!this.pending.has(k)) this.pending.set(k, v);
      if (!(err instanceof BrightRunError)) throw err;
    }
  }
}

/** The stored document of a source, for previews. */
export async function loadSourceDocument(project: Project, source: SourceEntry): Promise<ExtractedDocument | undefined> {
  return new DocumentStore(project.paths.documents).load(source.sha256);
}
