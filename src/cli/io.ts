import { formatBytes, formatDuration, isBrightRunError, toBrightRunError, type Progress } from '../core';

/** Where the CLI writes: real streams in production, buffers in tests. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal: progress bars are drawn only then. */
  interactive: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Asks a yes/no question on the terminal; absent when there is none to ask on (pipes, CI, tests). */
  confirm?(question: string): Promise<boolean>;
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

/**
 * Text for one line of terminal output: control characters (C0 including line breaks, DEL, C1) are shown escaped
 * as `\xNN`. Messages name files, and a file name is untrusted: one holding ESC sequences or a line break could
 * otherwise forge output lines or drive the terminal (docs/threat-model.md).
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** One problem on one line: `[code] message — remedy`, printable. */
export function problemLine(p: { code: string; message: string; remedy: string }): string {
  return printable(`[${p.code}] ${p.message} — ${p.remedy}`);
}

/** One line: what went wrong and what to do, e.g. `brightrun: [PROJECT_NOT_FOUND] No project … — Create one …` */
export function formatError(err: unknown): string {
  const e = isBrightRunError(err) ? err : toBrightRunError(err);
  return `brightrun: error ${problemLine(e)}`;
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
    // Bytes against a total when there is one (extraction); otherwise what was written so far (an export).
    const bytes = p.bytesTotal ? ` ${formatBytes(p.bytesDone ?? 0)}/${formatBytes(p.bytesTotal)}` : p.bytesDone ? ` · ${formatBytes(p.bytesDone)} written` : '';
    const step = p.current && p.unit === 'records' ? ` · ${p.current}` : '';
    this.io.err(`\r\x1b[2K${this.label} ${bar} ${Math.floor(fraction * 100)}% ${p.done}/${total} ${p.unit}${step}${bytes}${eta}`);
    this.drawn = true;
  }

  done(): void {
    if (this.drawn) this.io.err('\r\x1b[2K');
  }
}
