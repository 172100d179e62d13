import { throwIfAborted } from '../errors';
import { applyOverlay, FLAG_EDITED, type OverlayEntry, type RecordOverlay } from './overlay';
import { SPLITS } from './splits';
import type { RecordStore } from './store';
import type { SplitName } from './types';

/** Per-split figures of the current build as exported: exclusions left out, edited records with their new length. */
export interface OverlaidStats {
  splits: Record<SplitName, { records: number; tokens: number }>;
  excluded: number;
  edited: number;
  /** Overlay entries whose record is not in this build (kept, reported). */
  orphans: OverlayEntry[];
}

/**
 * Streams the current build through the overlay and counts what an export would hold. One record in memory at a
 * time plus the set of ids seen (to find orphaned entries). Cancellable between records.
 */
export async function overlaidStats(store: RecordStore, overlay: RecordOverlay, options: { signal?: AbortSignal } = {}): Promise<OverlaidStats> {
  const splits = Object.fromEntries(SPLITS.map((s) => [s, { records: 0, tokens: 0 }])) as OverlaidStats['splits'];
  const seen = new Set<string>();
  let edited = 0;
  for await (const r of applyOverlay(store.records(), overlay, { seen })) {
    throwIfAborted(options.signal);
    const s = splits[r.split ?? 'train'];
    s.records++;
    s.tokens += r.tokens ?? 0;
    if (r.flags?.includes(FLAG_EDITED)) edited++;
  }
  const orphans = overlay.orphans(seen);
  const excluded = overlay.entries().filter((e) => e.excluded && seen.has(e.id)).length;
  return { splits, excluded, edited, orphans };
}
