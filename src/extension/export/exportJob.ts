import * as vscode from 'vscode';
import { exportInPool, formatBytes, verifyInPool, type ExportRequest, type ExportResult, type ProjectPaths, type VerifyTaskResult } from '../../core';
import type { JobRunner } from '../jobRunner';
import { readExportSettings } from '../settings';
import type { ExportsModel } from './exportsModel';

/** What an export job needs from the extension: the job runner, the Exports tree's model, the log. */
export interface ExportJobDeps {
  jobs: JobRunner;
  model: ExportsModel;
  log: vscode.LogOutputChannel;
}

export interface ExportJobOptions {
  /** Progress in the status bar rather than a notification (scheduled runs: nobody asked for this one). */
  background?: boolean;
  /** Stops the run besides the notification's Cancel (the scheduler being turned off or disposed). */
  signal?: AbortSignal;
  /** Why it runs, for the log, e.g. "scheduled (daily)". */
  reason?: string;
}

/** The window's export job while one runs: one at a time (exports of a project write the same folders). */
let running: Promise<unknown> | undefined;

/** Whether an export job runs in this window now. */
export function isExportRunning(): boolean {
  return running !== undefined;
}

/** Resolves when no export job runs (at once if none does). */
export async function exportIdle(): Promise<void> {
  while (running) await running.catch(() => undefined);
}

/**
 * Runs one export as a background job of the window — in a pool process (core exportInPool), never on the
 * extension host's thread: progress in records and bytes with an ETA and a Cancel button (a notification, or the
 * status bar when `background`), cancellation that kills the process and leaves no version, a crash reported as
 * an error naming the export with what to do (JobRunner: the remedy and "Show Log"). The memory budget of the
 * process is the setting `brightrun.export.maxMemoryMB`. Logs the outcome (published, or unchanged: a
 * byte-identical re-export publishes nothing) and refreshes the Exports tree. Returns the result; undefined when
 * cancelled, failed (already shown), or refused because another export runs in this window (told to the user, or
 * logged when `background`).
 */
export async function runExportJob(deps: ExportJobDeps, project: { paths: Pick<ProjectPaths, 'root' | 'records' | 'exports' | 'dataDir'> }, request: ExportRequest, opts: ExportJobOptions = {}): Promise<ExportResult | undefined> {
  const label = `"${request.name}" (${request.formats.join(', ')})`;
  if (running) {
    if (opts.background) deps.log.info(`Export ${label}${opts.reason ? `, ${opts.reason},` : ''} not started: another export is running in this window.`);
    else void vscode.window.showInformationMessage('An export is running already.');
    return undefined;
  }
  if (opts.reason) deps.log.info(`Export ${label}: ${opts.reason}`);
  const { maxMemoryMB } = readExportSettings();
  const job = deps.jobs.run(
    `Exporting ${label}`,
    (signal, report) => exportInPool(project, request, { signal: opts.signal ? AbortSignal.any([signal, opts.signal]) : signal, onProgress: report, maxMemoryMB }),
    opts.background ? { location: vscode.ProgressLocation.Window } : {},
  );
  running = job;
  let outcome: Awaited<typeof job>;
  try {
    outcome = await job;
  } finally {
    running = undefined;
  }
  await deps.model.refresh();
  if (!outcome) return undefined;
  const { result, pid, peakRssMb } = outcome;
  const bytes = result.manifest.files.reduce((s, f) => s + f.bytes, 0);
  const where = `(worker process ${pid}, peak ${peakRssMb.toLocaleString('en-US')} MB)`;
  deps.log.info(
    result.status === 'unchanged'
      ? `Export "${request.name}" is unchanged: the records, sources and parameters give the same files as ${result.version}; nothing was published ${where}.`
      : `Export "${request.name}" ${result.version} published: ${result.manifest.records.total.toLocaleString('en-US')} records, ${result.manifest.files.length} files, ${formatBytes(bytes)} ${where}.`,
  );
  return result;
}

/** Verifies a version folder as a background job, in a pool process (core verifyInPool); undefined when cancelled or failed. */
export async function runVerifyJob(deps: ExportJobDeps, dir: string, label: string): Promise<VerifyTaskResult | undefined> {
  const { maxMemoryMB } = readExportSettings();
  return deps.jobs.run(`Verifying ${label}`, (signal, report) => verifyInPool(dir, { signal, onProgress: report, maxMemoryMB }));
}
