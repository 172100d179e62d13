/**
 * A sample of rendered records (the VS Code export panel, docs/export.md "Export panel"): the first N records of
 * one split, as each chosen format would write them. Nothing is re-implemented: each format's own writer
 * (formats/*, the FormatWriter of the registry) writes those records, with the options `runExport` would give it
 * (writerOptions), into a temporary folder, and the files are read back (previewRead.ts) — so a field mapping,
 * CSV delimiter and encoding, template, LLaMA-Factory style or Parquet schema shows exactly as exported.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BrightRunError, throwIfAborted, toBrightRunError } from '../errors';
import type { ProjectPaths } from '../project/paths';
import type { RecordKind, SplitName, TrainingRecord } from '../records/types';
import { openExportSource } from './exportSource';
import { formatWriter } from './formats';
import { readSampleFile, SAMPLE_MAX_CHARS, type SampleFile } from './previewRead';
import { chatFormatOf, writerOptions, type ExportRequest } from './runExport';
import type { ExportContext, ExportFormat } from './types';

/** Most records a sample renders (a sample is a look, not an export: the panel asks for 5). */
export const MAX_SAMPLE_RECORDS = 50;

export interface FormatSample {
  format: ExportFormat;
  /** Data files first (in the writer's order), then the format's other files (card, config, loader…). */
  files: SampleFile[];
  /** Why this format could not render the sample (bad options, a template error…), with its remedy. */
  error?: { code: string; message: string; remedy: string };
}

export interface ExportSample {
  split: SplitName;
  /** Records rendered (at most the limit; fewer when the split has fewer). */
  records: number;
  /** Ids of the records rendered, in order. */
  ids: string[];
  formats: FormatSample[];
}

export interface SampleOptions {
  /** Records to render (default 5, at most MAX_SAMPLE_RECORDS). */
  limit?: number;
  /** Records of the split per kind in the whole export (the preview's `kinds`): a template header's `count`. */
  counts?: Partial<Record<RecordKind, number>>;
  /** Cap of each file's text (default SAMPLE_MAX_CHARS). */
  maxChars?: number;
  signal?: AbortSignal;
}

/**
 * Renders the first `limit` records of `split` (records overlay applied, as exported) in every format of
 * `request`, each with its writer. Reads only those records (the split file is closed after them). A format
 * whose options are bad, or whose writer fails, gets an `error` and the others still render. Records of several
 * kinds are rendered per kind, into `<kind>/…` as runExport writes them. Throws INVALID_ARGUMENT without a
 * records build, or for an unknown format or a limit out of range; CANCELLED when `signal` aborts.
 */
export async function renderExportSample(project: { paths: Pick<ProjectPaths, 'root' | 'records' | 'dataDir'> }, request: ExportRequest, split: SplitName, options: SampleOptions = {}): Promise<ExportSample> {
  const limit = options.limit ?? 5;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SAMPLE_RECORDS) {
    throw new BrightRunError({ code: 'INVALID_ARGUMENT', message: `A sample of ${limit} records is not allowed.`, remedy: `Ask for 1 to ${MAX_SAMPLE_RECORDS} records.` });
  }
  const writers = [...new Set(request.formats)].map((f) => formatWriter(f));
  const source = await openExportSource(project.paths);
  const records: TrainingRecord[] = [];
  for await (const r of source.records(split)) {
    throwIfAborted(options.signal);
    records.push(r);
    if (records.length >= limit) break;
  }
  const byKind = new Map<RecordKind, TrainingRecord[]>();
  for (const r of records) byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), r]);
  const kinds = [...byKind.keys()].sort();
  const chatFormat = chatFormatOf(source.manifest);
  const formats: FormatSample[] = [];
  for (const writer of writers) {
    const sample: FormatSample = { format: writer.format, files: [] };
    formats.push(sample);
    if (!records.length) continue;
    for (const kind of kinds) {
      throwIfAborted(options.signal);
      const group = byKind.get(kind)!;
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'brightrun-sample-'));
      try {
        const ctx: ExportContext = {
          dir,
          splits: [split],
          counts: { train: 0, validation: 0, test: 0, [split]: options.counts?.[kind] ?? group.length },
          kind,
          ...(kinds.length > 1 ? { kinds: Object.fromEntries(kinds.map((k) => [k, { train: 0, validation: 0, test: 0, [split]: byKind.get(k)!.length }])) } : {}),
          lineageColumns: request.lineageColumns ?? false,
          ...(chatFormat ? { chatFormat } : {}),
          compression: request.compression ?? 'none',
          options: writerOptions(writer.format, request.options?.[writer.format] ?? {}, request.name, source.manifest, project.paths.root),
          records: (s) => listOf(s === split ? group : []),
          ...(options.signal ? { signal: options.signal } : {}),
        };
        const written = await writer.write(ctx);
        const ordered = [...written.filter((f) => f.split), ...written.filter((f) => !f.split)];
        for (const f of ordered) {
          const file = await readSampleFile(dir, f, options.maxChars ?? SAMPLE_MAX_CHARS);
          sample.files.push(kinds.length > 1 ? { ...file, path: `${kind}/${file.path}` } : file);
        }
      } catch (err) {
        const e = toBrightRunError(err);
        if (e.code === 'CANCELLED') throw e;
        sample.error = { code: e.code, message: e.message, remedy: e.remedy };
        sample.files = [];
        break;
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    }
  }
  return { split, records: records.length, ids: records.map((r) => r.id), formats };
}

async function* listOf<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}
