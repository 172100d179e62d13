import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { addSources, DocumentStore, EXTRACTOR_VERSION, extractProject, loadSourceDocument, Project, readLog, renderDocumentText, withoutSources, type ExtractionControl, type ProjectExtractOutcome } from '../../../src/core';
import { readQueueState, writeQueueState, type QueueState } from '../../../src/core/extract/queueState';
import { useTempDir, writeFiles } from '../../support/tmp';

describe('extractProject', function () {
  this.timeout(60_000);
  const tmp = useTempDir();

  async function setup() {
    const project = await Project.create(tmp.dir, { name: 'p' });
    await writeFiles(tmp.dir, { 'docs/a.txt': 'Alpha text.', 'docs/b.md': '# Bravo\n\nBody.', 'docs/c.csv': 'q,a\n1,2\n', 'docs/empty.txt': '  ', 'docs/copy-of-a.txt': 'Alpha text.' });
    await addSources(project, [path.join(tmp.dir, 'docs')]);
    return project;
  }

  it('extracts queued sources into documents keyed by content, marks them done or failed, and logs', async () => {
    const project = await setup();
    const outcomes: ProjectExtractOutcome[] = [];
    const summary = await extractProject(project, { options: { ocr: false }, concurrency: 2, onOutcome: (o) => outcomes.push(o) });
    assert.equal(summary.failed, 1);
    assert.equal(summary.done, 4);
    const sources = Object.fromEntries((await project.readSources()).map((s) => [s.path, s]));
    assert.equal(sources['docs/empty.txt']!.status, 'failed');
    assert.equal(sources['docs/empty.txt']!.error?.code, 'EMPTY_FILE');
    assert.equal(sources['docs/b.md']!.status, 'done');
    const doc = await loadSourceDocument(project, sources['docs/b.md']!);
    assert.equal(doc?.format, 'md');
    assert.equal(doc?.source.path, 'docs/b.md', 'stored with the project-relative path');
    assert.equal((await fs.readdir(project.paths.documents)).length, 3, 'a.txt and its copy share one document');
    const log = await readLog(project.paths.logs, new Date());
    assert.ok(log.some((e) => e.stage === 'extract' && e.error?.code === 'EMPTY_FILE'));
    assert.ok(log.some((e) => e.stage === 'extract' && e.file === 'docs/c.csv' && e.durationMs !== undefined));
    assert.equal(outcomes.length, 5);
  });

  it('sources with the same bytes are extracted once, and their document is named by the first in queue order', async () => {
    // Before: both were extracted at once and the document kept the name of whichever process finished last.
    for (let round = 0; round < 3; round++) {
      const dir = path.join(tmp.dir, `same-${round}`);
      await fs.mkdir(dir);
      const project = await Project.create(dir, { name: 'p' });
      const files: Record<string, string> = {};
      for (let i = 0; i < 6; i++) files[`docs/copy-${i}.md`] = '# Same\n\nThe same bytes.\n';
      await writeFiles(dir, files);
      await addSources(project, [path.join(dir, 'docs')]);
      const outcomes: ProjectExtractOutcome[] = [];
      await extractProject(project, { options: { ocr: false }, concurrency: 3, onOutcome: (o) => outcomes.push(o) });
      assert.equal(outcomes.filter((o) => o.status === 'done').length, 6);
      assert.equal(outcomes.filter((o) => o.reused).length, 5, 'extracted once, reused five times');
      const [name] = await fs.readdir(project.paths.documents);
      const doc = JSON.parse(await fs.readFile(path.join(project.paths.documents, name!), 'utf8'));
      assert.equal(doc.source.path, 'docs/copy-0.md');
    }
  });

  it('resumes after a kill: documents already stored are not redone, "extracting" ones are picked up', async () => {
    const project = await setup();
    await extractProject(project, { options: { ocr: false }, only: ['docs/a.txt'] });
    const store = new DocumentStore(project.paths.documents);
    const aSha = (await project.readSources()).find((s) => s.path === 'docs/a.txt')!.sha256;
    const before = (await fs.stat(store.pathFor(aSha))).mtimeMs;
    // Simulate a run killed mid-batch: statuses left as "extracting", one document already written.
    await project.updateSources((sources) => ({ sources: sources.map((s) => ({ ...s, status: s.path === 'docs/empty.txt' ? 'queued' : 'extracting' })), result: undefined }));
    const outcomes: ProjectExtractOutcome[] = [];
    const summary = await extractProject(project, { options: { ocr: false }, onOutcome: (o) => outcomes.push(o) });
    assert.equal((await fs.stat(store.pathFor(aSha))).mtimeMs, before, 'the finished document was not rewritten');
    assert.deepEqual(outcomes.filter((o) => o.reused).map((o) => o.path).sort(), ['docs/a.txt', 'docs/copy-of-a.txt']);
    assert.equal(summary.reused, 2);
    const statuses = (await project.readSources()).map((s) => s.status);
    assert.ok(!statuses.includes('extracting') && !statuses.includes('queued'));
    assert.deepEqual(await extractProject(project, { options: { ocr: false } }), { done: 0, reused: 0, failed: 0, pages: 0, ocrPages: 0 });
  });

  it('retries failed sources only when asked', async () => {
    const project = await setup();
    await extractProject(project, { options: { ocr: false } });
    await fs.writeFile(path.join(tmp.dir, 'docs/empty.txt'), 'now it has text');
    assert.equal((await extractProject(project, { options: { ocr: false } })).failed, 0);
    const summary = await extractProject(project, { options: { ocr: false }, retryFailed: true });
    assert.equal(summary.done, 1);
    const empty = (await project.readSources()).find((s) => s.path === 'docs/empty.txt')!;
    assert.equal(empty.status, 'done');
    assert.equal(empty.error, undefined);
    assert.notEqual(empty.sha256, (await project.readSources()).find((s) => s.path === 'docs/a.txt')!.sha256);
  });

  it('a file whose attempt dies is failed with its remedy, the rest of the batch finishes, and it is not retried unasked', async () => {
    const project = await setup();
    await project.saveConfig({ ...project.config, extract: { ...project.config.extract, maxMemoryMB: 256 } });
    // ~40 MB of CSV: parsing it needs far more than the 256 MB budget, so its process is stopped
    const row = 'alpha,beta,gamma,delta,epsilon,zeta,eta,theta\n';
    await writeFiles(tmp.dir, { 'big/huge.csv': row.repeat(Math.ceil((40 * 1048576) / row.length)) });
    await addSources(project, [path.join(tmp.dir, 'big/huge.csv')]);
    const summary = await extractProject(project, { options: { ocr: false }, concurrency: 1 });
    assert.equal(summary.done, 4);
    const sources = Object.fromEntries((await project.readSources()).map((s) => [s.path, s]));
    assert.equal(sources['big/huge.csv']!.status, 'failed');
    assert.equal(sources['big/huge.csv']!.error?.code, 'RESOURCE_LIMIT');
    assert.match(sources['big/huge.csv']!.error!.remedy, /extract\.maxMemoryMB/);
    assert.equal(sources['big/huge.csv']!.attempts, undefined);
    assert.deepEqual(await extractProject(project, { options: { ocr: false } }), { done: 0, reused: 0, failed: 0, pages: 0, ocrPages: 0 }, 'a later run leaves it alone');
  });

  it('a source that runs were killed on twice is failed instead of tried a third time, unless a retry is asked', async () => {
    const project = await setup();
    await project.updateSources((sources) => ({ sources: sources.map((s) => (s.path === 'docs/a.txt' ? { ...s, status: 'extracting', attempts: 2 } : s.path === 'docs/b.md' ? { ...s, status: 'extracting', attempts: 1 } : s)), result: undefined }));
    const summary = await extractProject(project, { options: { ocr: false } });
    const sources = Object.fromEntries((await project.readSources()).map((s) => [s.path, s]));
    assert.equal(sources['docs/a.txt']!.status, 'failed');
    assert.equal(sources['docs/a.txt']!.error?.code, 'EXTRACTION_CRASHED');
    assert.match(sources['docs/a.txt']!.error!.remedy, /Retry Failed Documents/);
    assert.equal(sources['docs/b.md']!.status, 'done', 'interrupted once: resumed');
    assert.equal(summary.failed, 2, 'a.txt and the empty file');
    await extractProject(project, { options: { ocr: false }, retryFailed: true });
    const after = (await project.readSources()).find((s) => s.path === 'docs/a.txt')!;
    assert.equal(after.status, 'done');
    assert.equal(after.attempts, undefined);
  });

  it('is cancellable: unfinished sources go back to queued', async () => {
    const project = await setup();
    const c = new AbortController();
    c.abort();
    await assert.rejects(extractProject(project, { signal: c.signal }), { code: 'CANCELLED' });
    const c2 = new AbortController();
    await assert.rejects(extractProject(project, { options: { ocr: false }, concurrency: 1, signal: c2.signal, onOutcome: () => c2.abort() }), { code: 'CANCELLED' });
    const statuses = (await project.readSources()).map((s) => s.status);
    assert.ok(!statuses.includes('extracting'), `no source left extracting: ${statuses.join(',')}`);
    assert.ok(statuses.includes('queued'));
  });

  it('re-extracts documents made by another extractor version, and survives a damaged one', async () => {
    const project = await setup();
    await extractProject(project, { options: { ocr: false }, only: ['docs/b.md'] });
    const store = new DocumentStore(project.paths.documents);
    const source = (await project.readSources()).find((s) => s.path === 'docs/b.md')!;
    const doc = (await store.load(source.sha256))!;
    await fs.writeFile(store.pathFor(source.sha256), JSON.stringify({ ...doc, extractor: { ...doc.extractor, version: '0.0.1' } }));
    assert.equal(await store.isCurrent(source.sha256), false);
    await fs.writeFile(store.pathFor(source.sha256), '{ damaged');
    assert.equal(await store.isCurrent(source.sha256), false);
    await assert.rejects(store.load(source.sha256), { code: 'STATE_CORRUPT' });
    await project.updateSources((s) => ({ sources: s.map((x) => (x.path === 'docs/b.md' ? { ...x, status: 'queued' as const } : x)), result: undefined }));
    await extractProject(project, { options: { ocr: false }, only: ['docs/b.md'] });
    assert.equal((await store.load(source.sha256))!.extractor.version, EXTRACTOR_VERSION);
    assert.throws(() => store.pathFor('../etc/passwd'));
    assert.equal(await store.load('0'.repeat(64)), undefined);
  });
});

