// The export stage's public surface (issue #11; docs/export.md).
export * from './types';
export * from './rows';
export { runExport, isValidExportName, checkExportRequest, type ExportRequest, type ExportResult } from './runExport';
export { exportInPool, verifyInPool, type PooledExportOptions } from './exportInPool';
export type { ExportTaskResult, VerifyTaskResult } from './exportTask';
export { verifyExportDir, verifyVersion, readExportManifest } from './verifyExport';
export { openExportSource, type ExportSource } from './exportSource';
export { FORMAT_WRITERS, EXPORT_FORMATS, formatWriter } from './formats';
export { listExports, listVersions, parseSemver, formatSemver, compareSemver, nextVersion, type Semver, type VersionChange } from './versions';
export { MANIFEST_FILE, CHANGELOG_FILE, type ExportManifest, type ExportParameters } from './manifest';
export { LINEAGE_FILE, type LineageLine } from './scan';
export { watchExport, watchRecords, recordsStateKey, type WatchOptions, type RecordsWatch } from './watch';
export { parseExportSchedule, latestScheduledRun, nextScheduledRun, isScheduledRunDue, type ExportSchedule, type ExportScheduleKind } from './schedule';
export { exportRequestFromConfig, type ExportFlags } from './exportConfig';
