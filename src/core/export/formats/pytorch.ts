import * as path from 'node:path';
import { throwIfAborted } from '../../errors';
import { loadTokenizer, TOKENIZER_SOURCES, type TextTokenizer } from '../../records/tokenizer';
import type { SplitName } from '../../records/types';
import { naturalRow } from '../rows';
import type { ExportContext, FormatWriter, VerifyFinding, WrittenFile } from '../types';
import { ProgressCounter, dataFile, writeSmallFile } from './fileSink';
import { JsonlStream, readJsonl } from './jsonlFile';
import { choiceOption, intOption } from './options';
import { datasetScript } from './pytorchScript';
import { SafetensorsWriter, readSafetensorsHeader } from './safetensors';
import { IGNORE_INDEX, chatMlTokens, trainingSequence, type ChatMlTokens } from './trainingSequence';

/**
 * The PyTorch export (issue #11), in `pytorch/` of the version folder:
 *
 *     pytorch/{split}.jsonl          natural rows (rows.ts), one per line
 *     pytorch/dataset.py             Dataset classes + collate functions (pytorchScript.ts)
 *     pytorch/{split}.safetensors    with option `tokenizer: "qwen3"`: pre-tokenised sequences (trainingSequence.ts)
 *
 * Tokenised layout: a flat concatenation with offsets, not a padded matrix — one long record would otherwise
 * pad every row to its length. Tensors, in file order (each aligned to its element size):
 * `offsets` I64 [records + 1] (record i is tokens [offsets[i], offsets[i+1])), `input_ids` I32 [tokens],
 * `labels` I32 [tokens] (-100 on prompt tokens), `attention_mask` U8 [tokens] (all 1: padding is added per
 * batch by dataset.py's collate, which sets 0 there). `__metadata__` names the tokenizer and the template.
 * Option `maxTokens` cuts longer sequences (counted in `__metadata__.truncated`).
 */
export const PYTORCH_DIR = 'pytorch';

/** Where the vocabulary comes from, for `__metadata__` (src/core/records/tokenizer.ts). */

export const pytorchFormat: FormatWriter = {
  format: 'pytorch',
  async write(ctx) {
    const tokenizerName = choiceOption(ctx.options, 'tokenizer', ['none', 'qwen3'] as const, 'none');
    const maxTokens = intOption(ctx.options, 'maxTokens', Number.MAX_SAFE_INTEGER, 1);
    const tokenizer = tokenizerName === 'none' ? undefined : loadTokenizer(tokenizerName);
    const special = tokenizer ? chatMlTokens(tokenizer) : undefined;
    const progress = new ProgressCounter(ctx.onProgress);
    const files: WrittenFile[] = [];
    for (const split of ctx.splits) files.push(...(await writeSplit(ctx, split, progress, tokenizer && special ? { tokenizer, special, maxTokens } : undefined)));
    files.push(await writeSmallFile(ctx.dir, `${PYTORCH_DIR}/dataset.py`, datasetScript({ kind: ctx.kind, splits: ctx.splits, tokenizer: tokenizer?.name, padId: special?.endOfText }), 'pytorch'));
    progress.report();
    return files;
  },

  async verify(dir, files, signal) {
    const findings: VerifyFinding[] = [];
    for (const file of files) {
      throwIfAborted(signal);
      const full = path.join(dir, file.path);
      const fail = (message: string) => findings.push({ severity: 'error', file: file.path, message });
      try {
        if (file.path.endsWith('.jsonl')) {
          const lines = await readJsonl(full, () => undefined, signal);
          if (lines !== file.records) fail(`holds ${lines} lines, the manifest says ${file.records}`);
        } else if (file.path.endsWith('.safetensors')) {
          const { metadata, tensors } = await readSafetensorsHeader(full);
          const offsets = tensors.offsets?.shape[0];
          if (offsets !== (file.records ?? 0) + 1) fail(`has offsets for ${(offsets ?? 1) - 1} records, the manifest says ${file.records}`);
          const tokens = tensors.input_ids?.shape[0];
          for (const name of ['labels', 'attention_mask']) if (tensors[name]?.shape[0] !== tokens) fail(`tensor ${name} does not have the ${tokens} tokens of input_ids`);
          if (!metadata.tokenizer) fail('does not name its tokenizer in __metadata__');
        }
      } catch (err) {
        if (signal?.aborted) throw err;
        fail(`cannot be read: ${(err as Error).message}`);
      }
    }
    return findings;
  },
};

async function writeSplit(ctx: ExportContext, split: SplitName, progress: ProgressCounter, tokens?: { tokenizer: TextTokenizer; special: ChatMlTokens; maxTokens: number }): Promise<WrittenFile[]> {
  const jsonlRel = `${PYTORCH_DIR}/${split}.jsonl`;
  const tensorsRel = `${PYTORCH_DIR}/${split}.safetensors`;
  const jsonl = await JsonlStream.open(path.join(ctx.dir, jsonlRel));
  const tensors = tokens
    ? await SafetensorsWriter.open(path.join(ctx.dir, tensorsRel), [
        { name: 'offsets', dtype: 'I64' },
        { name: 'input_ids', dtype: 'I32' },
        { name: 'labels', dtype: 'I32' },
        { name: 'attention_mask', dtype: 'U8' },
      ])
    : undefined;
  let truncated = 0;
  let total = 0;
  try {
    if (tensors) await tensors.push('offsets', 0);
    for await (const record of ctx.records(split)) {
      throwIfAborted(ctx.signal);
      progress.record(await jsonl.add(naturalRow(record, ctx.lineageColumns)));
      if (tensors && tokens) {
        const seq = trainingSequence(record, tokens.tokenizer, tokens.special, tokens.maxTokens);
        if (seq.truncated) truncated++;
        total += seq.inputIds.length;
        await tensors.push('input_ids', seq.inputIds);
        await tensors.push('labels', seq.labels);
        await tensors.push('attention_mask', new Array<number>(seq.inputIds.length).fill(1));
        await tensors.push('offsets', total);
      }
    }
  } catch (err) {
    await jsonl.discard();
    await tensors?.discard();
    throw err;
  }
  const files = [dataFile(jsonlRel, 'pytorch', await jsonl.close(), jsonl.rows, split)];
  if (tensors && tokens) {
    const metadata = {
      format: 'pt',
      tokenizer: tokens.tokenizer.name,
      tokenizer_source: (TOKENIZER_SOURCES as Record<string, string>)[tokens.tokenizer.name] ?? tokens.tokenizer.name,
      template: 'chatml: <|im_start|>{role}\\n{content}<|im_end|>\\n per message; completion: {text}<|endoftext|>',
      layout: 'flat: record i is tokens [offsets[i], offsets[i+1])',
      ignore_index: String(IGNORE_INDEX),
      pad_token_id: String(tokens.special.endOfText),
      records: String(jsonl.rows),
      tokens: String(total),
      truncated: String(truncated),
      max_tokens: tokens.maxTokens === Number.MAX_SAFE_INTEGER ? 'none' : String(tokens.maxTokens),
      split,
    };
    files.push(dataFile(tensorsRel, 'pytorch', await tensors.close(metadata), jsonl.rows, split));
  }
  return files;
}