describe('renderDocumentText', () => {
  const base = { id: 'x', source: { path: 'a', name: 'a', size: 1 }, detectedBy: '', metadata: {}, blocks: [], warnings: [], extractor: { name: 'brightrun' as const, version: EXTRACTOR_VERSION, backend: '' }, timings: { totalMs: 0 }, ocrPages: 0, extractedAt: '' };

  it('renders plain, Markdown, and page or slide markers with OCR details', () => {
    const text = 'First page.\n\nSecond page.';
    const pdf = { ...base, format: 'pdf' as const, text, markdown: '# md', pages: [{ number: 1, start: 0, end: 11, source: 'text-layer' as const }, { number: 2, start: 13, end: 25, source: 'ocr' as const, ocrConfidence: 88, rotation: 90 }] };
    assert.equal(renderDocumentText(pdf, 'plain'), text);
    assert.equal(renderDocumentText(pdf, 'markdown'), '# md');
    assert.equal(renderDocumentText(pdf, 'pages'), '──── page 1 ────\nFirst page.\n\n──── page 2 (OCR, confidence 88%, rotated 90°) ────\nSecond page.\n');
    const deck = { ...pdf, format: 'pptx' as const, pages: [{ number: 1, start: 0, end: 0, source: 'none' as const }] };
    assert.match(renderDocumentText(deck, 'pages'), /^──── slide 1 \(no text\) ────/);
    assert.equal(renderDocumentText({ ...base, format: 'txt', text: 'x', markdown: 'x' }, 'pages'), 'x');
  });
});

