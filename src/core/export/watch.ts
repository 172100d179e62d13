import { watch as fsWatch, promises as fs, type FSWatcher } from 'node:fs';
import * as path from 'node:path';
import { isCancellation } from '../errors';
import type { OperationOptions, ProgressCallback } from '../progress';
import type { ProjectPaths } from '../project/paths';
import { overlayFile } from '../records/overlay';
import { runExport, type ExportRequest, type ExportResult } from './runExport';

type ExportProject = { paths: Pick<ProjectPaths, 'root' | 'records' | 'exports' | 'dataDir'> };

export interface WatchOptions {
  /** Stops watching (an export in flight is cancelled and publishes nothing). */
  signal: AbortSignal;
  /** Milliseconds without a change of the records before re-exporting (default 2000). */
  debounceMs?: number;
  onProgress?: ProgressCallback;
  /** Each run's outcome: a result (published or unchanged) or the error it stopped with. */
  onRun(outcome: ExportResult | Error): void;
  /** What runs one export (default runExport, in this process; the extension passes its pool-process runner). */
  exporter?: (project: ExportProject, request: ExportRequest, opts: OperationOptions) => Promise<ExportResult>;
}

/** A running watch of the records (watchRecords); `close` stops it and drops a pending change. */
export interface RecordsWatch {
  close(): void;
}

/**
 * Calls `onChange` when the records change — the records folder's manifest.json is replaced when a build
 * publishes, and the user's edits and exclusions are saved to `.brightrun/records-overlay.jsonl` — once per
 * burst of changes, `debounceMs` (default 2000) after the last. The records folder is created if missing.
 */
export async function watchRecords(paths: Pick<ProjectPaths, 'records' | 'dataDir'>, opts: { debounceMs?: number; onChange(): void }): Promise<RecordsWatch> {
  const debounce = opts.debounceMs ?? 2000;
  await fs.mkdir(paths.records, { recursive: true });
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const changed = () => {
    clearTimeout(timer);
    if (!closed) timer = setTimeout(() => !closed && opts.onChange(), debounce);
  };
  const overlayName = path.basename(overlayFile(paths.dataDir));
  const watchers: FSWatcher[] = [
    fsWatch(paths.records, (_event, name) => (name === null || name === 'manifest.json') && changed()),
    fsWatch(paths.dataDir, (_event, name) => (name === null || name === overlayName) && changed()),
  ];
  for (const w of watchers) w.on('error', () => undefined);
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}

/**
 * A key of the records as an export reads them: the published build and the state of the records overlay (edits
 * and exclusions). Two equal keys: the same records. Undefined when no build is published yet. Used to tell at
 * start-up whether the records changed while nobody watched (the VS Code scheduled export).
 */
export async function recordsStateKey(paths: Pick<ProjectPaths, 'records' | 'dataDir'>): Promise<string | undefined> {
  const manifest = await fs.readFile(path.join(paths.records, 'manifest.json'), 'utf8').then((t) => JSON.parse(t) as { build?: unknown }, () => undefined);
  if (typeof manifest?.build !== 'string') return undefined;
  const overlay = await fs.stat(overlayFile(paths.dataDir)).catch(() => undefined);
  return `${manifest.build} ${overlay ? `${overlay.size}:${Math.round(overlay.mtimeMs)}` : '-'}`;
}

/**
 * `brightrun export --watch`: exports once, then again whenever the records change (watchRecords), debounced;
 * changes during a run queue one more run. Resolves when `signal` aborts. A failing run is reported through
 * onRun and watching goes on.
 */
export async function watchExport(project: ExportProject, request: ExportRequest, opts: WatchOptions): Promise<void> {
  const exporter = opts.exporter ?? runExport;
  let running: Promise<void> | undefined;
  let again = false;
  const run = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          opts.onRun(await exporter(project, request, { signal: opts.signal, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) }));
        } catch (err) {
          if (isCancellation(err) && opts.signal.aborted) return;
          opts.onRun(err instanceof Error ? err : new Error(String(err)));
        }
      } while (again && !opts.signal.aborted);
    })();
    await running;
    running = undefined;
  };
  if (opts.signal.aborted) return;
  const watch = await watchRecords(project.paths, { ...(opts.debounceMs !== undefined ? { debounceMs: opts.debounceMs } : {}), onChange: () => void run() });
  await new Promise<void>((resolve) => {
    if (opts.signal.aborted) return resolve();
    opts.signal.addEventListener('abort', () => resolve(), { once: true });
    void run();
  });
  watch.close();
  await running;
}
