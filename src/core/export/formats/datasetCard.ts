import * as path from 'node:path';
import YAML from 'yaml';
import type { RecordKind, SplitName, TrainingRecord } from '../../records/types';
import type { LanguageFigure } from '../languages';

/**
 * The Hugging Face dataset card (`README.md`): a YAML header the Hub and `datasets` read — `configs` with
 * `data_files` per split, `dataset_info` (features, split sizes), licence, language, task and size categories
 * (huggingface/hub-docs datasetcard.md; /work/shared/api/README.md B3) — and a body saying what the data is,
 * where it came from and its quality figures. One record kind: one config, `default`. Several kinds: one config
 * per kind (`config_name: chat`, …), one of them `default: true` (datasets `MetadataConfigs.get_default_config_name`
 * takes a config named "default" or marked `default: true`; with several configs and neither, `load_dataset(folder)`
 * needs a name), and `dataset_info` a list with one entry per config (hub-docs datasets-manual-configuration.md).
 */

/** What the runner (or the user's brightrun.json `export.hf.card`) tells the card; every field optional. */
export interface CardInfo {
  /** Card title; default: the dataset name, else "Bright Run dataset". */
  title?: string;
  name?: string;
  description?: string;
  /** A Hub licence id (https://huggingface.co/docs/hub/repositories-licenses), e.g. "apache-2.0"; default "unknown". */
  license?: string;
  /** ISO 639-1 codes, e.g. ["en", "de"]: the profile's `language`, else the detected ones above 1 % (runExport). */
  language?: string[];
  /** Detected languages (manifest `quality.languages`), shown in the body's quality table. */
  languages?: LanguageFigure[];
  /** Export version (semver) and tool version, shown in the body. */
  version?: string;
  tool?: string;
  /** Tokenizer the `tokens` figures count in, e.g. "qwen3". */
  tokenizer?: string;
  /** Quality figures computed by the runner (duplicates, over-length, languages…), shown as a table. */
  quality?: Record<string, string | number>;
}

/** The card's info from format options: `options.card` (CardInfo). Unknown fields are ignored. */
export function cardInfo(options: Readonly<Record<string, unknown>>): CardInfo {
  const card = options.card;
  return card && typeof card === 'object' ? (card as CardInfo) : {};
}

/** Figures gathered while the records stream past (memory: one entry per distinct source and builder). */
export class CardStats {
  records = 0;
  readonly builders = new Map<string, number>();
  readonly sources = new Set<string>();
  readonly flags = new Map<string, number>();
  private tokenCount = 0;
  private tokenSum = 0;
  private tokenMin = Infinity;
  private tokenMax = 0;

  add(record: TrainingRecord): void {
    this.records++;
    this.builders.set(record.lineage.builder, (this.builders.get(record.lineage.builder) ?? 0) + 1);
    this.sources.add(record.lineage.sourcePath);
    for (const f of record.flags ?? []) this.flags.set(f, (this.flags.get(f) ?? 0) + 1);
    if (record.tokens !== undefined) {
      this.tokenCount++;
      this.tokenSum += record.tokens;
      this.tokenMin = Math.min(this.tokenMin, record.tokens);
      this.tokenMax = Math.max(this.tokenMax, record.tokens);
    }
  }

  /** Token-length figures of the records that carry a count, or undefined. */
  tokens(): { min: number; mean: number; max: number; counted: number } | undefined {
    return this.tokenCount ? { min: this.tokenMin, mean: Math.round(this.tokenSum / this.tokenCount), max: this.tokenMax, counted: this.tokenCount } : undefined;
  }
}

/** One split as the card describes it. */
export interface CardSplit {
  name: SplitName;
  numExamples: number;
  /** Uncompressed size of the split's data (the Parquet row groups' uncompressed bytes, or the JSONL bytes). */
  numBytes: number;
  /** Glob of its files relative to the card, e.g. `data/train-*.parquet` (several kinds: `data/chat/train-*.parquet`). */
  glob: string;
}

/** One config (one record kind) as the card describes it. */
export interface CardConfig {
  /** `default` for a single-kind dataset, else the kind's name. */
  name: string;
  kind: RecordKind;
  columns: readonly string[];
  splits: readonly CardSplit[];
  /** Bytes of its data files as written. */
  downloadSize: number;
  /** The config `load_dataset(folder)` loads without a name (several configs: marked `default: true`). */
  isDefault: boolean;
  /** Its records' figures (builders, counts). */
  stats: CardStats;
}