describe('extraction queue steering', function () {
  this.timeout(60_000);
  const tmp = useTempDir();

  async function setup(files: Record<string, string>) {
    const project = await Project.create(tmp.dir, { name: 'q' });
    await writeFiles(tmp.dir, files);
    await addSources(project, [path.join(tmp.dir, 'docs')]);
    return project;
  }

  it('runs by priority, pauses and resumes, cancels one file, and records the queue state', async () => {
    const project = await setup({ 'docs/a.txt': 'a', 'docs/b.txt': 'b', 'docs/c.txt': 'c', 'docs/d.txt': 'd' });
    await writeQueueState(project.paths.queue, { active: false, paused: false, priorities: { 'docs/c.txt': 5, 'docs/b.txt': 1 } });
    const order: string[] = [];
    let control: ExtractionControl | undefined;
    let states: QueueState[] = [];
    const run = extractProject(project, {
      options: { ocr: false },
      concurrency: 1,
      onControl: (c) => (control = c),
      onOutcome: (o) => {
        order.push(o.path);
        if (o.path === 'docs/c.txt') {
          void control!.pause().then(async () => {
            states.push(await readQueueState(project.paths.queue));
            control!.cancel('docs/d.txt');
            setTimeout(() => void control!.resume(), 50);
          });
        }
      },
    });
    const summary = await run;
    assert.deepEqual(order, ['docs/c.txt', 'docs/b.txt', 'docs/a.txt'], 'priority first, then path order; d was cancelled');
    assert.equal(summary.done, 3);
    assert.equal(states[0]!.paused, true);
    assert.equal(states[0]!.active, true);
    const after = await readQueueState(project.paths.queue);
    assert.deepEqual([after.active, after.paused], [false, false]);
    const d = (await project.readSources()).find((s) => s.path === 'docs/d.txt')!;
    assert.equal(d.status, 'queued', 'a cancelled file goes back to the queue');
    assert.equal(control!.paused, false);
    states = [];
  });

  it('picks up sources queued while it runs', async () => {
    const project = await setup({ 'docs/a.txt': 'a' });
    await writeFiles(tmp.dir, { 'later/z.txt': 'z' });
    const seen: string[] = [];
    await extractProject(project, {
      options: { ocr: false },
      onOutcome: (o) => seen.push(o.path),
      onControl: (c) => {
        void addSources(project, [path.join(tmp.dir, 'later')]).then(() => c.poke());
      },
    });
    assert.deepEqual(seen.sort(), ['docs/a.txt', 'later/z.txt']);
  });

  it('keeps the summary of each extracted document in the source list', async () => {
    const project = await setup({ 'docs/a.md': '# Title\n\nText.' });
    await extractProject(project, { options: { ocr: false } });
    const [a] = await project.readSources();
    assert.deepEqual({ ...a!.extracted, durationMs: 0 }, { format: 'md', ocrPages: 0, chars: 14, warnings: [], title: 'Title', durationMs: 0 });
    const removed = await project.updateSources((s) => withoutSources(s, ['docs/a.md', 'nope']));
    assert.deepEqual(removed, ['docs/a.md']);
    assert.equal((await project.readSources()).length, 0);
  });

  it('reads a missing or damaged queue.json as empty controls', async () => {
    await fs.writeFile(path.join(tmp.dir, 'queue.json'), '{ broken');
    assert.deepEqual(await readQueueState(path.join(tmp.dir, 'queue.json')), { active: false, paused: false, priorities: {} });
    assert.deepEqual(await readQueueState(path.join(tmp.dir, 'missing.json')), { active: false, paused: false, priorities: {} });
    await fs.writeFile(path.join(tmp.dir, 'queue.json'), JSON.stringify({ active: true, priorities: { a: 2, b: 'x' } }));
    assert.deepEqual(await readQueueState(path.join(tmp.dir, 'queue.json')), { active: true, paused: false, priorities: { a: 2 } });
  });
});

