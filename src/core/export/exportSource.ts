import { BrightRunError } from '../errors';
import type { ProjectPaths } from '../project/paths';
import { applyOverlay, overlayFile, readOverlay } from '../records/overlay';
import { RecordStore, type RecordsManifest } from '../records/store';
import type { SplitName, TrainingRecord } from '../records/types';

/** The records an export reads: the current records build, with the project's edits and exclusions applied. */
export interface ExportSource {
  manifest: RecordsManifest;
  /** Records of one split, in store order. */
  records(split: SplitName): AsyncIterable<TrainingRecord>;
  /** The build id now current (to detect a records build that switched during an export). */
  currentBuild(): Promise<string | undefined>;
}

/**
 * Opens the records of a project for export. This is the ONE place export reads records: the records overlay
 * (edits and exclusions, src/core/records/overlay.ts) is applied here, so every writer, the lineage file and the
 * changelog see the same records: excluded records are left out, edited ones carry their edit. The overlay is read
 * once, when the source opens. Throws INVALID_ARGUMENT when no records were built yet, and STATE_CORRUPT (naming the
 * line) when the overlay file is damaged, so an export never silently ignores the user's exclusions.
 */
export async function openExportSource(paths: Pick<ProjectPaths, 'records' | 'dataDir'>): Promise<ExportSource> {
  const store = new RecordStore(paths.records);
  const manifest = await store.readManifest();
  if (!manifest) {
    throw new BrightRunError({ code: 'INVALID_ARGUMENT', file: paths.records, message: 'No records have been built in this project yet, so there is nothing to export.', remedy: 'Run "brightrun records build" (after "brightrun extract"), then export.' });
  }
  const overlay = await readOverlay(overlayFile(paths.dataDir));
  return {
    manifest,
    records: (split) => applyOverlay(store.records(split), overlay),
    currentBuild: async () => (await store.readManifest())?.build,
  };
}
