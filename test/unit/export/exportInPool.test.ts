import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { exportInPool, verifyExportDir, verifyInPool } from '../../../src/core/export';
import { ExtractionPool } from '../../../src/core/extract/extractionPool';
import type { Progress } from '../../../src/core/progress';
import { projectPaths } from '../../../src/core/project/paths';
import type { SplitName } from '../../../src/core/records/types';
import { makeRecord, writeRecordsBuild } from '../../support/exportRecords';
import { useTempDir } from '../../support/tmp';

/** `n` completion records with short texts (progress is reported every 1,024 records). */
function records(n: number) {
  return Array.from({ length: n }, (_, i) => makeRecord('completion', i, (i % 10 < 7 ? 'train' : i % 10 < 9 ? 'validation' : 'test') as SplitName, `Passage ${i}: how the pump's seal is checked, step ${i % 17}.`));
}

/** Everything in exports/<name>/: no version and no temporary folder after a cancelled or crashed export. */
async function exportEntries(root: string, name: string): Promise<string[]> {
  return fs.readdir(path.join(root, 'exports', name)).catch(() => []);
}

describe('export in a pool process (exportInPool)', function () {
  this.timeout(120_000);
  const tmp = useTempDir();

  it('runs runExport in another process, with progress in records and bytes; the version verifies', async () => {
    await writeRecordsBuild(tmp.dir, records(3000));
    const progress: Progress[] = [];
    const r = await exportInPool({ paths: projectPaths(tmp.dir) }, { name: 'pooled', formats: ['jsonl', 'parquet'] }, { onProgress: (p) => progress.push(p) });
    assert.notEqual(r.pid, process.pid, 'the export ran in a child process');
    assert.ok(r.peakRssMb > 0);
    assert.equal(r.result.status, 'published');
    assert.equal(r.result.version, '1.0.0');
    assert.equal(r.result.manifest.records.total, 3000);
    assert.deepEqual((await verifyExportDir(r.result.dir)).findings, []);
    assert.ok(progress.length >= 3, `progress came back (${progress.length} reports)`);
    assert.ok(progress.every((p) => p.unit === 'records' && p.total === 9000), JSON.stringify(progress.slice(0, 3)));
    assert.ok(progress.some((p) => (p.bytesDone ?? 0) > 0 && p.current === 'parquet'), 'bytes and the format being written are reported');
    assert.ok(progress.some((p) => p.current === 'verify'));
    assert.deepEqual(await exportEntries(tmp.dir, 'pooled'), ['1.0.0']);

    const verified = await verifyInPool(r.result.dir);
    assert.notEqual(verified.pid, process.pid);
    assert.deepEqual(verified.findings, []);
    assert.equal(verified.manifest.version, '1.0.0');
  });

  it('is cancelled by killing its process: no version and no temporary folder is left', async () => {
    await writeRecordsBuild(tmp.dir, records(20_000));
    const ac = new AbortController();
    let seen: Progress | undefined;
    const run = exportInPool({ paths: projectPaths(tmp.dir) }, { name: 'cancelled', formats: ['jsonl', 'csv', 'parquet'] }, {
      signal: ac.signal,
      onProgress: (p) => {
        seen ??= p;
        if (p.done > 0) ac.abort();
      },
    });
    await assert.rejects(run, { code: 'CANCELLED' });
    assert.ok(seen && seen.done < seen.total!, 'cancelled mid-export');
    assert.deepEqual(await exportEntries(tmp.dir, 'cancelled'), [], 'nothing is left in exports/cancelled');
  });

  it('a process that crashes mid-export fails it with WORKER_CRASHED naming the export; no version is left; the pool goes on', async () => {
    await writeRecordsBuild(tmp.dir, records(5000));
    // A stand-in pool process: the real export stage, except that it aborts once 2,000 records are done.
    const script = path.join(tmp.dir, 'worker.js');
    const exportTask = path.resolve(__dirname, '../../../src/core/export/exportTask.js');
    await fs.writeFile(
      script,
      `const { runExportTask } = require(${JSON.stringify(exportTask)});
       process.send({ type: 'ready' });
       process.on('message', async (m) => {
         if (m.type !== 'task') return;
         const result = await runExportTask(m.input, (p) => {
           process.send({ type: 'progress', id: m.id, done: p.done, total: p.total ?? 0, progress: p });
           if (m.input.request.name === 'crashy' && p.done >= 2000) process.abort();
         });
         process.send({ type: 'done', id: m.id, result });
       });`,
    );
    const pool = new ExtractionPool(1, 1, { workerScript: script });
    try {
      let lastDone = 0;
      await assert.rejects(
        exportInPool({ paths: projectPaths(tmp.dir) }, { name: 'crashy', formats: ['jsonl', 'tfrecord'] }, { pool, onProgress: (p) => (lastDone = p.done) }),
        (err: { code: string; message: string; remedy: string; file?: string }) => {
          assert.equal(err.code, 'WORKER_CRASHED');
          assert.match(err.message, /^Export "crashy" crashed its worker process \((signal SIG\w+|exit code \d+)\); nothing was published/);
          assert.match(err.remedy, /^Export again\./);
          assert.equal(err.file, 'crashy');
          return true;
        },
      );
      assert.ok(lastDone >= 2000 && lastDone < 15_000, `it crashed mid-export (${lastDone} of 15,000)`);
      assert.deepEqual(await exportEntries(tmp.dir, 'crashy'), [], 'no version and no temporary folder');
      const next = await exportInPool({ paths: projectPaths(tmp.dir) }, { name: 'after', formats: ['jsonl'] }, { pool });
      assert.equal(next.result.status, 'published', 'the pool started a new process for the next export');
    } finally {
      await pool.close();
    }
  });

  it('an export over its memory budget is stopped as RESOURCE_LIMIT naming the export and the setting; nothing is left', async () => {
    await writeRecordsBuild(tmp.dir, records(100));
    await assert.rejects(exportInPool({ paths: projectPaths(tmp.dir) }, { name: 'tiny', formats: ['jsonl'] }, { maxMemoryMB: 16 }), (err: { code: string; message: string; remedy: string }) => {
      assert.equal(err.code, 'RESOURCE_LIMIT');
      assert.match(err.message, /^Export "tiny" was stopped: exporting used [\d,]+ MB of memory, over the 16 MB memory budget\. Nothing was published\.$/);
      assert.match(err.remedy, /brightrun\.export\.maxMemoryMB/);
      return true;
    });
    assert.deepEqual(await exportEntries(tmp.dir, 'tiny'), []);
  });

  it('a bad request fails before any process starts', async () => {
    await assert.rejects(exportInPool({ paths: projectPaths(tmp.dir) }, { name: '../x', formats: ['jsonl'] }), { code: 'INVALID_ARGUMENT' });
  });
});