describe('large batches', function () {
  this.timeout(120_000);
  const tmp = useTempDir();

  it('writes the source list in batches, not once per file (no refresh storm for the editor)', async () => {
    const project = await Project.create(tmp.dir, { name: 'big' });
    const files: Record<string, string> = {};
    for (let i = 0; i < 400; i++) files[`docs/f${String(i).padStart(4, '0')}.txt`] = `document number ${i}`;
    await writeFiles(tmp.dir, files);
    await addSources(project, [path.join(tmp.dir, 'docs')]);
    let writes = 0;
    const original = project.appendSourceChanges.bind(project);
    (project as { appendSourceChanges: typeof project.appendSourceChanges }).appendSourceChanges = (lines) => {
      writes++;
      return original(lines);
    };
    const listWritesBefore = project.sourceListWrites;
    const started = Date.now();
    const summary = await extractProject(project, { options: { ocr: false }, concurrency: 2, flushIntervalMs: 200 });
    const seconds = (Date.now() - started) / 1000;
    assert.equal(summary.done, 400);
    assert.ok(writes <= Math.ceil(seconds / 0.2) + 3, `${writes} writes for 400 files in ${seconds.toFixed(1)} s`);
    assert.ok(writes < 400 / 4, `${writes} writes is not batched`);
    // The whole list is rewritten once, when the run ends (the journal is small), not once per batch.
    assert.equal(project.sourceListWrites - listWritesBefore, 1);
    await assert.rejects(fs.access(project.paths.sourcesJournal), 'the journal is compacted away at the end of the run');
    assert.equal((await project.status()).documents.done, 400);
  });
});
