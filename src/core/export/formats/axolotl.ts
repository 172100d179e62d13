import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { BrightRunError, throwIfAborted } from '../../errors';
import type { RecordKind } from '../../records/types';
import { naturalRow } from '../rows';
import type { FormatWriter, VerifyFinding, WrittenFile } from '../types';
import { ProgressCounter, dataFile, writeSmallFile } from './fileSink';
import { checkJsonlRows, JsonlStream } from './jsonlFile';

/**
 * The axolotl preset (issue #11), in `axolotl/` of the version folder:
 *
 *     axolotl/{split}.jsonl     natural rows (rows.ts)
 *     axolotl/datasets.yml      a config fragment: `datasets:` (train) and `test_datasets:` (validation, else test)
 *
 * Dataset types, from axolotl's docs (axolotl-ai-cloud/axolotl docs/dataset-formats: inst_tune.qmd,
 * conversation.qmd, pretraining.qmd): instruction → `type: alpaca` ({instruction, input, output});
 * chat → `type: chat_template` with `field_messages: messages`, `message_property_mappings: {role: role,
 * content: content}` and `roles_to_train: ["assistant"]` (the OpenAI message layout); completion →
 * `type: completion` with `field: text`. Local files load with `ds_type: json`; `path` is relative to the
 * folder axolotl runs in, so the fragment names the files relative to `axolotl/` and says so — paste it into
 * a config next to them, or prefix the paths (option `pathPrefix`).
 */
export const AXOLOTL_DIR = 'axolotl';

/** One `datasets:` entry for a file of a record kind. */
export function axolotlDataset(file: string, kind: RecordKind | 'mixed'): Record<string, unknown> {
  const base = { path: file, ds_type: 'json', split: 'train' };
  switch (kind) {
    case 'instruction':
      return { ...base, type: 'alpaca' };
    case 'completion':
      return { ...base, type: 'completion', field: 'text' };
    case 'chat':
      return { ...base, type: 'chat_template', field_messages: 'messages', message_property_mappings: { role: 'role', content: 'content' }, roles_to_train: ['assistant'] };
    default:
      throw new Error('mixed');
  }
}

export const axolotlFormat: FormatWriter = {
  format: 'axolotl',
  async write(ctx) {
    if (ctx.kind === 'mixed') {
      throw new BrightRunError({ code: 'INVALID_ARGUMENT', message: 'The axolotl preset needs records of one kind; this dataset mixes kinds.', remedy: 'Export one record kind (filter the records), or use the hf, jsonl or parquet format.' });
    }
    const prefix = typeof ctx.options.pathPrefix === 'string' ? ctx.options.pathPrefix : '';
    const progress = new ProgressCounter(ctx.onProgress);
    const files: WrittenFile[] = [];
    for (const split of ctx.splits) {
      const rel = `${AXOLOTL_DIR}/${split}.jsonl`;
      const out = await JsonlStream.open(path.join(ctx.dir, rel));
      try {
        for await (const record of ctx.records(split)) {
          throwIfAborted(ctx.signal);
          const { id: _id, ...row } = naturalRow(record, ctx.lineageColumns) as Record<string, unknown>;
          progress.record(await out.add(row));
        }
      } catch (err) {
        await out.discard();
        throw err;
      }
      files.push(dataFile(rel, 'axolotl', await out.close(), out.rows, split));
    }
    const evalSplit = ctx.splits.includes('validation') ? 'validation' : ctx.splits.includes('test') ? 'test' : undefined;
    const config: Record<string, unknown> = { datasets: ctx.splits.includes('train') ? [axolotlDataset(`${prefix}train.jsonl`, ctx.kind)] : [] };
    if (evalSplit) config.test_datasets = [axolotlDataset(`${prefix}${evalSplit}.jsonl`, ctx.kind)];
    const note = `# axolotl dataset config fragment written by Bright Run (${ctx.kind} records).\n# Paths are relative to the folder axolotl runs in: run it from this folder, or prefix them.\n`;
    files.push(await writeSmallFile(ctx.dir, `${AXOLOTL_DIR}/datasets.yml`, note + YAML.stringify(config, { lineWidth: 0 }), 'axolotl'));
    progress.report();
    return files;
  },

  async verify(dir, files, signal) {
    const findings: VerifyFinding[] = [];
    const configPath = `${AXOLOTL_DIR}/datasets.yml`;
    let config: { datasets?: { path: string; type: string }[]; test_datasets?: { path: string; type: string }[] } = {};
    try {
      config = YAML.parse(await fs.readFile(path.join(dir, configPath), 'utf8')) as typeof config;
    } catch (err) {
      findings.push({ severity: 'error', file: configPath, message: `cannot be read as YAML: ${(err as Error).message}` });
    }
    const written = new Set(files.map((f) => path.posix.basename(f.path)));
    for (const entry of [...(config.datasets ?? []), ...(config.test_datasets ?? [])]) {
      if (!written.has(path.posix.basename(entry.path))) findings.push({ severity: 'error', file: configPath, message: `names ${entry.path}, which this export does not have` });
    }
    if (files.some((f) => f.split === 'train') && !config.datasets?.length) findings.push({ severity: 'error', file: configPath, message: 'has no datasets: entry for train.jsonl' });
    const type = config.datasets?.[0]?.type ?? config.test_datasets?.[0]?.type ?? '';
    for (const file of files.filter((f) => f.split)) {
      await checkJsonlRows(dir, file, (row) => axolotlRowProblem(row, type), findings, signal);
    }
    return findings;
  },
};

/** Why axolotl's dataset `type` could not read a row (the fields its prompt strategy reads), or undefined. */
export function axolotlRowProblem(row: unknown, type: string): string | undefined {
  const r = (row ?? {}) as Record<string, unknown>;
  const str = (k: string) => typeof r[k] === 'string';
  if (type === 'alpaca') return str('instruction') && str('input') && str('output') ? undefined : 'lacks a string instruction, input or output (type alpaca)';
  if (type === 'completion') return str('text') ? undefined : 'lacks a string text (type completion)';
  if (type === 'chat_template') {
    const m = r.messages;
    return Array.isArray(m) && m.length && m.every((x) => x && typeof x.role === 'string' && typeof x.content === 'string') ? undefined : 'lacks a messages list of {role, content} strings (type chat_template)';
  }
  return `has no known dataset type ("${type}")`;
}
