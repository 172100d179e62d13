import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { throwIfAborted } from '../../errors';
import type { RecordKind, TrainingRecord } from '../../records/types';
import type { ExportContext, FormatWriter, VerifyFinding, WrittenFile } from '../types';
import { cardInfo } from './datasetCard';
import { ProgressCounter, dataFile, writeSmallFile } from './fileSink';
import { checkJsonlRows, JsonlStream } from './jsonlFile';
import { SHAREGPT_TAGS, alternatingTurns, llamaFactoryRowProblem, mergeDatasetInfo, type DatasetInfoEntry } from './llamaFactoryRules';
import { choiceOption, stringOption } from './options';
import { otherKinds } from './perKind';

/**
 * The LLaMA-Factory preset (issue #11), in `llama-factory/` of the version folder — point LLaMA-Factory's
 * `dataset_dir` there and train with `dataset: {name}_train`, `eval_dataset: {name}_validation`:
 *
 *     llama-factory/dataset_info.json        one entry per split, merged into an existing file (option `datasetInfo`)
 *     llama-factory/{name}_{split}.jsonl     the rows
 *
 * A build of several record kinds: each kind in `<kind>/llama-factory/`, entries and files named
 * `{name}_{kind}_{split}` (so the kinds' entries can share one dataset_info.json).
 *
 * Styles (option `style`, default `auto`: instruction and completion records → alpaca, chat → sharegpt):
 * - alpaca: instruction → {instruction, input, output}; chat → the last exchange as {instruction, input: "",
 *   output}, earlier ones as `history` pairs, system prompts in `system`; completion → {text} with
 *   `columns: {prompt: "text"}` (LLaMA-Factory's pre-training layout; empty texts are left out, and so are
 *   completion records of a mixed dataset, which has no column for them).
 * - sharegpt: {messages: [{role, content}]} with the OpenAI tags (role/content/user/assistant/system);
 *   instruction → user "{instruction}\n{input}" (LLaMA-Factory joins alpaca prompt and query the same way),
 *   assistant "{output}"; completion records have no sharegpt form and are written alpaca-style.
 * Conversations are made to pass the loader's rules (llamaFactoryRules.ts: alternatingTurns); a record with no
 * user → assistant exchange is left out (the file's `records` counts what was written, `omitted` what was left out).
 */
export const LLAMA_FACTORY_DIR = 'llama-factory';

type Style = 'alpaca' | 'sharegpt';

function styleFor(kind: RecordKind | 'mixed', option: 'auto' | Style): Style {
  if (kind === 'completion') return 'alpaca';
  if (option !== 'auto') return option;
  return kind === 'chat' ? 'sharegpt' : 'alpaca';
}

/** The dataset_info entry of a file: columns and tags for its style and record kind. */
export function datasetInfoEntry(fileName: string, style: Style, kind: RecordKind | 'mixed'): DatasetInfoEntry {
  if (style === 'sharegpt') return { file_name: fileName, formatting: 'sharegpt', columns: { messages: 'messages' }, tags: { ...SHAREGPT_TAGS } };
  if (kind === 'completion') return { file_name: fileName, formatting: 'alpaca', columns: { prompt: 'text' } };
  const columns: Record<string, string> = { prompt: 'instruction', query: 'input', response: 'output' };
  if (kind !== 'instruction') Object.assign(columns, { system: 'system', history: 'history' });
  return { file_name: fileName, formatting: 'alpaca', columns };
}

/** A record as a row of the style, or undefined when LLaMA-Factory could not learn from it. */
export function llamaFactoryRow(record: TrainingRecord, style: Style, kind: RecordKind | 'mixed'): Record<string, unknown> | undefined {
  if (record.kind === 'completion') return kind === 'completion' && record.text ? { text: record.text } : undefined;
  if (record.kind === 'instruction') {
    if (style === 'alpaca') return kind === 'instruction' ? { instruction: record.instruction, input: record.input, output: record.output } : { instruction: record.instruction, input: record.input, output: record.output, system: '', history: [] };
    const user = [record.instruction, record.input].filter((s) => s).join('\n');
    return user ? { messages: [{ role: 'user', content: user }, { role: 'assistant', content: record.output }] } : undefined;
  }
  const conversation = alternatingTurns(record.messages);
  if (!conversation) return undefined;
  const { system, turns } = conversation;
  if (style === 'sharegpt') {
    return { messages: [...(system ? [{ role: 'system', content: system }] : []), ...turns.flatMap((t) => [{ role: 'user', content: t.user }, { role: 'assistant', content: t.assistant }])] };
  }
  const last = turns[turns.length - 1];
  return { instruction: last.user, input: '', output: last.assistant, system, history: turns.slice(0, -1).map((t) => [t.user, t.assistant]) };
}

