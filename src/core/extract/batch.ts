import { type ErrorInfo, toBrightRunError, isCancellation, throwIfAborted } from '../errors';
import { comparePaths, expandInputs, globFilter } from '../fs/walkFiles';
import { EtaEstimator, type OperationOptions } from '../progress';
import { DEFAULT_EXCLUDE, DEFAULT_INCLUDE } from '../project/fileTypes';
import { defaultPoolSize, ExtractionPool } from './extractionPool';
import type { ExtractedDocument, ExtractOptions } from './types';

export interface BatchInput {
  file: string;
  /** Path relative to the input folder it came from (for output naming). */
  relative: string;
  size: number;
}

export type BatchOutcome = { input: BatchInput; doc: ExtractedDocument; error?: undefined } | { input: BatchInput; doc?: undefined; error: ErrorInfo };

/**
 * Expands files and folders (recursively, filtered by globs) into extraction inputs; reports missing paths,
 * refused entries (links leading out of a folder, names that are not UTF-8) and notices. Each input gets a
 * `relative` name of its own (see uniqueRelatives), so no two write the same output.
 */
export async function collectInputs(
  paths: readonly string[],
  cwd: string,
  globs: { include?: readonly string[]; exclude?: readonly string[] } = {},
): Promise<{ inputs: BatchInput[]; problems: ErrorInfo[]; notices: string[]; skipped: Record<string, number> }> {
  const filter = globFilter(globs.include ?? DEFAULT_INCLUDE, globs.exclude ?? DEFAULT_EXCLUDE);
  const { files, problems, notices, skipped } = await expandInputs(paths, cwd, filter, { verb: 'extract' });
  const inputs: BatchInput[] = files.map((f) => ({ file: f.file, relative: f.relative, size: f.size }));
  notices.push(...uniqueRelatives(inputs));
  inputs.sort((a, b) => comparePaths(a.relative, b.relative));
  return { inputs, problems, notices, skipped };
}

/**
 * Gives inputs that would share a relative name — a/x.txt and b/x.txt named as files both are "x.txt", two
 * walked folders may both hold "x.txt" — distinct ones, so neither output overwrites the other while both are
 * reported done. Names are compared as macOS and Windows file systems do (case-insensitively, Unicode NFC):
 * "X.txt" and "x.txt" are one file there. The first in path order keeps its name; each later one gets
 * " (2)", " (3)", … before its extension, and a notice says so. Renames `inputs` in place; returns the notices.
 */
export function uniqueRelatives(inputs: BatchInput[]): string[] {
  const key = (rel: string) => rel.normalize('NFC').toLowerCase();
  const sorted = [...inputs].sort((a, b) => comparePaths(a.relative, b.relative) || comparePaths(a.file, b.file));
  const used = new Map<string, BatchInput>();
  for (const input of sorted) used.set(key(input.relative), used.get(key(input.relative)) ?? input);
  const notices: string[] = [];
  for (const input of sorted) {
    const first = used.get(key(input.relative))!;
    if (first === input) continue;
    let n = 2;
    while (used.has(key(withSuffix(input.relative, n)))) n++;
    const renamed = withSuffix(input.relative, n);
    notices.push(`${input.file} and ${first.file} would both be written as "${input.relative}"; ${input.file} is written as "${renamed}".`);
    input.relative = renamed;
    used.set(key(renamed), input);
  }
  return notices;
}

/** "dir/x.txt" → "dir/x (2).txt"; a name without extension (or a dot-file) gets the suffix at its end. */
function withSuffix(relative: string, n: number): string {
  const slash = Math.max(relative.lastIndexOf('/'), relative.lastIndexOf('\\')) + 1;
  const base = relative.slice(slash);
  const dot = base.lastIndexOf('.');
  const cut = dot > 0 ? slash + dot : relative.length;
  return `${relative.slice(0, cut)} (${n})${relative.slice(cut)}`;
}

export interface BatchOptions extends OperationOptions {
  concurrency?: number;
  /** A pool to use (the caller's, e.g. already warmed up, and closed by the caller); otherwise one is made. */
  pool?: ExtractionPool;
  /** Called as each file finishes, in completion order. */
  onOutcome?: (outcome: BatchOutcome) => void | Promise<void>;
}

/**
 * Extracts many files through the worker pool, keeping going past failures. Progress is by bytes (so a 100 MB
 * PDF weighs what it should) with an ETA from measured throughput.
 */
export async function extractBatch(inputs: readonly BatchInput[], options: ExtractOptions, batch: BatchOptions = {}): Promise<BatchOutcome[]> {
  // Threads start lazily, so the pool may be wider than the batch: a large PDF uses idle threads for page ranges.
  const pool = batch.pool ?? new ExtractionPool(Math.max(1, batch.concurrency || defaultPoolSize()));
  const bytesTotal = inputs.reduce((s, i) => s + i.size, 0);
  const eta = new EtaEstimator(bytesTotal);
  let bytesDone = 0;
  let done = 0;
  const outcomes: BatchOutcome[] = [];
  const report = (current?: string) =>
    batch.onProgress?.({ done, total: inputs.length, unit: 'files', bytesDone, bytesTotal, ...(eta.eta(bytesDone) !== undefined ? { etaMs: eta.eta(bytesDone)! } : {}), ...(current ? { current } : {}) });
  report();
  try {
    await Promise.all(
      inputs.map(async (input) => {
        let outcome: BatchOutcome;
        try {
          const doc = await pool.extract(input.file, options, { ...(batch.signal ? { signal: batch.signal } : {}) });
          outcome = { input, doc };
        } catch (err) {
          if (isCancellation(err)) throw err;
          outcome = { input, error: toBrightRunError(err, input.file).toJSON() };
        }
        done++;
        bytesDone += input.size;
        eta.update(bytesDone);
        outcomes.push(outcome);
        await batch.onOutcome?.(outcome);
        report(input.relative);
      }),
    );
  } finally {
    if (!batch.pool) await pool.close();
  }
  throwIfAborted(batch.signal);
  return outcomes;
}
