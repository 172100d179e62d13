/**
 * What an export would hold, before it runs (the VS Code export panel, docs/export.md "Export panel"): record and
 * token counts per split and per kind of the current records build with the records overlay applied — the same
 * records `runExport` reads (exportSource.ts), so the counts are the ones the manifest will show.
 */
import { throwIfAborted } from '../errors';
import type { ProgressCallback } from '../progress';
import type { ProjectPaths } from '../project/paths';
import { FLAG_EDITED } from '../records/overlay';
import type { RecordKind, SplitName, TrainingRecord } from '../records/types';
import { openExportSource } from './exportSource';
import { SPLITS } from './scan';

/** One split as an export would write it. */
export interface SplitPreview {
  records: number;
  /** Sum of the records' `tokens` (the records build's tokenizer; an edit's own count when it was counted). */
  tokens: number;
  /** Records per kind; a kind with none is absent. */
  kinds: Partial<Record<RecordKind, number>>;
}

export interface ExportPreview {
  /** The records build counted (RecordsManifest.build) and when it was built. */
  build: string;
  builtAt: string;
  splits: Record<SplitName, SplitPreview>;
  /** Records exported, all splits. */
  total: number;
  /** Records of the build left out by the overlay (excluded by the user). */
  excluded: number;
  /** Exported records that carry an edit. */
  edited: number;
  /** Kinds present, sorted; more than one means one sub-folder per kind in the export (runExport). */
  kinds: RecordKind[];
}

/**
 * Counts records as they stream past (pure: no I/O). `add` takes each record after the overlay, with its split;
 * `result` gives the figures, `excluded` being the build's record count (RecordsManifest splits) less those added.
 */
export class SplitTally {
  private readonly splits = Object.fromEntries(SPLITS.map((s) => [s, { records: 0, tokens: 0, kinds: {} }])) as Record<SplitName, SplitPreview>;
  private edited = 0;

  add(record: Pick<TrainingRecord, 'kind' | 'tokens' | 'flags'>, split: SplitName): void {
    const s = this.splits[split];
    s.records++;
    s.tokens += record.tokens ?? 0;
    s.kinds[record.kind] = (s.kinds[record.kind] ?? 0) + 1;
    if (record.flags?.includes(FLAG_EDITED)) this.edited++;
  }

  result(build: { build: string; builtAt: string; splits: Record<SplitName, { records: number }> }): ExportPreview {
    const total = SPLITS.reduce((n, s) => n + this.splits[s].records, 0);
    const built = SPLITS.reduce((n, s) => n + build.splits[s].records, 0);
    const kinds = [...new Set(SPLITS.flatMap((s) => Object.keys(this.splits[s].kinds) as RecordKind[]))].sort();
    return { build: build.build, builtAt: build.builtAt, splits: structuredClone(this.splits), total, excluded: Math.max(0, built - total), edited: this.edited, kinds };
  }
}

/** Records between two progress reports and two yields to the event loop (a panel's host thread stays responsive). */
const YIELD_EVERY = 2000;

/**
 * Streams the current build through the overlay (one record in memory at a time) and tallies it per split.
 * Progress in records (total: the build's count before exclusions). Cancellable between records. Throws
 * INVALID_ARGUMENT when no records were built, STATE_CORRUPT for a damaged overlay (as an export would).
 */
export async function previewExport(paths: Pick<ProjectPaths, 'records' | 'dataDir'>, options: { signal?: AbortSignal; onProgress?: ProgressCallback } = {}): Promise<ExportPreview> {
  const source = await openExportSource(paths);
  const m = source.manifest;
  const total = SPLITS.reduce((n, s) => n + m.splits[s].records, 0);
  const tally = new SplitTally();
  let seen = 0;
  for (const split of SPLITS) {
    for await (const record of source.records(split)) {
      tally.add(record, split);
      if (++seen % YIELD_EVERY === 0) {
        throwIfAborted(options.signal);
        options.onProgress?.({ done: seen, total, unit: 'records' });
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }
  throwIfAborted(options.signal);
  options.onProgress?.({ done: seen, total, unit: 'records' });
  return tally.result(m);
}
