/** Progress reported by every long operation in core; the extension and the CLI render it. */
export interface Progress {
  /** Units finished so far (files, pages, records…). */
  done: number;
  total?: number;
  unit: 'files' | 'pages' | 'bytes' | 'records';
  bytesDone?: number;
  bytesTotal?: number;
  /** Estimated milliseconds left, from measured throughput; absent until there is enough to measure. */
  etaMs?: number;
  /** What is being worked on now, e.g. a file's path. */
  current?: string;
}

export type ProgressCallback = (progress: Progress) => void;

export interface OperationOptions {
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

/**
 * Estimates time left from measured throughput, smoothed so one slow file does not swing the ETA.
 * Work is measured in any unit (bytes weigh files of very different sizes fairly).
 */
export class EtaEstimator {
  private rate: number | undefined; // units per ms, smoothed
  private lastDone = 0;
  private lastTime: number;
  private readonly startTime: number;

  constructor(
    private total: number,
    now: number = Date.now(),
    private readonly smoothing = 0.3,
  ) {
    this.lastTime = now;
    this.startTime = now;
  }

  setTotal(total: number): void {
    this.total = total;
  }

  /** Records that `done` units are finished at `now`; returns the ETA in ms, or undefined while unknown. */
  update(done: number, now: number = Date.now()): number | undefined {
    const dt = now - this.lastTime;
    const dd = done - this.lastDone;
    if (dt > 0 && dd >= 0) {
      const instant = dd / dt;
      this.rate = this.rate === undefined ? instant : this.smoothing * instant + (1 - this.smoothing) * this.rate;
      this.lastTime = now;
      this.lastDone = done;
    }
    return this.eta(done);
  }

  eta(done: number): number | undefined {
    if (done >= this.total) return 0;
    if (!this.rate || this.rate <= 0 || this.lastTime - this.startTime < 250) return undefined;
    return Math.round((this.total - done) / this.rate);
  }
}

/** "1 h 05 min", "3 min 20 s", "12 s" */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
