import { BrightRunError } from '../errors';
import type { Project } from '../project/project';
import type { JournalLine, StatusChange } from '../project/sourceJournal';
import type { SourceEntry } from '../project/sources';

export type { StatusChange } from '../project/sourceJournal';

/**
 * Batches status changes into the project's status journal (one locked append per interval, not one write per
 * file, and never a rewrite of the whole list per batch: Project.appendSourceChanges). `close` compacts the
 * journal into sources.json, once per run.
 */
export class StatusWriter {
  private pending = new Map<string, { expectSha: string; change: StatusChange }>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  /** `beforeFlush` runs before each batch is written: it makes the batch's documents durable first. */
  constructor(
    private readonly project: Project,
    private readonly intervalMs: number,
    private readonly beforeFlush: () => Promise<void> = async () => undefined,
  ) {}

  set(source: SourceEntry, change: StatusChange): void {
    const prior = this.pending.get(source.path);
    this.pending.set(source.path, { expectSha: prior?.expectSha ?? source.sha256, change });
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flushing.then(() => this.flush());
    }, this.intervalMs);
  }

  /** Writes what is pending now (a caller that must know its changes are on disk, e.g. before a batch is acknowledged). */
  flushNow(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing = this.flushing.then(() => this.flush());
    return this.flushing;
  }

  async close(): Promise<void> {
    await this.flushNow();
    await this.project.compactSources().catch((err: unknown) => {
      if (!(err instanceof BrightRunError)) throw err; // lock held too long: the journal stays, readers apply it
    });
  }

  private async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const at = new Date().toISOString();
    const lines: JournalLine[] = [...batch].map(([path, p]) => ({ path, expect: p.expectSha, at, change: p.change }));
    try {
      await this.beforeFlush();
      await this.project.appendSourceChanges(lines);
    } catch (err) {
      // Could not write (lock held too long, disk full): keep the changes for the next flush.
      for (const [k, v] of batch) if (!this.pending.has(k)) this.pending.set(k, v);
      if (!(err instanceof BrightRunError)) throw err;
    }
  }
}
