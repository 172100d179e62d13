import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BrightRunError, throwIfAborted } from '../../errors';
import type { RecordKind, SplitName, TrainingRecord } from '../../records/types';
import { naturalRow } from '../rows';
import type { ExportContext, FormatWriter, WrittenFile } from '../types';
import { CardStats, cardInfo, datasetCard, type CardConfig, type CardSplit } from './datasetCard';
import { ProgressCounter, dataFile, writeSmallFile } from './fileSink';
import { HF_DIR, verifyHfLayout } from './hfVerify';
import { JsonlStream } from './jsonlFile';
import { choiceOption, intOption } from './options';
import { ParquetFileStream, parquetColumns, parquetRow, type ParquetSettings } from './parquetFile';
import { parquetSettings } from './parquet';

export { checkCardAgainstFiles, globRegExp, HF_DIR } from './hfVerify';

/**
 * The Hugging Face datasets layout (issue #11), in `hf/` of the version folder (the folder a Hub upload sends):
 *
 *     hf/README.md                                  dataset card (datasetCard.ts)
 *     hf/data/{split}-{i:05d}-of-{n:05d}.parquet    the `push_to_hub` naming (or .jsonl with `files: "jsonl"`)
 *
 * A records build of several kinds (completion, instruction, chat) is **one** dataset with a config per kind, as
 * the Hub does it (hub-docs datasets-manual-configuration.md "Multiple Configurations"): the runner hands this
 * writer every kind in one call (`mixedKinds`), files go to `hf/data/{kind}/{split}-…`, the card lists a config
 * named after each kind (its own columns) and marks one `default: true` — option `defaultConfig` (a kind), else
 * the kind with the most records (a tie: the first by name). One kind keeps the single `default` config above.
 *
 * Shards are cut by size: a shard is closed once it reaches `shardBytes` (default 500 MB, the `max_shard_size`
 * default of `datasets`' `push_to_hub`), checked after each row group (Parquet) or line (JSONL), so a shard
 * may exceed it by one row group. The shard count is known only at the end of a split, so shards are written
 * under temporary names (`{dir}/{split}.part{i}.tmp`) and renamed to their final names when the split is done
 * (a rename keeps the sha256). Split names train / validation / test match the Hub's split keywords
 * (datasets/data_files.py), and the card's `configs` maps each split to its files explicitly anyway. Each split
 * is read once; with several kinds one shard per kind is open at a time (memory: one row group per kind).
 */
export const DEFAULT_SHARD_BYTES = 500_000_000;
const KINDS: readonly RecordKind[] = ['chat', 'completion', 'instruction'];

type Shard = { add(row: Record<string, unknown>): Promise<unknown> | undefined; readonly bytes: number; readonly rows: number; close(): Promise<{ bytes: number; sha256: string; uncompressedBytes?: number }>; discard(): Promise<void> };

/** `data/train-00000-of-00002.parquet`; `dir` is `data` (one kind) or `data/{kind}` (several). */
export function shardName(split: SplitName, index: number, count: number, ext: string, dir = 'data'): string {
  const pad = (n: number) => String(n).padStart(5, '0');
  return `${dir}/${split}-${pad(index)}-of-${pad(count)}.${ext}`;
}

/**
 * The config `load_dataset(folder)` loads without a name, of a build with `kinds`: option `defaultConfig` when
 * set (it must be a kind of the build: INVALID_ARGUMENT otherwise), else the kind with the most records, a tie
 * going to the first by name.
 */
export function defaultConfigKind(options: Readonly<Record<string, unknown>>, kinds: Readonly<Partial<Record<RecordKind, Readonly<Record<SplitName, number>>>>>): RecordKind {
  const present = KINDS.filter((k) => kinds[k] !== undefined);
  const named = options.defaultConfig === undefined ? undefined : choiceOption(options, 'defaultConfig', KINDS, 'chat');
  if (named) {
    if (present.includes(named)) return named;
    throw new BrightRunError({ code: 'INVALID_ARGUMENT', message: `Export option "defaultConfig" is "${named}", but the records hold no ${named} records (they hold ${present.join(', ')}).`, remedy: `Set "defaultConfig" of the hf export profile in brightrun.json to one of ${present.join(', ')}, or remove it (the largest kind is the default).` });
  }
  const total = (k: RecordKind) => Object.values(kinds[k] ?? {}).reduce((a, b) => a + b, 0);
  return present.reduce((best, k) => (total(k) > total(best) ? k : best), present[0]!);
}

/** One config being written: its shards split by split (one record kind). */
class ConfigWriter {
  readonly columns: string[];
  readonly stats = new CardStats();
  readonly files: WrittenFile[] = [];
  readonly splits: CardSplit[] = [];
  private parts: { tmp: string; rows: number; bytes: number; sha256: string; uncompressed: number }[] = [];
  private shard: Shard | undefined;

  constructor(
    readonly kind: RecordKind,
    private readonly root: string,
    /** `data` or `data/{kind}`, relative to the card. */
    private readonly dataDir: string,
    private readonly mixed: boolean,
    private readonly ctx: ExportContext,
    private readonly ext: 'parquet' | 'jsonl',
    private readonly shardBytes: number,
    private readonly settings: ParquetSettings,
  ) {
    this.columns = parquetColumns(kind, ctx.lineageColumns);
  }

