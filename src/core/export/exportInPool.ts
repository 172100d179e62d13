import * as path from 'node:path';
import { ExtractionPool, type ProcessPool } from '../extract/extractionPool';
import type { OperationOptions } from '../progress';
import type { ProjectPaths } from '../project/paths';
import type { ExportTaskResult, VerifyTaskResult } from './exportTask';
import { checkExportRequest, type ExportRequest } from './runExport';
import { removeStalePartials } from './versions';

export interface PooledExportOptions extends OperationOptions {
  /** The pool to run in; default: a one-process pool made for this call and closed after it. */
  pool?: ProcessPool;
  /** Memory budget of the process in MB (its whole resident set); default: the pool's (DEFAULT_MAX_MEMORY_MB, 3 GB). */
  maxMemoryMB?: number;
}

/**
 * Runs `runExport` in a pool process (the `export` stage, exportTask.ts), never on the caller's thread: what the
 * extension calls, so that writing and verifying a large export (the Parquet writer encodes row groups
 * synchronously) cannot freeze the editor. Progress (records, bytes, ETA, the format being written) comes back
 * as runExport reports it. Cancelling kills the process; a crash (say, out of memory) is reported as
 * WORKER_CRASHED or RESOURCE_LIMIT naming the export (extract/processDeath.ts). Either way nothing is published,
 * and the temporary folder the process left in `exports/<name>/` is removed before this rejects. Throws what
 * runExport throws, CANCELLED, WORKER_CRASHED, RESOURCE_LIMIT.
 */
export async function exportInPool(project: { paths: Pick<ProjectPaths, 'root' | 'records' | 'exports' | 'dataDir'> }, request: ExportRequest, opts: PooledExportOptions = {}): Promise<ExportTaskResult> {
  checkExportRequest(request);
  const paths = { root: project.paths.root, records: project.paths.records, exports: project.paths.exports, dataDir: project.paths.dataDir };
  return inPool(opts, async (pool) => {
    try {
      return await pool.run('export', { paths, request }, { subject: request.name, timeLimitSeconds: 0, ...taskOptions(opts) });
    } catch (err) {
      // The process is gone (the pool settles a cancelled or crashed task after its exit): its marker names a dead
      // process, so its temporary folder is stale now. Other exports' folders (live processes) are left alone.
      await removeStalePartials(path.join(paths.exports, request.name)).catch(() => 0);
      throw err;
    }
  });
}

/** `verifyExportDir` in a pool process (the `verify` stage): the extension's "Verify" on a version folder. */
export function verifyInPool(dir: string, opts: PooledExportOptions = {}): Promise<VerifyTaskResult> {
  const label = path.relative(path.dirname(path.dirname(dir)), dir).split(path.sep).join('/');
  return inPool(opts, (pool) => pool.run('verify', { dir }, { subject: label, timeLimitSeconds: 0, ...taskOptions(opts) }));
}

function taskOptions(opts: PooledExportOptions) {
  return { ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}), ...(opts.maxMemoryMB !== undefined ? { maxMemoryMB: opts.maxMemoryMB } : {}) };
}

async function inPool<T>(opts: PooledExportOptions, work: (pool: ProcessPool) => Promise<T>): Promise<T> {
  const pool = opts.pool ?? new ExtractionPool(1, 1);
  try {
    return await work(pool);
  } finally {
    if (!opts.pool) await pool.close();
  }
}
