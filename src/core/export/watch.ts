import { watch as fsWatch, promises as fs, type FSWatcher } from 'node:fs';
import { isCancellation } from '../errors';
import type { ProgressCallback } from '../progress';
import type { ProjectPaths } from '../project/paths';
import { runExport, type ExportRequest, type ExportResult } from './runExport';

export interface WatchOptions {
  /** Stops watching (an export in flight is cancelled and publishes nothing). */
  signal: AbortSignal;
  /** Milliseconds without a change of the records before re-exporting (default 2000). */
  debounceMs?: number;
  onProgress?: ProgressCallback;
  /** Each run's outcome: a result (published or unchanged) or the error it stopped with. */
  onRun(outcome: ExportResult | Error): void;
}

/**
 * `brightrun export --watch`: exports once, then again whenever the records build changes (the records folder's
 * manifest.json is replaced when a build publishes), debounced; changes during a run queue one more run.
 * Resolves when `signal` aborts. A failing run is reported through onRun and watching goes on.
 */
export async function watchExport(project: { paths: Pick<ProjectPaths, 'records' | 'exports'> }, request: ExportRequest, opts: WatchOptions): Promise<void> {
  const debounce = opts.debounceMs ?? 2000;
  await fs.mkdir(project.paths.records, { recursive: true });
  let timer: NodeJS.Timeout | undefined;
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
          opts.onRun(await runExport(project, request, { signal: opts.signal, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) }));
        } catch (err) {
          if (isCancellation(err) && opts.signal.aborted) return;
          opts.onRun(err instanceof Error ? err : new Error(String(err)));
        }
      } while (again && !opts.signal.aborted);
    })();
    await running;
    running = undefined;
  };
  let watcher: FSWatcher | undefined;
  await new Promise<void>((resolve) => {
    if (opts.signal.aborted) return resolve();
    watcher = fsWatch(project.paths.records, (_event, name) => {
      if (name !== null && name !== 'manifest.json') return;
      clearTimeout(timer);
      timer = setTimeout(() => void run(), debounce);
    });
    watcher.on('error', () => undefined);
    opts.signal.addEventListener('abort', () => resolve(), { once: true });
    void run();
  });
  clearTimeout(timer);
  watcher?.close();
  await running;
}
