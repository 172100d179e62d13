import * as vscode from 'vscode';
import {
  DocumentStore,
  extractProject,
  formatBytes,
  formatDuration,
  readQueueState,
  removeStaleTemps,
  requeued,
  type ExtractionControl,
  type ExtractOptions,
  type Progress,
  type ProjectExtractOutcome,
  type ProjectExtractSummary,
} from '../../core';
import { Commands } from '../../shared/commands';
import type { JobRunner } from '../jobRunner';
import { Disposable } from '../lifecycle';
import type { ProjectStore } from '../projectStore';
import { explicitExtractOptions, readSettings } from '../settings';

/** What the panel, the status bar and the tree need to know about the batch in progress. */
export interface IngestionSnapshot {
  running: boolean;
  paused: boolean;
  progress?: Progress;
  /** Files being extracted now: percentage within the file and start time. */
  live: Map<string, { percent?: number; startedAt: number }>;
  /** Measured throughput of this batch. */
  filesPerMinute?: number;
  bytesPerSecond?: number;
}

/**
 * The ingestion queue of this window: runs the project's extraction (in extraction processes) in the background,
 * steers it (pause, resume, cancel one or all, priority, retry, re-extract), resumes a batch that a closed
 * or crashed window left unfinished, and tells listeners — at most four times a second, so a 10,000-file batch
 * causes no refresh storm.
 */
export class IngestionService extends Disposable {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  private control: ExtractionControl | undefined;
  private abort: AbortController | undefined;
  private running: Promise<ProjectExtractSummary | undefined> | undefined;
  private progress: Progress | undefined;
  private readonly live = new Map<string, { percent?: number; startedAt: number }>();
  private batchStarted = 0;
  private fireTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: ProjectStore,
    private readonly jobs: JobRunner,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this._register({ dispose: () => this.abort?.abort() });
    this._register({ dispose: () => clearTimeout(this.fireTimer) });
  }

  get snapshot(): IngestionSnapshot {
    const elapsedMin = (Date.now() - this.batchStarted) / 60_000;
    const p = this.progress;
    return {
      running: !!this.running,
      paused: this.control?.paused ?? false,
      ...(p ? { progress: p } : {}),
      live: this.live,
      ...(p && elapsedMin > 0.02 ? { filesPerMinute: p.done / elapsedMin, bytesPerSecond: (p.bytesDone ?? 0) / (elapsedMin * 60) } : {}),
    };
  }

  /** Resumes a batch that was running when the window closed or crashed (unless it was paused). */
  async resumeInterrupted(): Promise<void> {
    const state = this.store.state;
    if (state.kind !== 'open') return;
    const queue = await readQueueState(state.project.paths.queue);
    const leftover = state.sources.some((s) => s.status === 'extracting' || s.status === 'queued');
    if (queue.active && !queue.paused && leftover) {
      this.log.info('Resuming the extraction batch that was interrupted');
      void this.start();
    }
  }

  /**
   * Starts extracting the queued documents, or, when a batch is already running, makes it pick up newly
   * queued ones. `foreground` shows a cancellable notification with progress (the Extract command).
   */
  start(options: { foreground?: boolean; retryFailed?: boolean; only?: string[]; extra?: ExtractOptions } = {}): Promise<ProjectExtractSummary | undefined> {
    if (this.running) {
      this.control?.poke();
      return this.running;
    }
    const state = this.store.state;
    if (state.kind !== 'open') return Promise.resolve(undefined);
    const project = state.project;
    const settings = readSettings(vscode.Uri.file(project.root));
    const extractOptions: ExtractOptions = { ...explicitExtractOptions(vscode.Uri.file(project.root)), ...options.extra };
    const work = async (signal: AbortSignal, report?: (p: Progress) => void) => {
      this.batchStarted = Date.now();
      await Promise.all([removeStaleTemps(project.paths.dataDir), removeStaleTemps(project.paths.documents)]); // left by a killed run
      return extractProject(project, {
        options: extractOptions,
        signal,
        ...(options.retryFailed ? { retryFailed: true } : {}),
        ...(options.only ? { only: options.only } : {}),
        ...(settings.concurrency > 0 ? { concurrency: settings.concurrency } : {}),
        onControl: (c) => (this.control = c),
        onProgress: (p) => {
          this.progress = p;
          report?.(p);
          this.fireSoon();
          this.store.scheduleRefresh(750);
        },
        onFileStart: (path) => {
          this.live.set(path, { startedAt: Date.now() });
          this.fireSoon();
        },
        onFileProgress: (path, done, total) => {
          const entry = this.live.get(path);
          if (entry) entry.percent = Math.round((done / Math.max(1, total)) * 100);
          this.fireSoon();
        },
        onOutcome: (o) => this.recordOutcome(o),
      });
    };
    const controller = new AbortController();
    this.abort = controller;
    const run = options.foreground
      ? this.jobs.run('Extracting documents', (signal, report) => {
          signal.addEventListener('abort', () => controller.abort(), { once: true });
          return work(controller.signal, report);
        })
      : work(controller.signal).catch((err: unknown) => {
          if (!controller.signal.aborted) this.jobs.reportError('Extracting documents', err);
          return undefined;
        });
    const started = Date.now();
    this.running = run.finally(async () => {
      this.running = undefined;
      this.control = undefined;
      this.abort = undefined;
      this.live.clear();
      await this.store.refresh();
      this.fire();
    });
    // The foreground command announces its own result; a background batch (added documents) says it ended here.
    if (!options.foreground) void this.running.then((summary) => summary && !controller.signal.aborted && announceBatch(summary, Date.now() - started, true));
    this.fire();
    return this.running;
  }

  async pause(): Promise<void> {
    await this.control?.pause();
    this.fire();
  }

  async resume(): Promise<void> {
    if (this.control) await this.control.resume();
    else await this.start();
    this.fire();
  }

  cancel(path: string): void {
    this.control?.cancel(path);
  }

  cancelAll(): void {
    this.abort?.abort();
  }

  async prioritize(path: string): Promise<void> {
    const state = this.store.state;
    if (state.kind !== 'open') return;
    const queue = await readQueueState(state.project.paths.queue);
    const top = Math.max(0, ...Object.values(queue.priorities)) + 1;
    if (this.control) await this.control.setPriority(path, top);
    this.fire();
  }

  /** Puts sources back in the queue and runs them; `forget` drops their stored documents first (re-extract). */
  async requeue(paths: string[], forget = false): Promise<void> {
    const state = this.store.state;
    if (state.kind !== 'open' || paths.length === 0) return;
    const changed = await state.project.updateSources((sources) => requeued(sources, paths));
    if (forget) {
      const docs = new DocumentStore(state.project.paths.documents);
      for (const s of changed) await docs.delete(s.sha256);
    }
    await this.store.refresh();
    void this.start();
  }

  private recordOutcome(o: ProjectExtractOutcome): void {
    this.live.delete(o.path);
    if (o.error) {
      this.log.error(`${o.path}: [${o.error.code}] ${o.error.message} — ${o.error.remedy}`);
      if (o.error.code === 'PASSWORD_REQUIRED') void this.askPassword(o.path);
    } else if (o.extracted && !o.reused) {
      const d = o.extracted;
      this.log.info(`${o.path}: ${d.format}, ${d.pages ?? 0} page(s), ${d.ocrPages} OCR'd, ${d.durationMs} ms${d.warnings.length ? `; warnings: ${d.warnings.join(', ')}` : ''}`);
    } else {
      this.log.info(`${o.path}: unchanged, reused`);
    }
    this.fireSoon();
  }

  /** Encrypted PDFs: ask once per file; the password is used for that file only and never stored. */
  private async askPassword(path: string): Promise<void> {
    const choice = await vscode.window.showWarningMessage(`${path} is an encrypted PDF.`, 'Enter Password…', 'Show Log');
    if (choice === 'Show Log') void vscode.commands.executeCommand(Commands.showLog);
    if (choice !== 'Enter Password…') return;
    const password = await vscode.window.showInputBox({ title: `Password for ${path}`, prompt: 'Used for this file only; never stored.', password: true, ignoreFocusOut: true });
    if (!password) return;
    await this.running;
    const state = this.store.state;
    if (state.kind !== 'open') return;
    await state.project.updateSources((sources) => requeued(sources, [path]));
    await this.store.refresh();
    await this.start({ only: [path], extra: { password } });
  }

  private fireSoon(): void {
    this.fireTimer ??= setTimeout(() => {
      this.fireTimer = undefined;
      this.fire();
    }, 250);
  }

  private fire(): void {
    this.changed.fire();
  }
}

