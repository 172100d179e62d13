import { BrightRunError, type ErrorInfo } from '../errors';
import type { Project } from '../project/project';
import type { ExtractionSummary, SourceEntry, SourceStatus } from '../project/sources';

export interface StatusChange {
  status: SourceStatus;
  extracted?: ExtractionSummary;
  sha256?: string;
  size?: number;
  error?: ErrorInfo;
  /** With `extracting`: the attempt this is (SourceEntry.attempts). */
  attempts?: number;
}

/** Batches status changes into sources.json (one locked write per interval, not one per file). */
export class StatusWriter {
  private pending = new Map<string, { expectSha: string; change: StatusChange }>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly project: Project,
    private readonly intervalMs: number,
  ) {}

  set(source: SourceEntry, change: StatusChange): void {
    const prior = this.pending.get(source.path);
    this.pending.set(source.path, { expectSha: prior?.expectSha ?? source.sha256, change });
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flushing.then(() => this.flush());
    }, this.intervalMs);
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const now = new Date().toISOString();
    try {
      await this.project.updateSources((sources) => ({
        sources: sources.map((s) => {
          const p = batch.get(s.path);
          if (!p || s.sha256 !== p.expectSha) return s; // re-added with other bytes meanwhile: leave it queued
          const { error: _old, extracted: oldSummary, attempts: _attempts, ...rest } = s;
          const extracted = p.change.status === 'done' ? (p.change.extracted ?? oldSummary) : p.change.status === 'extracting' ? oldSummary : undefined;
          return {
            ...rest,
            status: p.change.status,
            sha256: p.change.sha256 ?? s.sha256,
            size: p.change.size ?? s.size,
            updatedAt: now,
            ...(p.change.error ? { error: p.change.error } : {}),
            ...(p.change.status === 'extracting' && p.change.attempts ? { attempts: p.change.attempts } : {}),
            ...(extracted ? { extracted } : {}),
          };
        }),
        result: undefined,
      }));
    } catch (err) {
      // Could not write (lock held too long, disk full): keep the changes for the next flush.
      for (const [k, v] of batch) if (!this.pending.has(k)) this.pending.set(k, v);
      if (!(err instanceof BrightRunError)) throw err;
    }
  }
}
