import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DocumentStore } from '../../../src/core/extract/documentStore';
import { ExtractionPool } from '../../../src/core/extract/extractionPool';
import { Project } from '../../../src/core/project/project';
import type { SourceEntry } from '../../../src/core/project/sources';
import { buildProjectRecords } from '../../../src/core/records/build';
import { generatedParts, makeDoc } from '../../support/recordDocs';
import { useTempDir } from '../../support/tmp';

const hex = (n: number) => n.toString(16).padStart(64, '0');

/** A project whose sources are "extracted" generated manuals (documents written straight to the store). */
async function projectWith(dir: string, seeds: number[]): Promise<Project> {
  await fs.mkdir(dir, { recursive: true });
  const project = await Project.create(dir, { name: 'pool' });
  await project.saveConfig({ ...project.config, records: { builder: 'chunk', dedupe: 'exact', targetTokens: 80, maxTokens: 120, overlapTokens: 10, minTokens: 4 } });
  const store = new DocumentStore(project.paths.documents);
  const now = new Date().toISOString();
  const entries: SourceEntry[] = [];
  for (const seed of seeds) {
    const doc = makeDoc(generatedParts(seed), hex(seed * 7919));
    await store.save(doc);
    entries.push({ path: `docs/d${seed}.md`, sha256: doc.id, size: doc.text.length, mtimeMs: 0, addedAt: now, updatedAt: now, status: 'done' as const });
  }
  await project.updateSources(() => ({ sources: entries, result: undefined }));
  return project;
}

/** Every file under the records folder but the build folder's name and the manifest's time and build id. */
async function recordsSnapshot(project: Project): Promise<Record<string, string>> {
  const dir = project.paths.records;
  const manifest = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8')) as { build: string; builtAt?: string };
  const out: Record<string, string> = { manifest: JSON.stringify({ ...manifest, build: '', builtAt: '' }) };
  for (const name of (await fs.readdir(path.join(dir, 'by-document'))).sort()) out[`by-document/${name}`] = await fs.readFile(path.join(dir, 'by-document', name), 'utf8');
  for (const name of (await fs.readdir(path.join(dir, 'builds', manifest.build))).sort()) out[`build/${name}`] = await fs.readFile(path.join(dir, 'builds', manifest.build, name), 'utf8');
  return out;
}

describe('records build in the pool (the records stage)', function () {
  this.timeout(120_000);
  const tmp = useTempDir();

  it('gives the same record files, build and manifest as the in-process build, with progress per document', async () => {
    const seeds = [11, 12, 13, 14, 15, 16, 17];
    const pooled = await projectWith(path.join(tmp.dir, 'pooled'), seeds);
    const local = await projectWith(path.join(tmp.dir, 'local'), seeds);
    const progress: number[] = [];
    const a = await buildProjectRecords(pooled, { concurrency: 2, onProgress: (p) => progress.push(p.done) });
    const b = await buildProjectRecords(local, { inProcess: true });
    assert.equal(a.processed, seeds.length);
    assert.deepEqual(a.failed, []);
    assert.deepEqual(await recordsSnapshot(pooled), await recordsSnapshot(local));
    assert.deepEqual({ ...a.manifest, build: '', builtAt: '' }, { ...b.manifest, build: '', builtAt: '' });
    assert.deepEqual(progress, Array.from({ length: seeds.length * 2 }, (_, i) => i + 1), 'one step per document built, then per document published');
  });

  it('a records task whose process crashes fails that document only, with a clear error; the build goes on', async () => {
    const project = await projectWith(tmp.dir, [21, 22, 23]);
    // A stand-in worker: the real records stage, except that the document of seed 22 aborts the process.
    const script = path.join(tmp.dir, 'worker.js');
    const recordsTask = path.resolve(__dirname, '../../../src/core/records/recordsTask.js');
    await fs.writeFile(
      script,
      `const { runRecordsTask } = require(${JSON.stringify(recordsTask)});
       process.send({ type: 'ready' });
       let chain = Promise.resolve();
       process.on('message', (m) => {
         if (m.type !== 'task') return;
         chain = chain.then(async () => {
           if (m.input.documentId === ${JSON.stringify(hex(22 * 7919))}) process.abort();
           const result = await runRecordsTask(m.input);
           process.send({ type: 'done', id: m.id, result });
         });
       });`,
    );
    const pool = new ExtractionPool(1, 1, { workerScript: script });
    try {
      const result = await buildProjectRecords(project, { pool });
      assert.equal(result.failed.length, 1);
      const [f] = result.failed;
      assert.equal(f!.sourcePath, 'docs/d22.md');
      assert.equal(f!.error.code, 'WORKER_CRASHED');
      assert.match(f!.error.message, /^Building the records of docs\/d22\.md crashed its worker process \((signal SIG\w+|exit code \d+)\)/);
      assert.match(f!.error.remedy, /Extract the document again/);
      assert.equal(result.processed, 2);
      const m = result.manifest;
      assert.equal(m.splits.train.documents + m.splits.validation.documents + m.splits.test.documents, 2, 'the other two documents are in the build');
      const files = await fs.readdir(path.join(project.paths.records, 'by-document'));
      assert.equal(files.length, 2);
      assert.ok(!files.some((n) => n.startsWith(hex(22 * 7919))));
    } finally {
      await pool.close();
    }
  });

  it('is cancelled through the pool: running tasks stop, the previous set stays', async () => {
    const project = await projectWith(tmp.dir, [31, 32, 33, 34, 35, 36]);
    const ac = new AbortController();
    await assert.rejects(buildProjectRecords(project, { concurrency: 1, signal: ac.signal, onProgress: (p) => p.done >= 1 && ac.abort() }), { code: 'CANCELLED' });
    await assert.rejects(fs.access(path.join(project.paths.records, 'manifest.json')), 'nothing published');
    const again = await buildProjectRecords(project, { concurrency: 1 });
    assert.ok(again.reused >= 1 && again.reused < 6, `documents written before the cancel are reused (${again.reused})`);
    assert.equal(again.processed + again.reused, 6);
  });
});
