import type { SourceEntry } from '../project/sources';

/**
 * The sources a run has still to start, in the order they run: higher priority first, then by path. Sorted once
 * (and again only when a priority changes or sources arrive), then taken from the front: taking the next source
 * costs O(1) amortised, not a filter and sort of everything left (issue #13: that made a run of n files cost
 * n² — 10,000 files spent most of their time choosing the next one).
 */
export class WorkQueue {
  private items: SourceEntry[] = [];
  private head = 0;
  /** Entries looked at by `take` (tests check it grows with the work, not with its square). */
  scanned = 0;

  constructor(
    private readonly priority: (path: string) => number,
    items: readonly SourceEntry[] = [],
  ) {
    this.add(items);
  }

  get size(): number {
    return this.items.length - this.head;
  }

  /** Adds sources (sources queued while the run went on) and re-sorts what is left. */
  add(items: readonly SourceEntry[]): void {
    this.items = this.items.slice(this.head).concat(items);
    this.head = 0;
    this.resort();
  }

  /** A priority changed: the order of what is left is worked out again. */
  resort(): void {
    const rest = this.items.slice(this.head);
    const keyed = rest.map((s) => ({ s, p: this.priority(s.path) }));
    keyed.sort((a, b) => b.p - a.p || (a.s.path < b.s.path ? -1 : a.s.path > b.s.path ? 1 : 0));
    this.items = keyed.map((k) => k.s);
    this.head = 0;
  }

  /** The next source to run that `skip` does not rule out; skipped ones are dropped (cancelled for this run). */
  take(skip: (s: SourceEntry) => boolean = () => false): SourceEntry | undefined {
    while (this.head < this.items.length) {
      const s = this.items[this.head++]!;
      this.scanned++;
      if (this.head > 4096 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      if (!skip(s)) return s;
    }
    return undefined;
  }

  /** Removes and returns every source left that matches. */
  drain(match: (s: SourceEntry) => boolean): SourceEntry[] {
    const rest = this.items.slice(this.head);
    this.items = rest.filter((s) => !match(s));
    this.head = 0;
    return rest.filter(match);
  }
}
