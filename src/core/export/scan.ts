import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { throwIfAborted } from '../errors';
import type { RecordKind, SplitName, TrainingRecord } from '../records/types';
import { FileSink, readDataLines } from './formats/fileSink';
import { LanguageTally, type LanguageFigure } from './languages';
import { naturalRow } from './rows';
import type { WrittenFile } from './types';

export const SPLITS: readonly SplitName[] = ['train', 'validation', 'test'];
export const LINEAGE_FILE = 'lineage.jsonl';
/** Ids listed per kind of change in CHANGELOG.md; the full lists are the difference of the two lineage files. */
export const CHANGELOG_ID_LIMIT = 50;

/** One line of lineage.jsonl (docs/export.md). */
export interface LineageLine {
  id: string;
  split: SplitName;
  kind: RecordKind;
  /** First 16 hex digits of sha256 of `{split, row}` (the natural row without lineage): what "changed" compares. */
  content_sha256: string;
  source_path: string;
  document_sha256: string;
  page: number | null;
  slide: number | null;
  span_start: number;
  span_end: number;
}

export interface RecordDiff {
  added: number;
  removed: number;
  changed: number;
  /** Up to CHANGELOG_ID_LIMIT ids of each, in record order (removed: in the previous version's order). */
  addedIds: string[];
  removedIds: string[];
  changedIds: string[];
}

/** Token-length distribution (records with a token count only), in the records' tokenizer. */
export interface TokenStats {
  records: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  /** Records per power-of-two bucket: `{"≤64": n, "≤128": n, …}` (upper bounds, inclusive). */
  histogram: Record<string, number>;
}

export interface ScanResult {
  counts: Record<SplitName, number>;
  /** Records per kind and split, kinds present only. */
  byKind: Partial<Record<RecordKind, Record<SplitName, number>>>;
  total: number;
  /** documentId → source path, of every document with a record. */
  documents: Map<string, string>;
  tokens: TokenStats;
  flags: Record<string, number>;
  diff: RecordDiff;
  lineage: WrittenFile;
  /** Records and tokens per detected language (languages.ts: one detection per source document). */
  languages: LanguageFigure[];
}

/** sha256 (16 hex digits) of a record's content and split. */
export function contentHash(record: TrainingRecord): string {
  return createHash('sha256')
    .update(JSON.stringify({ split: record.split, row: naturalRow(record, false) }))
    .digest('hex')
    .slice(0, 16);
}

/**
 * The export's first pass over the records: writes `lineage.jsonl` (always, one line per record) into `dir`,
 * counts records per split and kind, collects source documents, token lengths and flags, and compares every
 * record with the previous version's index (`previous`: id → content hash; consumed), and tallies languages per
 * source document (languages.ts). Memory: 4 bytes per record for token lengths, plus the previous index, plus one
 * entry per document (≤ 2,000 characters while its language is pending).
 */
export async function scanRecords(
  dir: string,
  records: (split: SplitName) => AsyncIterable<TrainingRecord>,
  previous: Map<string, string> | undefined,
  opts: { signal?: AbortSignal; onRecord?: (done: number) => void },
): Promise<ScanResult> {
  const sink = await FileSink.open(path.join(dir, LINEAGE_FILE), { signal: opts.signal });
  const counts: Record<SplitName, number> = { train: 0, validation: 0, test: 0 };
  const byKind: ScanResult['byKind'] = {};
  const documents = new Map<string, string>();
  const flags: Record<string, number> = {};
  const diff: RecordDiff = { added: 0, removed: 0, changed: 0, addedIds: [], removedIds: [], changedIds: [] };
  let tokens = new Uint32Array(1024);
  let tokenCount = 0;
  let total = 0;
  const languages = await LanguageTally.create();
  try {
    for (const split of SPLITS) {
      for await (const r of records(split)) {
        throwIfAborted(opts.signal);
        counts[split]++;
        (byKind[r.kind] ??= { train: 0, validation: 0, test: 0 })[split]++;
        total++;
        const l = r.lineage;
        if (!documents.has(l.documentId)) documents.set(l.documentId, l.sourcePath);
        if (r.tokens !== undefined) {
          if (tokenCount === tokens.length) {
            const grown = new Uint32Array(tokens.length * 2);
            grown.set(tokens);
            tokens = grown;
          }
          tokens[tokenCount++] = r.tokens;
        }
        for (const f of r.flags ?? []) flags[f] = (flags[f] ?? 0) + 1;
        languages.add(r);
        const hash = contentHash({ ...r, split });
        const before = previous?.get(r.id);
        if (before === undefined) {
          diff.added++;
          if (diff.addedIds.length < CHANGELOG_ID_LIMIT) diff.addedIds.push(r.id);
        } else {
          previous!.delete(r.id);
          if (before !== hash) {
            diff.changed++;
            if (diff.changedIds.length < CHANGELOG_ID_LIMIT) diff.changedIds.push(r.id);
          }
        }
        const line: LineageLine = { id: r.id, split, kind: r.kind, content_sha256: hash, source_path: l.sourcePath, document_sha256: l.documentId, page: l.page ?? null, slide: l.slide ?? null, span_start: l.span.start, span_end: l.span.end };
        await sink.write(JSON.stringify(line) + '\n');
        if ((total & 1023) === 0) opts.onRecord?.(total);
      }
    }
    const { bytes, sha256 } = await sink.close();
    for (const id of previous?.keys() ?? []) {
      diff.removed++;
      if (diff.removedIds.length < CHANGELOG_ID_LIMIT) diff.removedIds.push(id);
    }
    opts.onRecord?.(total);
    return { counts, byKind, total, documents, tokens: tokenStats(tokens.subarray(0, tokenCount)), flags, diff, lineage: { path: LINEAGE_FILE, format: 'version', bytes, sha256, records: total }, languages: languages.result() };
  } catch (err) {
    await sink.discard();
    throw err;
  }
}

function tokenStats(values: Uint32Array): TokenStats {
  if (!values.length) return { records: 0, min: 0, max: 0, mean: 0, p50: 0, p90: 0, p99: 0, histogram: {} };
  const sorted = Uint32Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const histogram: Record<string, number> = {};
  let sum = 0;
  for (const v of sorted) {
    sum += v;
    let bound = 64;
    while (bound < v) bound *= 2;
    histogram[`≤${bound}`] = (histogram[`≤${bound}`] ?? 0) + 1;
  }
  return { records: sorted.length, min: sorted[0]!, max: sorted[sorted.length - 1]!, mean: Math.round((sum / sorted.length) * 10) / 10, p50: at(0.5), p90: at(0.9), p99: at(0.99), histogram };
}

/** The previous version's index (id → content hash) from its lineage.jsonl; undefined when it has none. */
export async function readLineageIndex(versionDir: string, signal?: AbortSignal): Promise<Map<string, string> | undefined> {
  const index = new Map<string, string>();
  try {
    for await (const line of readDataLines(path.join(versionDir, LINEAGE_FILE), signal)) {
      const l = JSON.parse(line) as Pick<LineageLine, 'id' | 'content_sha256'>;
      index.set(l.id, l.content_sha256);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return index;
}
