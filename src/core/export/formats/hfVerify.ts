import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { VerifyFinding, WrittenFile } from '../types';
import { parseCardHeader } from './datasetCard';
import { readJsonl } from './jsonlFile';
import { verifyParquetFile } from './parquetVerify';

/**
 * Verification of the Hugging Face layout (hfLayout.ts) with readers that need no dev dependency: the card's YAML
 * parses, its configs agree with the files (checkCardAgainstFiles), and every data file is re-read (Parquet with
 * hyparquet, JSONL line by line) against its config's features and the manifest's record count.
 */

/** The layout's folder in a version (hfLayout.ts). */
export const HF_DIR = 'hf';
const CARD = `${HF_DIR}/README.md`;

interface ConfigEntry {
  config_name?: string;
  default?: boolean;
  data_files?: { split: string; path: string }[];
}
interface InfoEntry {
  config_name?: string;
  features?: { name: string }[];
  splits?: { name: string; num_examples: number }[];
}

export async function verifyHfLayout(dir: string, files: readonly WrittenFile[], signal?: AbortSignal): Promise<VerifyFinding[]> {
  const findings: VerifyFinding[] = [];
  let header: Record<string, unknown> | undefined;
  try {
    header = parseCardHeader(await fs.readFile(path.join(dir, CARD), 'utf8'));
    if (!header) findings.push({ severity: 'error', file: CARD, message: 'has no YAML header (--- … ---)' });
  } catch (err) {
    findings.push({ severity: 'error', file: CARD, message: `cannot be read or its YAML does not parse: ${(err as Error).message}` });
  }
  const dataFiles = files.filter((f) => f.split !== undefined);
  if (header) findings.push(...checkCardAgainstFiles(header, dataFiles, CARD));
  const infos = header ? datasetInfos(header) : [];
  for (const file of dataFiles) {
    // The file's config: the one named after its kind (several kinds), else the only one.
    const info = file.kind ? infos.find((i) => i.config_name === file.kind) : infos[0];
    const features = info?.features?.map((f) => f.name);
    if (file.path.endsWith('.parquet')) findings.push(...(await verifyParquetFile(dir, file, features, signal)));
    else findings.push(...(await verifyJsonlFile(dir, file, features, signal)));
  }
  return findings;
}

/** `dataset_info` as a list: one object (one config, named by its `config_name` or "default"), or the list as written. */
function datasetInfos(header: Record<string, unknown>): InfoEntry[] {
  const info = header.dataset_info as InfoEntry | InfoEntry[] | undefined;
  if (!info) return [];
  return Array.isArray(info) ? info : [{ ...info, config_name: info.config_name ?? 'default' }];
}

/**
 * The card against the files (paths relative to the version folder, `hf/…`): every config's `data_files` globs
 * (relative to `hf/`) match exactly that config's files of that split — a config's files are those of its kind
 * (files with `kind`: several kinds, config named after the kind) or all files (one kind) —, every split with
 * files has an entry, every kind has a config, exactly one config is the default when there are several (named
 * "default" or `default: true`, what `load_dataset(folder)` needs), and `dataset_info` counts per config and
 * split agree with the files' record counts.
 */
export function checkCardAgainstFiles(header: Record<string, unknown>, dataFiles: readonly WrittenFile[], cardPath: string): VerifyFinding[] {
  const findings: VerifyFinding[] = [];
  const err = (message: string) => findings.push({ severity: 'error', file: cardPath, message });
  const configs = Array.isArray(header.configs) ? (header.configs as ConfigEntry[]) : [];
  if (!configs.length) err('has no configs');
  const mixed = dataFiles.some((f) => f.kind !== undefined);
  const rel = (f: WrittenFile) => f.path.slice(HF_DIR.length + 1);
  const filesOf = (name: string | undefined) => (mixed ? dataFiles.filter((f) => f.kind === name) : dataFiles);
  for (const config of configs) {
    const name = config.config_name;
    const label = configs.length > 1 ? ` of config ${name}` : '';
    const entries = config.data_files ?? [];
    if (!entries.length) err(`has no data_files${label || ' in configs[0]'}`);
    const own = filesOf(name);
    if (mixed && !own.length) err(`config ${name} has no data files (files of kinds ${[...new Set(dataFiles.map((f) => f.kind))].join(', ')})`);
    for (const { split, path: glob } of entries) {
      const re = globRegExp(glob);
      const matched = dataFiles.filter((f) => re.test(rel(f)));
      const expected = own.filter((f) => f.split === split);
      if (!matched.length) err(`data_files glob "${glob}" (split ${split}${label}) matches no file`);
      else if (matched.some((f) => !expected.includes(f)) || matched.length !== expected.length) err(`data_files glob "${glob}"${label} matches [${matched.map(rel).join(', ')}], split ${split} has [${expected.map(rel).join(', ')}]`);
    }
    for (const split of new Set(own.map((f) => f.split))) if (!entries.some((e) => e.split === split)) err(`split ${split}${label} has files but no data_files entry`);
  }
  if (mixed) for (const kind of new Set(dataFiles.map((f) => f.kind))) if (!configs.some((c) => c.config_name === kind)) err(`files of kind ${kind} have no config`);
  if (configs.length > 1) {
    const defaults = configs.filter((c) => c.config_name === 'default' || c.default === true).map((c) => c.config_name);
    if (defaults.length !== 1) err(defaults.length ? `has several default configs (${defaults.join(', ')})` : 'has several configs and none is the default (config_name "default" or default: true): load_dataset(folder) would need a name');
  }
  for (const info of datasetInfos(header)) {
    const name = info.config_name;
    if (!configs.some((c) => c.config_name === name)) {
      err(`dataset_info names config ${name}, which configs does not list`);
      continue;
    }
    const label = configs.length > 1 ? ` of config ${name}` : '';
    const own = filesOf(name);
    for (const s of info.splits ?? []) {
      const records = own.filter((f) => f.split === s.name).reduce((a, f) => a + (f.records ?? 0), 0);
      if (records !== s.num_examples) err(`dataset_info says split ${s.name}${label} has ${s.num_examples} examples, its files hold ${records}`);
    }
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
    else re += c!.replace(/[.+^${}()|[\]\\]/g, '\\$&');
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
