import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { throwIfAborted } from '../../errors';
import type { SplitName } from '../../records/types';
import { naturalRow } from '../rows';
import type { FormatWriter, VerifyFinding, WrittenFile } from '../types';
import { CardStats, cardInfo, datasetCard, parseCardHeader, type CardSplit } from './datasetCard';
import { ProgressCounter, dataFile, writeSmallFile } from './fileSink';
import { JsonlStream, readJsonl } from './jsonlFile';
import { choiceOption, intOption } from './options';
import { ParquetFileStream, parquetColumns, parquetRow } from './parquetFile';
import { parquetSettings } from './parquet';
import { verifyParquetFile } from './parquetVerify';

/**
 * The Hugging Face datasets layout (issue #11), in `hf/` of the version folder (the folder a Hub upload sends):
 *
 *     hf/README.md                                  dataset card (datasetCard.ts)
 *     hf/data/{split}-{i:05d}-of-{n:05d}.parquet    the `push_to_hub` naming (or .jsonl with `files: "jsonl"`)
 *
 * Shards are cut by size: a shard is closed once it reaches `shardBytes` (default 500 MB, the `max_shard_size`
 * default of `datasets`' `push_to_hub`), checked after each row group (Parquet) or line (JSONL), so a shard
 * may exceed it by one row group. The shard count is known only at the end of a split, so shards are written
 * under temporary names (`data/{split}.part{i}.tmp`) and renamed to their final names when the split is done
 * (a rename keeps the sha256). Split names train / validation / test match the Hub's split keywords
 * (datasets/data_files.py), and the card's `configs` maps each split to its files explicitly anyway.
 */
export const HF_DIR = 'hf';
export const DEFAULT_SHARD_BYTES = 500_000_000;

type Shard = { add(row: Record<string, unknown>): Promise<unknown> | undefined; readonly bytes: number; readonly rows: number; close(): Promise<{ bytes: number; sha256: string; uncompressedBytes?: number }>; discard(): Promise<void> };

export function shardName(split: SplitName, index: number, count: number, ext: string): string {
  const pad = (n: number) => String(n).padStart(5, '0');
  return `data/${split}-${pad(index)}-of-${pad(count)}.${ext}`;
}

export const hfLayoutFormat: FormatWriter = {
  format: 'hf',
  async write(ctx) {
    const files = choiceOption(ctx.options, 'files', ['parquet', 'jsonl'] as const, 'parquet');
    const shardBytes = intOption(ctx.options, 'shardBytes', DEFAULT_SHARD_BYTES, 1024);
    const settings = parquetSettings(ctx.options);
    const columns = parquetColumns(ctx.kind, ctx.lineageColumns);
    const root = path.join(ctx.dir, HF_DIR);
    const progress = new ProgressCounter(ctx.onProgress);
    const stats = new CardStats();
    const written: WrittenFile[] = [];
    const cardSplits: CardSplit[] = [];
    const open = async (file: string): Promise<Shard> => (files === 'parquet' ? ParquetFileStream.open(file, columns, settings, { 'brightrun.kind': ctx.kind }) : JsonlStream.open(file));
    for (const split of ctx.splits) {
      const parts: { tmp: string; rows: number; bytes: number; sha256: string; uncompressed: number }[] = [];
      let shard: Shard | undefined;
      const closeShard = async () => {
        const tmp = path.join(root, 'data', `${split}.part${parts.length}.tmp`);
        const done = await shard!.close();
        parts.push({ tmp, rows: shard!.rows, bytes: done.bytes, sha256: done.sha256, uncompressed: done.uncompressedBytes ?? done.bytes });
        shard = undefined;
      };
      try {
        for await (const record of ctx.records(split)) {
          throwIfAborted(ctx.signal);
          shard ??= await open(path.join(root, 'data', `${split}.part${parts.length}.tmp`));
          const before = shard.bytes;
          const writing = shard.add(files === 'parquet' ? parquetRow(record, columns, ctx.lineageColumns) : (naturalRow(record, ctx.lineageColumns) as unknown as Record<string, unknown>));
          if (writing) await writing;
          stats.add(record);
          progress.record(shard.bytes - before);
          if (shard.bytes >= shardBytes) await closeShard();
        }
        // A split always has a file, even an empty one, so its glob matches.
        if (shard || parts.length === 0) {
          shard ??= await open(path.join(root, 'data', `${split}.part${parts.length}.tmp`));
          await closeShard();
        }
      } catch (err) {
        await shard?.discard();
        throw err;
      }
      for (let i = 0; i < parts.length; i++) {
        const rel = `${HF_DIR}/${shardName(split, i, parts.length, files)}`;
        await fs.rename(parts[i].tmp, path.join(ctx.dir, rel));
        written.push(dataFile(rel, 'hf', parts[i], parts[i].rows, split));
      }
      cardSplits.push({ name: split, numExamples: parts.reduce((n, p) => n + p.rows, 0), numBytes: parts.reduce((n, p) => n + p.uncompressed, 0), glob: `data/${split}-*.${files}` });
    }
    const downloadSize = written.reduce((n, f) => n + f.bytes, 0);
    const card = datasetCard({ kind: ctx.kind, columns, splits: cardSplits, downloadSize, info: cardInfo(ctx.options), stats });
    written.push(await writeSmallFile(ctx.dir, `${HF_DIR}/README.md`, card, 'hf'));
    progress.report();
    return written;
  },

  async verify(dir, files, signal) {
    const findings: VerifyFinding[] = [];
    const cardPath = `${HF_DIR}/README.md`;
    let header: Record<string, unknown> | undefined;
    try {
      header = parseCardHeader(await fs.readFile(path.join(dir, cardPath), 'utf8'));
      if (!header) findings.push({ severity: 'error', file: cardPath, message: 'has no YAML header (--- … ---)' });
    } catch (err) {
      findings.push({ severity: 'error', file: cardPath, message: `cannot be read or its YAML does not parse: ${(err as Error).message}` });
    }
    const dataFiles = files.filter((f) => f.split !== undefined);
    if (header) findings.push(...checkCardAgainstFiles(header, dataFiles, cardPath));
    const features = (header?.dataset_info as { features?: { name: string }[] } | undefined)?.features?.map((f) => f.name);
    for (const file of dataFiles) {
      if (file.path.endsWith('.parquet')) findings.push(...(await verifyParquetFile(dir, file, features, signal)));
      else findings.push(...(await verifyJsonlFile(dir, file, features, signal)));
    }
    return findings;
  },
};

