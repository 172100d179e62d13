// The export stage's tasks as a pool process runs them (extract/workerStages.ts `export` and `verify`): the same
// runExport / verifyExportDir the CLI calls in its own process, run in a child process for the extension (the
// Parquet writer encodes row groups synchronously; docs/architecture.md "Export off the extension host").
import type { Progress } from '../progress';
import type { ProjectPaths } from '../project/paths';
import type { ExportManifest } from './manifest';
import { runExport, type ExportRequest, type ExportResult } from './runExport';
import type { VerifyFinding } from './types';
import { readExportManifest, verifyVersion } from './verifyExport';

/**
 * How often a running export or verification repeats its last progress when it has nothing new to say (a
 * verification re-reading a large file reports nothing for minutes), so that the pool's no-progress watchdog
 * (3 min) stops only a process whose event loop is stuck, not one that is busy with a long read.
 */
export const EXPORT_HEARTBEAT_MS = 20_000;

export interface ExportTaskInput {
  /** The project's folders (plain paths: the input crosses a process boundary). */
  paths: Pick<ProjectPaths, 'root' | 'records' | 'exports' | 'dataDir'>;
  request: ExportRequest;
}

/** What ran where, besides the result: the process (never the caller's) and its peak resident memory, for the log. */
export interface ProcessFacts {
  pid: number;
  /** Peak resident set of the process, in MB (process.resourceUsage().maxRSS). */
  peakRssMb: number;
}

export interface ExportTaskResult extends ProcessFacts {
  result: ExportResult;
}

export interface VerifyTaskInput {
  /** A version folder, exports/<name>/<semver>. */
  dir: string;
}

export interface VerifyTaskResult extends ProcessFacts {
  manifest: ExportManifest;
  findings: VerifyFinding[];
}

function facts(): ProcessFacts {
  return { pid: process.pid, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
}

/** Calls `work` with a progress callback that is repeated every EXPORT_HEARTBEAT_MS while nothing new comes. */
async function withHeartbeat<T>(onProgress: (p: Progress) => void, first: Progress, work: (report: (p: Progress) => void) => Promise<T>): Promise<T> {
  let last = first;
  let lastAt = Date.now();
  const report = (p: Progress) => {
    last = p;
    lastAt = Date.now();
    onProgress(p);
  };
  const timer = setInterval(() => Date.now() - lastAt >= EXPORT_HEARTBEAT_MS && report(last), EXPORT_HEARTBEAT_MS / 4);
  timer.unref();
  try {
    return await work(report);
  } finally {
    clearInterval(timer);
  }
}

/** Runs one export in this process (a pool process): runExport with its progress passed on. */
export async function runExportTask(input: ExportTaskInput, onProgress: (p: Progress) => void = () => undefined): Promise<ExportTaskResult> {
  const result = await withHeartbeat(onProgress, { done: 0, unit: 'records', current: 'starting' }, (report) => runExport({ paths: input.paths }, input.request, { onProgress: report }));
  return { result, ...facts() };
}

/** Verifies one version folder in this process (a pool process). */
export async function runVerifyTask(input: VerifyTaskInput, onProgress: (p: Progress) => void = () => undefined): Promise<VerifyTaskResult> {
  const manifest = await readExportManifest(input.dir);
  const files = manifest.files.length;
  onProgress({ done: 0, total: files, unit: 'files', current: 'verifying' });
  const findings = await withHeartbeat(onProgress, { done: 0, total: files, unit: 'files', current: 'verifying' }, () => verifyVersion(input.dir, manifest));
  onProgress({ done: files, total: files, unit: 'files', current: 'verified' });
  return { manifest, findings, ...facts() };
}
