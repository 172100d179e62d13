/**
 * The export stage's contracts (issue #11): format writers stream records of each split into files of one
 * version folder, then re-read what they wrote. The runner (versions, manifest, changelog, atomic publish) and
 * every format writer meet only here, so formats are added without touching the runner.
 */
import type { RecordKind, SplitName, TrainingRecord } from '../records/types';

/** Format names as the CLI (`--formats`) and brightrun.json `export.formats` spell them. */
export type ExportFormat = 'hf' | 'json' | 'jsonl' | 'csv' | 'parquet' | 'tfrecord' | 'pytorch' | 'llama-factory' | 'axolotl' | 'template';

/** Stream compression for text and record formats (Parquet has its own codecs: ParquetCodec). */
export type StreamCompression = 'none' | 'gzip';

export type ParquetCodec = 'snappy' | 'gzip' | 'brotli' | 'zstd' | 'uncompressed';

/** One file a writer produced, as the manifest lists it. Paths are relative to the version folder, with '/'. */
export interface WrittenFile {
  path: string;
  /** The writing format; 'version' for the runner's own files (lineage.jsonl, CHANGELOG.md). */
  format: ExportFormat | 'version';
  /** Size and sha256 (hex) of the bytes as written (after compression). */
  bytes: number;
  sha256: string;
  /** Records in the file (data files); absent for cards, scripts and config fragments. */
  records?: number;
  split?: SplitName;
  /**
   * Records of the split this file's format leaves out by the format's own rules (LLaMA-Factory: a completion
   * record with an empty text, a chat without a user → assistant exchange, which its loader would drop). Counted in
   * the manifest and checked by verify (records + omitted = the build's count), never silent. Absent when none.
   */
  omitted?: number;
  /**
   * Settings a reader needs to read the file back, as plain values (CSV: delimiter, quote, encoding, header,
   * columns). Kept in the manifest so `brightrun export verify` re-reads any export. Optional (added by the runner's
   * issue-#11 round; writers that need nothing leave it out).
   */
  details?: Readonly<Record<string, string | number | boolean>>;
  /**
   * Mixed record kinds only: the kind of the file's records. Set by the runner for files in the kind's sub-folder
   * (the path then starts with `<kind>/`), or by a writer with `mixedKinds` (hf: `hf/data/<kind>/…`).
   */
  kind?: RecordKind;
}

/** Progress of a writer, cumulative within its run. */
export interface ExportProgress {
  records: number;
  bytes: number;
}

/** What a format writer gets. */
export interface ExportContext {
  /** The version folder being written (a temporary folder until the runner publishes it). */
  dir: string;
  /** Splits with at least one record, in train / validation / test order. */
  splits: readonly SplitName[];
  /** Records of one split, edits and exclusions (the records overlay) already applied, streamed. */
  records(split: SplitName): AsyncIterable<TrainingRecord>;
  /** Record count per split (known before writing, for shard counts and ETA). */
  counts: Readonly<Record<SplitName, number>>;
  /** The one record kind of the dataset, or 'mixed' (only for a writer with `mixedKinds`). */
  kind: RecordKind | 'mixed';
  /**
   * Record counts per kind present and split, for a build of several kinds: with kind 'mixed' (a writer with
   * `mixedKinds`; `records(split)` yields every kind), and with one kind when the runner writes a mixed build kind by
   * kind, so the writer knows the others (json: a field mapping names the columns of all of them; formats/perKind.ts).
   */
  kinds?: Readonly<Partial<Record<RecordKind, Readonly<Record<SplitName, number>>>>>;
  /** Shape of chat records in free-form rows (JSONL, JSON, CSV): brightrun.json `records.chatFormat` (default openai). */
  chatFormat?: 'openai' | 'sharegpt';
  /** Add lineage columns (source path, page, span) to data rows; lineage.jsonl is always written by the runner. */
  lineageColumns: boolean;
  compression: StreamCompression;
  /** Format-specific options, from the `<format>` object of a brightrun.json export profile (`exports[]`), schema-validated. */
  options: Readonly<Record<string, unknown>>;
  signal?: AbortSignal;
  onProgress?: (progress: ExportProgress) => void;
}

/** A finding of verification: an error stops the version from being published. */
export interface VerifyFinding {
  severity: 'error' | 'warning';
  file: string;
  message: string;
}

/** A format: writes its files, and checks them with readers that need no dev dependency. */
export interface FormatWriter {
  readonly format: ExportFormat;
  /**
   * Writes a build of several record kinds in one call (ctx.kind 'mixed', ctx.kinds), setting `kind` on its data
   * files, which stay in its own folder (hf: one repository with a config per kind). Other writers are called once
   * per kind, into a sub-folder named after it (docs/export.md).
   */
  readonly mixedKinds?: boolean;
  write(ctx: ExportContext): Promise<WrittenFile[]>;
  verify(dir: string, files: readonly WrittenFile[], signal?: AbortSignal): Promise<VerifyFinding[]>;
}
