import { watch as fsWatch, promises as fs, type FSWatcher } from 'node:fs';
import * as path from 'node:path';
import { isCancellation } from '../errors';
import type { ProgressCallback } from '../progress';
import type { ProjectPaths } from '../project/paths';
import { overlayFile } from '../records/overlay';
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
 * `brightrun export --watch`: exports once, then again whenever the records change — the records folder's
 * manifest.json is replaced when a build publishes, and the user's edits and exclusions are saved to
 * `.brightrun/records-overlay.jsonl` — debounced; changes during a run queue one more run.
 * Resolves when `signal` aborts. A failing run is reported through onRun and watching goes on.
 */
export async function watchExport(project: { paths: Pick<ProjectPaths, 'root' | 'records' | 'exports' | 'dataDir'> }, request: ExportRequest, opts: WatchOptions): Promise<void> {
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
  const watchers: FSWatcher[] = [];
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void run(), debounce);
  };
  const overlayName = path.basename(overlayFile(project.paths.dataDir));
  await new Promise<void>((resolve) => {
    if (opts.signal.aborted) return resolve();
    watchers.push(fsWatch(project.paths.records, (_event, name) => (name === null || name === 'manifest.json') && changed()));
    watchers.push(fsWatch(project.paths.dataDir, (_event, name) => (name === null || name === overlayName) && changed()));
    for (const w of watchers) w.on('error', () => undefined);
    opts.signal.addEventListener('abort', () => resolve(), { once: true });
    void run();
  });
  clearTimeout(timer);
  for (const w of watchers) w.close();
  await running;
}
