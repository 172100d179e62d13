import { naturalRow } from '../rows';
import { readDataLines } from './fileSink';
import type { FormatWriter, VerifyFinding, WrittenFile } from '../types';
import { countFinding, fileIn, problem, writeSplitFiles } from './splitFiles';

/**
 * JSONL: one natural row (rows.ts) per line, UTF-8, '\n' line ends, `<split>.jsonl[.gz]`. The form every
 * trainer reads (`datasets.load_dataset("json")`, LLaMA-Factory, axolotl, OpenAI fine-tuning for chat rows).
 */
export const jsonlWriter: FormatWriter = {
  format: 'jsonl',
  write(ctx) {
    return writeSplitFiles(ctx, 'jsonl', { extension: 'jsonl', encode: (r) => JSON.stringify(naturalRow(r, ctx.lineageColumns, ctx.chatFormat)) + '\n' });
  },
  async verify(dir, files, signal) {
    const findings: VerifyFinding[] = [];
    for (const file of files) findings.push(...(await verifyJsonLines(dir, file, signal)));
    return findings;
  },
};

/** Re-reads a JSONL file: every line a JSON object with a string `id`; the count as written. */
export async function verifyJsonLines(dir: string, file: WrittenFile, signal?: AbortSignal): Promise<VerifyFinding[]> {
  let n = 0;
  try {
    for await (const line of readDataLines(fileIn(dir, file), signal)) {
      n++;
      const row = JSON.parse(line) as unknown;
      if (typeof row !== 'object' || row === null || Array.isArray(row)) return [problem(file.path, `line ${n} is not a JSON object`)];
    }
  } catch (err) {
    return [problem(file.path, `cannot be read back at line ${n}: ${(err as Error).message}`)];
  }
  return countFinding(file, n);
}