/** HF `size_categories` buckets (huggingface/hub-docs datasetcard.md metadata): n<1K, 1K<n<10K, …, n>1T. */
export function sizeCategory(n: number): string {
  const buckets = ['1K', '10K', '100K', '1M', '10M', '100M', '1B', '10B', '100B', '1T'];
  const bounds = [1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12];
  if (n < bounds[0]) return 'n<1K';
  for (let i = 1; i < bounds.length; i++) if (n < bounds[i]) return `${buckets[i - 1]}<n<${buckets[i]}`;
  return 'n>1T';
}

/** `dataset_info.features` in the Hub's YAML syntax: strings and int32s as `dtype`, `messages` as a `list` of struct fields. */
export function hfFeatures(columns: readonly string[]): object[] {
  return columns.map((name) => {
    if (name === 'messages') return { name, list: [{ name: 'role', dtype: 'string' }, { name: 'content', dtype: 'string' }] };
    return { name, dtype: name === 'page' || name === 'span_start' || name === 'span_end' ? 'int32' : 'string' };
  });
}

const KIND_TEXT: Record<RecordKind | 'mixed', string> = {
  completion: 'plain-text records (`text`) for completion / continued pre-training',
  instruction: 'instruction records in the Alpaca layout (`instruction`, `input`, `output`)',
  chat: 'conversations (`messages`: a list of `{role, content}` turns, OpenAI style)',
  mixed: 'records of several kinds, one configuration per kind (each with its own columns)',
};

/**
 * The whole README.md: YAML header, then the Markdown body. One config: `configs` holds it as `default` and
 * `dataset_info` is one object (the layout of a single-kind export, unchanged). Several: both are lists in
 * `configs` order, the default config marked `default: true`. `stats` covers every record (sources, quality).
 */
export function datasetCard(input: { configs: readonly CardConfig[]; info: CardInfo; stats: CardStats }): string {
  const { configs, info, stats } = input;
  const total = configs.reduce((a, c) => a + c.splits.reduce((b, s) => b + s.numExamples, 0), 0);
  const infoOf = (c: CardConfig) => ({
    features: hfFeatures(c.columns),
    splits: c.splits.map((s) => ({ name: s.name, num_bytes: s.numBytes, num_examples: s.numExamples })),
    download_size: c.downloadSize,
    dataset_size: c.splits.reduce((a, s) => a + s.numBytes, 0),
  });
  const single = configs.length === 1;
  const header: Record<string, unknown> = {
    ...(info.name || info.title ? { pretty_name: info.title ?? info.name } : {}),
    license: info.license ?? 'unknown',
    ...(info.language?.length ? { language: info.language } : {}),
    task_categories: ['text-generation'],
    size_categories: [sizeCategory(total)],
    tags: ['brightrun', 'fine-tuning', 'lora'],
    configs: configs.map((c) => ({ config_name: c.name, ...(!single && c.isDefault ? { default: true } : {}), data_files: c.splits.map((s) => ({ split: s.name, path: s.glob })) })),
    dataset_info: single ? infoOf(configs[0]!) : configs.map((c) => ({ config_name: c.name, ...infoOf(c) })),
  };
  const yaml = YAML.stringify(header, { lineWidth: 0 });
  return `---\n${yaml}---\n\n${cardBody(configs, info, stats)}`;
}

const n = (v: number) => v.toLocaleString('en');
const plural = (v: number, word: string) => `${n(v)} ${word}${v === 1 ? '' : 's'}`;