/**
 * The card against the files: every split's glob (relative to `hf/`) matches exactly that split's files, and
 * `dataset_info.splits` counts agree with the manifest's record counts.
 */
export function checkCardAgainstFiles(header: Record<string, unknown>, dataFiles: readonly WrittenFile[], cardPath: string): VerifyFinding[] {
  const findings: VerifyFinding[] = [];
  const err = (message: string) => findings.push({ severity: 'error', file: cardPath, message });
  const configs = header.configs as { data_files?: { split: string; path: string }[] }[] | undefined;
  const entries = configs?.[0]?.data_files ?? [];
  if (!entries.length) err('has no configs[0].data_files');
  const rel = (f: WrittenFile) => f.path.slice(HF_DIR.length + 1);
  for (const { split, path: glob } of entries) {
    const re = globRegExp(glob);
    const matched = dataFiles.filter((f) => re.test(rel(f)));
    const expected = dataFiles.filter((f) => f.split === split);
    if (!matched.length) err(`data_files glob "${glob}" (split ${split}) matches no file`);
    else if (matched.some((f) => f.split !== split) || matched.length !== expected.length) err(`data_files glob "${glob}" matches [${matched.map(rel).join(', ')}], split ${split} has [${expected.map(rel).join(', ')}]`);
  }
  const info = header.dataset_info as { splits?: { name: string; num_examples: number }[] } | undefined;
  for (const s of info?.splits ?? []) {
    const records = dataFiles.filter((f) => f.split === s.name).reduce((n, f) => n + (f.records ?? 0), 0);
    if (records !== s.num_examples) err(`dataset_info says split ${s.name} has ${s.num_examples} examples, its files hold ${records}`);
  }
  return findings;
}

/** A `datasets` data_files glob as a RegExp: `*` and `?` stay within one path segment, `**` crosses them. */
export function globRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

async function verifyJsonlFile(dir: string, file: WrittenFile, features: readonly string[] | undefined, signal?: AbortSignal): Promise<VerifyFinding[]> {
  const findings: VerifyFinding[] = [];
  try {
    const lines = await readJsonl(path.join(dir, file.path), (value, line) => {
      const keys = Object.keys(value as object);
      if (features && keys.join(',') !== features.join(',') && findings.length < 5) findings.push({ severity: 'error', file: file.path, message: `line ${line} has fields [${keys.join(', ')}], the card's features are [${features.join(', ')}]` });
    }, signal);
    if (file.records !== undefined && lines !== file.records) findings.push({ severity: 'error', file: file.path, message: `holds ${lines} lines, the manifest says ${file.records}` });
  } catch (err) {
    if (signal?.aborted) throw err;
    findings.push({ severity: 'error', file: file.path, message: `cannot be read: ${(err as Error).message}` });
  }
  return findings;
}