/** "12 files/min · 2.1 MB/s" */
export function describeThroughput(s: IngestionSnapshot): string | undefined {
  if (s.filesPerMinute === undefined) return undefined;
  return `${s.filesPerMinute.toFixed(s.filesPerMinute < 10 ? 1 : 0)} files/min · ${formatBytes(s.bytesPerSecond ?? 0)}/s`;
}

export function describeEta(s: IngestionSnapshot): string | undefined {
  return s.progress?.etaMs ? `about ${formatDuration(s.progress.etaMs)} left` : undefined;
}

/**
 * What a finished batch says, with the next step as a button: "Build Records" (the walkthrough goes on from here)
 * and, when files failed, the Ingestion panel that says why. `quietWhenReused`: a background batch that only
 * reused stored documents says nothing.
 */
export function announceBatch(summary: ProjectExtractSummary, ms: number, quietWhenReused = false): void {
  const extracted = summary.done - summary.reused;
  if (quietWhenReused && extracted <= 0 && summary.failed <= 0) return;
  const text = `Extracted ${summary.done} document(s)${summary.reused ? ` (${summary.reused} unchanged)` : ''}, ${summary.pages} page(s), ${summary.ocrPages} OCR'd, in ${formatDuration(ms)}.`;
  const next = summary.done > 0 ? ['Build Records'] : [];
  const act = (c: string | undefined) => {
    if (c === 'Build Records') void vscode.commands.executeCommand(Commands.buildRecords);
    if (c === 'Open Ingestion') void vscode.commands.executeCommand(Commands.showIngestion);
    if (c === 'Show Log') void vscode.commands.executeCommand(Commands.showLog);
  };
  if (summary.failed) void vscode.window.showWarningMessage(`${text} ${summary.failed} failed: see the Ingestion panel for why and how to fix it.`, ...next, 'Open Ingestion', 'Show Log').then(act);
  else void vscode.window.showInformationMessage(text, ...next).then(act);
}
