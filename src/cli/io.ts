import { formatBytes, formatDuration, isBrightRunError, toBrightRunError, type Progress } from '../core';

/** Where the CLI writes: real streams in production, buffers in tests. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal: progress bars are drawn only then. */
  interactive: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const;

export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

/** One line: what went wrong and what to do, e.g. `brightrun: [PROJECT_NOT_FOUND] No project … — Create one …` */
export function formatError(err: unknown): string {
  const e = isBrightRunError(err) ? err : toBrightRunError(err);
  return `brightrun: error [${e.code}] ${e.message} — ${e.remedy}`;
}

/** Draws a one-line progress bar on stderr, redrawn in place; a no-op when not on a terminal. */
export class ProgressLine {
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly io: CliIO,
    private readonly label: string,
  ) {}

  update(p: Progress): void {
    if (!this.io.interactive) return;
    const now = Date.now();
    if (now - this.lastDraw < 80 && p.done !== p.total) return;
    this.lastDraw = now;
    const total = p.total ?? 0;
    const fraction = p.bytesTotal ? (p.bytesDone ?? 0) / p.bytesTotal : total ? p.done / total : 0;
    const width = 24;
    const filled = Math.round(Math.min(1, fraction) * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const eta = p.etaMs !== undefined && p.done < total ? ` ETA ${formatDuration(p.etaMs)}` : '';
    const bytes = p.bytesTotal ? ` ${formatBytes(p.bytesDone ?? 0)}/${formatBytes(p.bytesTotal)}` : '';
    this.io.err(`\r\x1b[2K${this.label} ${bar} ${Math.floor(fraction * 100)}% ${p.done}/${total} ${p.unit}${bytes}${eta}`);
    this.drawn = true;
  }

  done(): void {
    if (this.drawn) this.io.err('\r\x1b[2K');
  }
}
