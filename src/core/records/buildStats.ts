import type { BuilderReport } from './documentRecords';
import { SPLITS } from './splits';
import { MAX_MANIFEST_PROBLEMS, type BuilderStats, type RecordProblem, type SplitStats } from './store';
import type { BuilderName, SplitName } from './types';

/** The figures of one build as it streams: per split, per builder, drops, and the problems builders reported. */
export class BuildTally {
  readonly splits: Record<SplitName, SplitStats> = Object.fromEntries(SPLITS.map((s) => [s, { records: 0, tokens: 0, documents: 0, overLength: { truncated: 0, dropped: 0 } }])) as Record<SplitName, SplitStats>;
  readonly builders: Partial<Record<BuilderName, BuilderStats>> = {};
  readonly dropped = { duplicates: 0, nearDuplicates: 0, tooShort: 0 };
  readonly problems: RecordProblem[] = [];
  problemsTotal = 0;

  constructor(keys: Partial<Record<BuilderName, string>>) {
    for (const [b, key] of Object.entries(keys) as Array<[BuilderName, string]>) {
      this.builders[b] = { paramsHash: key, records: 0, tokens: 0, documents: 0, dropped: { duplicates: 0, nearDuplicates: 0, tooShort: 0, overLength: 0 }, problems: 0 };
    }
  }

  private builder(b: BuilderName): BuilderStats {
    return (this.builders[b] ??= { paramsHash: '', records: 0, tokens: 0, documents: 0, dropped: { duplicates: 0, nearDuplicates: 0, tooShort: 0, overLength: 0 }, problems: 0 });
  }

  kept(b: BuilderName, split: SplitName, tokens: number): void {
    this.splits[split].records++;
    this.splits[split].tokens += tokens;
    const s = this.builder(b);
    s.records++;
    s.tokens += tokens;
  }

  duplicate(b: BuilderName): void {
    this.dropped.duplicates++;
    this.builder(b).dropped.duplicates++;
  }

  nearDuplicate(b: BuilderName): void {
    this.dropped.nearDuplicates++;
    const d = this.builder(b).dropped;
    d.nearDuplicates = (d.nearDuplicates ?? 0) + 1;
  }

  tooShort(b: BuilderName): void {
    this.dropped.tooShort++;
    this.builder(b).dropped.tooShort++;
  }

  overLength(b: BuilderName, split: SplitName, action: 'truncated' | 'dropped'): void {
    this.splits[split].overLength[action]++;
    if (action === 'dropped') this.builder(b).dropped.overLength++;
  }

  documentDone(split: SplitName, builders: ReadonlySet<BuilderName>): void {
    if (builders.size) this.splits[split].documents++;
    for (const b of builders) this.builder(b).documents++;
  }

  /** Counts and lists (up to MAX_MANIFEST_PROBLEMS) what a builder reported for one document. */
  report(sourcePath: string, r: BuilderReport): void {
    const add = (count: number, listed: RecordProblem[]) => {
      this.builder(r.builder).problems += count;
      this.problemsTotal += count;
      for (const p of listed) if (this.problems.length < MAX_MANIFEST_PROBLEMS) this.problems.push(p);
    };
    if (r.skippedCount) add(r.skippedCount, (r.skipped ?? []).map((x) => ({ builder: r.builder, sourcePath, row: x.row, reason: x.reason })));
    if (r.emptyCount) add(r.emptyCount, (r.empty ?? []).map((chunk) => ({ builder: r.builder, sourcePath, chunk, reason: 'the output rendered empty' })));
    if (r.failed?.length) add(r.failed.length, r.failed.map((f) => ({ builder: r.builder, sourcePath, chunk: f.chunk, reason: f.reason })));
  }
}
