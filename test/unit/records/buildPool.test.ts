import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DocumentStore } from '../../../src/core/extract/documentStore';
import type { ExtractedDocument } from '../../../src/core/extract/types';
import { ExtractionPool } from '../../../src/core/extract/extractionPool';
import { Project } from '../../../src/core/project/project';
import type { SourceEntry } from '../../../src/core/project/sources';
import { buildProjectRecords } from '../../../src/core/records/build';
import { generatedParts, makeDoc, rng, sentence } from '../../support/recordDocs';
import { recordProject } from '../../support/recordProject';
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

/** A 6-page "PDF" with a running header and page numbers (page furniture) and an e-mail address, added to a project's sources. */
async function addPagedDoc(project: Project): Promise<void> {
  const r = rng(5);
  let text = '';
  const blocks: ExtractedDocument['blocks'] = [];
  const pages: NonNullable<ExtractedDocument['pages']> = [];
  for (let p = 1; p <= 6; p++) {
    const start = text.length;
    const body = Array.from({ length: 4 }, () => sentence(r)).join(' ') + (p === 3 ? ' Write to jane.doe@example.com about seals.' : '');
    for (const t of [`ACME Pump Manual  —  Section ${p}`, body, `Page ${p} of 6`]) {
      blocks.push({ type: 'paragraph', start: text.length, end: text.length + t.length, page: p });
      text += t + '\n';
    }
    pages.push({ number: p, start, end: text.length, source: 'text-layer' });
    text += '\n';
  }
  const doc: ExtractedDocument = { ...makeDoc([], 'c'.repeat(64)), format: 'pdf', text, blocks, pages, markdown: text };
  await new DocumentStore(project.paths.documents).save(doc);
  const now = new Date().toISOString();
  await project.updateSources((sources) => ({ sources: [...sources, { path: 'manuals/pump.pdf', sha256: doc.id, size: text.length, mtimeMs: 0, addedAt: now, updatedAt: now, status: 'done' as const, extracted: { format: 'pdf', ocrPages: 0, chars: text.length, warnings: [], durationMs: 0 } }], result: undefined }));
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

  it('runs every builder in the pool (chunk, instruction, chat, pairs; furniture, PII, near-dups) as in-process, and only the missing builders again', async () => {
    const records = { builders: ['chunk', 'instruction', 'chat', 'pairs'] as Array<'chunk' | 'instruction' | 'chat' | 'pairs'>, dedupe: 'near' as const, redactPii: true };
    for (const sub of ['pooled', 'local']) await fs.mkdir(path.join(tmp.dir, sub));
    const pooled = await recordProject(path.join(tmp.dir, 'pooled'), { seeds: [41, 42, 43], pairs: true, records });
    const local = await recordProject(path.join(tmp.dir, 'local'), { seeds: [41, 42, 43], pairs: true, records });
    await addPagedDoc(pooled);
    await addPagedDoc(local);
    const a = await buildProjectRecords(pooled, { concurrency: 2 });
    const b = await buildProjectRecords(local, { inProcess: true });
    assert.deepEqual(a.failed, []);
    assert.equal(a.processed, 6);
    assert.deepEqual(await recordsSnapshot(pooled), await recordsSnapshot(local));
    const m = a.manifest;
    assert.deepEqual({ ...m, build: '', builtAt: '' }, { ...b.manifest, build: '', builtAt: '' });
    assert.ok(m.builders.chunk!.records > 0 && m.builders.instruction!.records > 0 && m.builders.chat!.records > 0 && m.builders.pairs!.records === 3, JSON.stringify(m.builders));
    assert.deepEqual(m.furniture, { lines: 12, documents: 1 }, 'header and page number of 6 pages, from the meta lines the processes wrote');
    assert.equal(m.pii?.email, 3, 'the address once in each text builder\'s record');
    assert.equal(m.problemsTotal, 2, 'the bad pairs rows, reported from the processes\' meta lines');
    // MinHash signatures come from the processes (stored on the by-document lines); this process computes only those
    // of records whose text it changed (PII redacted, truncated), and none reaches the build's files.
    const truncated = (['train', 'validation', 'test'] as const).reduce((n, s) => n + m.splits[s].overLength.truncated, 0);
    const total = (['train', 'validation', 'test'] as const).reduce((n, s) => n + m.splits[s].records, 0);
    assert.ok(a.signaturesComputed <= (m.pii?.records ?? 0) + truncated, `${a.signaturesComputed} signatures computed by the build itself`);
    assert.ok(total > 3 * a.signaturesComputed, `${total} records, ${a.signaturesComputed} signatures computed here`);
    const buildDir = path.join(pooled.paths.records, 'builds', m.build);
    for (const split of ['train', 'validation', 'test']) assert.ok(!(await fs.readFile(path.join(buildDir, `${split}.jsonl`), 'utf8')).includes('"minhash"'), split);
    const docFiles = await fs.readdir(path.join(pooled.paths.records, 'by-document'));
    assert.ok((await Promise.all(docFiles.map((n) => fs.readFile(path.join(pooled.paths.records, 'by-document', n), 'utf8')))).some((t) => t.includes('"minhash":"')));

    // An edited instruction template: only the instruction files are built again, in the pool; chunk and chat files stay.
    const byDoc = path.join(pooled.paths.records, 'by-document');
    const before = new Map<string, number>();
    for (const n of await fs.readdir(byDoc)) before.set(n, (await fs.stat(path.join(byDoc, n))).mtimeMs);
    await pooled.saveConfig({ ...pooled.config, records: { ...pooled.config.records, templates: { instruction: { instruction: 'Summarise {{ document.title or document.name }}, page {{ chunk.page }}.' } } } });
    const c = await buildProjectRecords(pooled, { concurrency: 2 });
    assert.equal(c.processed, 6, 'every document has an instruction file under the new key (pairs documents an empty one saying "pairs-document")');
    const after = await fs.readdir(byDoc);
    const settled = after.filter((n) => before.has(n));
    assert.equal(after.length - settled.length, 6, 'one new instruction file per document, nothing else');
    for (const n of settled) assert.equal((await fs.stat(path.join(byDoc, n))).mtimeMs, before.get(n), `${n} was reused, not rewritten`);
    assert.deepEqual(c.manifest.builders.chunk, m.builders.chunk);
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