  /** Writes one record; returns the bytes its shard grew by. */
  async add(split: SplitName, record: TrainingRecord): Promise<number> {
    this.shard ??= await this.open(split);
    const before = this.shard.bytes;
    const row = this.ext === 'parquet' ? parquetRow(record, this.columns, this.ctx.lineageColumns) : (naturalRow(record, this.ctx.lineageColumns) as unknown as Record<string, unknown>);
    const writing = this.shard.add(row);
    if (writing) await writing;
    this.stats.add(record);
    const grown = this.shard.bytes - before;
    if (this.shard.bytes >= this.shardBytes) await this.closeShard(split);
    return grown;
  }

  /** Closes the split: renames its shards to their final names. `always`: an empty split still gets a file, so its glob matches. */
  async endSplit(split: SplitName, always: boolean): Promise<void> {
    if (this.shard || (always && this.parts.length === 0)) {
      this.shard ??= await this.open(split);
      await this.closeShard(split);
    }
    if (!this.parts.length) return;
    for (let i = 0; i < this.parts.length; i++) {
      const rel = `${HF_DIR}/${shardName(split, i, this.parts.length, this.ext, this.dataDir)}`;
      const part = this.parts[i]!;
      await fs.rename(part.tmp, path.join(this.ctx.dir, rel));
      const file = dataFile(rel, 'hf', part, part.rows, split);
      this.files.push(this.mixed ? { ...file, kind: this.kind } : file);
    }
    this.splits.push({ name: split, numExamples: this.parts.reduce((a, p) => a + p.rows, 0), numBytes: this.parts.reduce((a, p) => a + p.uncompressed, 0), glob: `${this.dataDir}/${split}-*.${this.ext}` });
    this.parts = [];
  }

  async discard(): Promise<void> {
    await this.shard?.discard();
    this.shard = undefined;
  }

  card(isDefault: boolean): CardConfig {
    return { name: this.mixed ? this.kind : 'default', kind: this.kind, columns: this.columns, splits: this.splits, downloadSize: this.files.reduce((a, f) => a + f.bytes, 0), isDefault, stats: this.stats };
  }

  private tmpName(split: SplitName): string {
    return path.join(this.root, ...this.dataDir.split('/'), `${split}.part${this.parts.length}.tmp`);
  }

  private async open(split: SplitName): Promise<Shard> {
    const file = this.tmpName(split);
    await fs.mkdir(path.dirname(file), { recursive: true });
    return this.ext === 'parquet' ? ParquetFileStream.open(file, this.columns, this.settings, { 'brightrun.kind': this.kind }) : JsonlStream.open(file);
  }

  private async closeShard(split: SplitName): Promise<void> {
    const tmp = this.tmpName(split);
    const shard = this.shard!;
    const done = await shard.close();
    this.parts.push({ tmp, rows: shard.rows, bytes: done.bytes, sha256: done.sha256, uncompressed: done.uncompressedBytes ?? done.bytes });
    this.shard = undefined;
  }
}

export const hfLayoutFormat: FormatWriter = {
  format: 'hf',
  mixedKinds: true,

  async write(ctx) {
    const ext = choiceOption(ctx.options, 'files', ['parquet', 'jsonl'] as const, 'parquet');
    const shardBytes = intOption(ctx.options, 'shardBytes', DEFAULT_SHARD_BYTES, 1024);
    const settings = parquetSettings(ctx.options);
    const root = path.join(ctx.dir, HF_DIR);
    const mixed = ctx.kind === 'mixed';
    const kindCounts = mixed ? (ctx.kinds ?? {}) : { [ctx.kind]: ctx.counts };
    const kinds = mixed ? KINDS.filter((k) => kindCounts[k] !== undefined) : [ctx.kind as RecordKind];
    if (!kinds.length) throw new BrightRunError({ code: 'INVALID_ARGUMENT', message: 'The hf writer was given mixed records without their kinds.', remedy: 'Report this: the export runner passes ExportContext.kinds with kind "mixed".' });
    const defaultKind = mixed ? defaultConfigKind(ctx.options, kindCounts) : kinds[0]!;
    const configs = new Map<RecordKind, ConfigWriter>();
    const configOf = (kind: RecordKind) => {
      let c = configs.get(kind);
      if (!c) configs.set(kind, (c = new ConfigWriter(kind, root, mixed ? `data/${kind}` : 'data', mixed, ctx, ext, shardBytes, settings)));
      return c;
    };
    for (const k of kinds) configOf(k);
    const progress = new ProgressCounter(ctx.onProgress);
    const stats = new CardStats();
    try {
      for (const split of ctx.splits) {
        for await (const record of ctx.records(split)) {
          throwIfAborted(ctx.signal);
          // One kind: every record goes to the one config (as the runner filtered them).
          progress.record(await configOf(mixed ? record.kind : kinds[0]!).add(split, record));
          stats.add(record);
        }
        for (const c of configs.values()) await c.endSplit(split, !mixed || (kindCounts[c.kind]?.[split] ?? 0) > 0);
      }
    } catch (err) {
      for (const c of configs.values()) await c.discard();
      throw err;
    }
    const ordered = [...configs.values()].filter((c) => c.files.length).sort((a, b) => (a.kind < b.kind ? -1 : 1));
    const written = ordered.flatMap((c) => c.files);
    const cardConfigs = ordered.map((c) => c.card(c.kind === defaultKind));
    const card = datasetCard({ configs: cardConfigs, info: cardInfo(ctx.options), stats });
    const readme = await writeSmallFile(ctx.dir, `${HF_DIR}/README.md`, card, 'hf');
    written.push(mixed ? { ...readme, details: { configs: cardConfigs.map((c) => c.name).join(','), defaultConfig: defaultKind } } : readme);
    progress.report();
    return written;
  },

  verify: verifyHfLayout,
};
