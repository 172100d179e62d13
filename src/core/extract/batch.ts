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

/** Expands files and folders (recursively, filtered by globs) into extraction inputs; reports missing paths. */
export async function collectInputs(
  paths: readonly string[],
  cwd: string,
  globs: { include?: readonly string[]; exclude?: readonly string[] } = {},
): Promise<{ inputs: BatchInput[]; problems: ErrorInfo[] }> {
  const filter = globFilter(globs.include ?? DEFAULT_INCLUDE, globs.exclude ?? DEFAULT_EXCLUDE);
  const { files, problems } = await expandInputs(paths, cwd, filter, { verb: 'extract' });
  const inputs: BatchInput[] = files.map((f) => ({ file: f.file, relative: f.relative, size: f.size }));
  inputs.sort((a, b) => comparePaths(a.relative, b.relative));
  return { inputs, problems };
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