export const llamaFactoryFormat: FormatWriter = {
  format: 'llama-factory',
  // One kind per call; in a mixed build ctx.kinds names the others (the runner's per-kind folders).
  write: writeKind,

  async verify(dir, files, signal) {
    const findings: VerifyFinding[] = [];
    const infoPath = `${LLAMA_FACTORY_DIR}/dataset_info.json`;
    let info: Record<string, DatasetInfoEntry>;
    try {
      info = JSON.parse(await fs.readFile(path.join(dir, infoPath), 'utf8')) as Record<string, DatasetInfoEntry>;
    } catch (err) {
      return [{ severity: 'error', file: infoPath, message: `cannot be read as JSON: ${(err as Error).message}` }];
    }
    for (const file of files.filter((f) => f.split)) {
      const fileName = file.path.slice(LLAMA_FACTORY_DIR.length + 1);
      const entry = Object.values(info).find((e) => e && e.file_name === fileName);
      if (!entry) {
        findings.push({ severity: 'error', file: infoPath, message: `has no entry for ${fileName}` });
        continue;
      }
      if (entry.formatting !== 'alpaca' && entry.formatting !== 'sharegpt') findings.push({ severity: 'error', file: infoPath, message: `entry for ${fileName} has formatting "${String(entry.formatting)}"` });
      await checkJsonlRows(dir, file, (row) => llamaFactoryRowProblem(row, entry), findings, signal);
    }
    return findings;
  },
};

/**
 * One kind's files. A build of several kinds (ctx.kinds) names its entries and files `{name}_{kind}_{split}`, so
 * the kinds' dataset_info.json entries do not collide when merged into one LLaMA-Factory `dataset_dir`; a build
 * of one kind keeps `{name}_{split}`.
 */
async function writeKind(ctx: ExportContext): Promise<WrittenFile[]> {
  const style = styleFor(ctx.kind, choiceOption(ctx.options, 'style', ['auto', 'alpaca', 'sharegpt'] as const, 'auto'));
  const name = otherKinds(ctx).length ? `${datasetName(ctx)}_${ctx.kind}` : datasetName(ctx);
  const progress = new ProgressCounter(ctx.onProgress);
  const files: WrittenFile[] = [];
  const entries: Record<string, DatasetInfoEntry> = {};
  for (const split of ctx.splits) {
    const fileName = `${name}_${split}.jsonl`;
    const rel = `${LLAMA_FACTORY_DIR}/${fileName}`;
    const out = await JsonlStream.open(path.join(ctx.dir, rel));
    let omitted = 0;
    try {
      for await (const record of ctx.records(split)) {
        throwIfAborted(ctx.signal);
        const row = llamaFactoryRow(record, style, ctx.kind);
        if (!row) omitted++;
        progress.record(row ? await out.add(row) : 0);
      }
    } catch (err) {
      await out.discard();
      throw err;
    }
    const file = dataFile(rel, 'llama-factory', await out.close(), out.rows, split);
    files.push(omitted ? { ...file, omitted } : file);
    entries[`${name}_${split}`] = datasetInfoEntry(fileName, style, ctx.kind);
  }
  const existingPath = stringOption(ctx.options, 'datasetInfo', '');
  const existing = existingPath ? await fs.readFile(existingPath, 'utf8').catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : Promise.reject(err))) : undefined;
  files.push(await writeSmallFile(ctx.dir, `${LLAMA_FACTORY_DIR}/dataset_info.json`, mergeDatasetInfo(existing, entries, existingPath || undefined), 'llama-factory'));
  progress.report();
  return files;
}

/** Dataset name: option `name`, else the card's name, else "brightrun"; reduced to letters, digits, `.`, `_`, `-`. */
export function datasetName(ctx: ExportContext): string {
  const raw = stringOption(ctx.options, 'name', cardInfo(ctx.options).name ?? 'brightrun');
  return raw.replace(/[^A-Za-z0-9._-]+/g, '_') || 'brightrun';
}