function cardBody(configs: readonly CardConfig[], info: CardInfo, stats: CardStats): string {
  const title = info.title ?? info.name ?? 'Bright Run dataset';
  const single = configs.length === 1 ? configs[0]! : undefined;
  const kindText = KIND_TEXT[single ? single.kind : 'mixed'];
  const lines: string[] = [`# ${title}`, ''];
  lines.push(info.description ?? `Fine-tuning data: ${kindText}, built by Bright Run from ${plural(stats.sources.size, 'source document')}.`, '');
  // The version number is chosen after the files are written (it depends on what changed): the card names the
  // tool; manifest.json, beside the card, names the version.
  if (info.version) lines.push(`Export version ${info.version}${info.tool ? `, written by ${info.tool}` : ''}.`, '');
  else if (info.tool) lines.push(`Written by ${info.tool}; the version and its checksums are in the export's manifest.json.`, '');
  lines.push('## Dataset structure', '');
  if (single) {
    lines.push(`Records: ${kindText}.`, '');
    splitTable(lines, single);
    lines.push('', `Columns: ${single.columns.map((c) => `\`${c}\``).join(', ')}.`, '');
  } else {
    const dflt = configs.find((c) => c.isDefault);
    lines.push(`Records of ${configs.length} kinds, one configuration each (different columns); \`load_dataset(folder)\` without a name loads \`${dflt?.name ?? configs[0]!.name}\`.`, '');
    lines.push('| configuration | records | builders |', '|---|---:|---|');
    for (const c of configs) lines.push(`| \`${c.name}\`${c.isDefault ? ' (default)' : ''} | ${n(c.stats.records)} | ${[...c.stats.builders.keys()].sort().map((b) => `\`${b}\``).join(', ')} |`);
    lines.push('');
    for (const c of configs) {
      lines.push(`### \`${c.name}\`${c.isDefault ? ' (default)' : ''}`, '', `Records: ${KIND_TEXT[c.kind]}.`, '');
      splitTable(lines, c);
      lines.push('', `Features: ${c.columns.map((col) => `\`${col}\``).join(', ')}.`, '');
      lines.push(`Builders: ${[...c.stats.builders].sort().map(([b, v]) => `\`${b}\` (${n(v)})`).join(', ')}.`, '');
    }
  }
  lines.push('## Source data', '');
  lines.push(`Built from ${plural(stats.sources.size, 'source document')} by these record builders:`, '');
  for (const [builder, v] of [...stats.builders].sort()) lines.push(`- \`${builder}\`: ${n(v)} records`);
  const shown = [...stats.sources].sort().slice(0, 50);
  if (shown.length) {
    lines.push('', 'Sources:', '');
    // Absolute paths (sources outside the project) are shown by file name only: a card is often published.
    for (const s of shown) lines.push(`- \`${path.isAbsolute(s) || /^[A-Za-z]:[\\/]/.test(s) ? path.basename(s.replace(/\\/g, '/')) : s}\``);
    if (stats.sources.size > shown.length) lines.push(`- … and ${n(stats.sources.size - shown.length)} more`);
  }
  lines.push('', '## Quality', '', '| figure | value |', '|---|---:|', `| records | ${n(stats.records)} |`);
  const tokens = stats.tokens();
  if (tokens) lines.push(`| tokens per record${info.tokenizer ? ` (${info.tokenizer})` : ''}: min / mean / max | ${tokens.min} / ${tokens.mean} / ${tokens.max} |`);
  if (info.languages?.length) lines.push(`| languages (share of records, detected per source document) | ${info.languages.map((l) => `${l.language} ${formatShare(l.share)}`).join(' · ')} |`);
  for (const [flag, v] of [...stats.flags].sort()) lines.push(`| flagged \`${flag}\` | ${n(v)} |`);
  for (const [k, v] of Object.entries(info.quality ?? {})) lines.push(`| ${k.replace(/\|/g, '\\|')} | ${typeof v === 'number' ? n(v) : String(v).replace(/\|/g, '\\|')} |`);
  lines.push('', '## Usage', '', '```python', 'from datasets import load_dataset', '');
  if (single) lines.push('ds = load_dataset("path/to/this/folder")  # or the Hub repository id');
  else for (const c of configs) lines.push(`ds = load_dataset("path/to/this/folder", "${c.name}")  # or the Hub repository id${c.isDefault ? '; the default' : ''}`);
  lines.push('print(ds)', '```', '');
  return lines.join('\n');
}

function splitTable(lines: string[], c: CardConfig): void {
  lines.push('| split | examples | files |', '|---|---:|---|');
  for (const s of c.splits) lines.push(`| ${s.name} | ${n(s.numExamples)} | \`${s.glob}\` |`);
}

/** A share as a percentage: 0.6 → "60 %", 0.0042 → "0.42 %". */
function formatShare(share: number): string {
  const pct = share * 100;
  return `${pct >= 10 || pct === 0 ? Math.round(pct) : Number(pct.toPrecision(2))} %`;
}

/** The YAML header of a card, parsed; undefined when the text has none. Throws on YAML syntax errors. */
export function parseCardHeader(text: string): Record<string, unknown> | undefined {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/.exec(text);
  return m ? (YAML.parse(m[1]) as Record<string, unknown>) : undefined;
}
