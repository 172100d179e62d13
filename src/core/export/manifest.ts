import type { RecordKind, SplitName } from '../records/types';
import type { LanguageFigure } from './languages';
import type { RecordDiff, TokenStats } from './scan';
import type { ExportFormat, StreamCompression, WrittenFile } from './types';

export const MANIFEST_FILE = 'manifest.json';
export const CHANGELOG_FILE = 'CHANGELOG.md';
export const EXPORT_MANIFEST_VERSION = 1;

/** What an export run was asked to do: part of the version's identity. */
export interface ExportParameters {
  formats: ExportFormat[];
  compression: StreamCompression;
  lineageColumns: boolean;
  /** Per-format options as given (defaults not filled in), keys sorted. */
  options: Partial<Record<ExportFormat, Record<string, unknown>>>;
  /** Present when records.chatFormat is "sharegpt": chat rows of JSONL, JSON and CSV are `conversations`. */
  chatFormat?: 'sharegpt';
  /**
   * sha256 of the files the options name (`template.recordFile`, `headerFile`, `footerFile`,
   * `llama-factory.datasetInfo`), by `<format>.<option>`: an edited template file changes the export like an
   * edited inline template. Present when any is used.
   */
  inputFiles?: Record<string, string>;
}

/**
 * `exports/<name>/<version>/manifest.json` (docs/export.md). Holds no clock time: the same inputs and parameters
 * give the same bytes (the date of the data is `records.builtAt`, an input).
 */
export interface ExportManifest {
  formatVersion: typeof EXPORT_MANIFEST_VERSION;
  name: string;
  version: string;
  previous: string | null;
  /** `tokenizerSource`: the tokenizer's vocabulary and package version (absent in manifests written before it was recorded). */
  tool: { name: 'brightrun'; version: string; extractorVersion: string; tokenizer: string | null; tokenizerSource?: string };
  records: { build: string; builtAt: string; builders: string[]; settingsHash: string; total: number; splits: Record<SplitName, number>; kinds: Partial<Record<RecordKind, Record<SplitName, number>>> };
  parameters: ExportParameters;
  /** sha256 (16 hex) of the schema: record kinds, columns and the options that shape rows. A change is a major version. */
  schemaHash: string;
  /** Every file of the version except manifest.json, sorted by path: sizes and sha256 of the bytes as written. */
  files: WrittenFile[];
  /** Source documents with at least one record, sorted by path. */
  sources: { path: string; sha256: string }[];
  quality: {
    tokens: TokenStats;
    /** From the records build: exact duplicates and too-short records dropped, over-length records per split. */
    duplicatesDropped: number;
    tooShortDropped: number;
    overLength: Record<SplitName, { truncated: number; dropped: number }>;
    flags: Record<string, number>;
    /**
     * Records and tokens per detected language, most records first (languages.ts: eld on the first 2,000
     * characters of each source document's records; `und` when undetermined). Versions written before languages
     * were detected hold `[]`.
     */
    languages: LanguageFigure[];
  };
  changes: {
    records: Omit<RecordDiff, 'addedIds' | 'removedIds' | 'changedIds'>;
    sourcesAdded: number;
    sourcesRemoved: number;
    /** Sources present in both versions under the same path with other bytes (absent in manifests before it was counted). */
    sourcesChanged?: number;
    parametersChanged: string[];
    schemaChanged: boolean;
    /** Version folders skipped as the previous version (no readable manifest), and why; absent when none. */
    skippedVersions?: string[];
    /** The previous version's files no longer match its manifest (the first problem): this version replaces it. */
    previousDamaged?: string;
  };
}

/** JSON with object keys sorted at every level (stable bytes for hashing and for manifest.json). */
export function canonicalJson(value: unknown, indent?: number): string {
  return JSON.stringify(sortKeys(value), null, indent);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
