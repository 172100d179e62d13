import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { addSources, DocumentStore, EXTRACTOR_VERSION, Project, type ExtractedDocument, type SourceEntry } from '../../../src/core';
import { MAX_HEADER_BYTES, readDocumentHeader } from '../../../src/core/extract/documentFile';
import { WorkQueue } from '../../../src/core/extract/workQueue';
import { applyJournal, readJournal, type JournalLine } from '../../../src/core/project/sourceJournal';
import { useTempDir, writeFiles } from '../../support/tmp';

/**
 * Issue #13: the work per document of add, extract and status must not grow with the project. These tests count
 * operations (entries looked at, whole-list rewrites, bytes of sources.json written, files hashed) at two sizes;
 * timings are the benchmark's business (npm run bench:scale).
 */
const sha = (i: number) => i.toString(16).padStart(64, '0');
const entry = (i: number): SourceEntry => ({ path: `docs/f${String(i).padStart(6, '0')}.md`, sha256: sha(i), size: 2300, mtimeMs: 1, addedAt: 'x', updatedAt: 'x', status: 'queued' });

describe('linear cost (counted operations)', function () {
  this.timeout(120_000);
  const tmp = useTempDir();

  it('the work queue looks at each source once to run it, whatever the size of the queue', () => {
    for (const n of [1_000, 20_000]) {
      const q = new WorkQueue(() => 0, Array.from({ length: n }, (_, i) => entry(n - i)));
      let taken = 0;
      let last = '';
      for (let s = q.take(); s; s = q.take()) {
        assert.ok(s.path > last, 'in path order');
        last = s.path;
        taken++;
      }
      assert.equal(taken, n);
      assert.equal(q.scanned, n, `${q.scanned} entries looked at for ${n} sources`);
    }
  });

  it('the work queue honours priorities and drops cancelled sources as it meets them', () => {
    const prio: Record<string, number> = {};
    const q = new WorkQueue((p) => prio[p] ?? 0, [entry(1), entry(2), entry(3), entry(4)]);
    assert.equal(q.take()?.path, entry(1).path);
    prio[entry(4).path] = 5;
    q.resort();
    assert.equal(q.take()?.path, entry(4).path);
    assert.equal(q.take((s) => s.path === entry(2).path)?.path, entry(3).path);
    assert.equal(q.take(), undefined);
    q.add([entry(9)]);
    assert.deepEqual(q.drain(() => true).map((s) => s.path), [entry(9).path]);
    assert.equal(q.size, 0);
  });

  /** Runs n 'extracting' + 'done' changes through the journal in batches of 50; returns sources.json bytes written per change. */
  async function listBytesPerChange(n: number): Promise<{ perChange: number; listWrites: number; batches: number }> {
    const dir = path.join(tmp.dir, String(n));
    await fs.mkdir(dir);
    const project = await Project.create(dir, { name: 'p' });
    await project.updateSources(() => ({ sources: Array.from({ length: n }, (_, i) => entry(i)), result: undefined }));
    const writesBefore = project.sourceListWrites;
    let listBytes = 0;
    const written = async () => (await fs.stat(project.paths.sources)).size;
    let batches = 0;
    for (let at = 0; at < n; at += 50) {
      const lines: JournalLine[] = [];
      for (let i = at; i < Math.min(n, at + 50); i++) {
        lines.push({ path: entry(i).path, expect: sha(i), at: 't', change: { status: 'extracting', attempts: 1 } });
        lines.push({ path: entry(i).path, expect: sha(i), at: 't', change: { status: 'done', extracted: { format: 'md', ocrPages: 0, chars: 2300, warnings: [], durationMs: 3 } } });
      }
      const before = project.sourceListWrites;
      await project.appendSourceChanges(lines);
      if (project.sourceListWrites > before) listBytes += await written();
      batches++;
    }
    await project.compactSources();
    listBytes += await written();
    const sources = await project.readSources();
    assert.equal(sources.length, n);
    assert.ok(sources.every((s) => s.status === 'done' && s.extracted?.chars === 2300 && s.attempts === undefined));
    await assert.rejects(fs.access(project.paths.sourcesJournal), 'compacted at the end');
    return { perChange: listBytes / (2 * n), listWrites: project.sourceListWrites - writesBefore, batches };
  }

  it('status changes are appended per batch; sources.json is rewritten O(1) times per run, not once per batch', async () => {
    // Both sizes past the journal's minimum compaction size (256 KB), so both compact as they go.
    const small = await listBytesPerChange(2_000);
    const large = await listBytesPerChange(16_000);
    assert.ok(large.batches >= 320);
    // The journal is compacted when it outgrows half of sources.json: a handful of rewrites per run, whatever the batches.
    assert.ok(large.listWrites <= 5, `${large.listWrites} rewrites of sources.json for ${large.batches} batches`);
    // Bytes of sources.json written per status change stay the same when the project is 8× larger.
    assert.ok(large.perChange < small.perChange * 1.5 + 50, `per change: ${small.perChange.toFixed(0)} B at 2,000, ${large.perChange.toFixed(0)} B at 16,000`);
  });

  it('a journal that a killed compaction left behind is not applied twice, and a line cut short is skipped', async () => {
    const project = await Project.create(tmp.dir, { name: 'p' });
    await project.updateSources(() => ({ sources: [entry(1), entry(2)], result: undefined }));
    await project.appendSourceChanges([{ path: entry(1).path, expect: sha(1), at: 't', change: { status: 'done' } }]);
    const journalText = await fs.readFile(project.paths.sourcesJournal, 'utf8');
    // Compaction writes sources.json naming the journal, then removes it: simulate a kill between the two.
    await project.compactSources();
    await fs.writeFile(project.paths.sourcesJournal, journalText);
    // The entry is re-added with other bytes afterwards: the absorbed journal must not mark it done again.
    await project.updateSources((s) => ({ sources: s.map((e) => (e.path === entry(1).path ? { ...e, status: 'queued' as const } : e)), result: undefined }));
    assert.equal((await project.readSources()).find((s) => s.path === entry(1).path)?.status, 'queued');
    await assert.rejects(fs.access(project.paths.sourcesJournal), 'the leftover journal is removed by the next write');
    // A new journal whose last line a kill cut short: the cut line is skipped, the next append starts afresh.
    await project.appendSourceChanges([{ path: entry(2).path, expect: sha(2), at: 't', change: { status: 'extracting', attempts: 1 } }]);
    await fs.appendFile(project.paths.sourcesJournal, '{"path":"docs/f000002.md","expe');
    await project.appendSourceChanges([{ path: entry(1).path, expect: sha(1), at: 't', change: { status: 'failed' } }]);
    const journal = await readJournal(project.paths.sourcesJournal);
    assert.equal(journal?.lines.length, 2);
    const byPath = Object.fromEntries((await project.readSources()).map((s) => [s.path, s.status]));
    assert.deepEqual(byPath, { [entry(1).path]: 'failed', [entry(2).path]: 'extracting' });
    // sources.json re-formatted by hand while an absorbed journal is left over: the next append still starts a
    // new journal (it reads the file whole when its head is not as written), so the change is not lost.
    const journalNow = await fs.readFile(project.paths.sourcesJournal, 'utf8');
    await project.compactSources();
    await fs.writeFile(project.paths.sourcesJournal, journalNow);
    const { formatVersion, compacted, sources } = JSON.parse(await fs.readFile(project.paths.sources, 'utf8'));
    await fs.writeFile(project.paths.sources, JSON.stringify({ sources, compacted, formatVersion }));
    await project.appendSourceChanges([{ path: entry(2).path, expect: sha(2), at: 't', change: { status: 'done' } }]);
    assert.equal((await project.readSources()).find((s) => s.path === entry(2).path)?.status, 'done');
    // A change for bytes that were replaced meanwhile is not applied.
    assert.equal(applyJournal([entry(3)], [{ path: entry(3).path, expect: sha(4), at: 't', change: { status: 'done' } }])[0]!.status, 'queued');
  });

  it('reads sources.json of format 1 and writes format 2; refuses a newer format without touching it', async () => {
    const project = await Project.create(tmp.dir, { name: 'p' });
    await fs.writeFile(project.paths.sources, JSON.stringify({ formatVersion: 1, sources: [entry(1)] }));
    assert.equal((await project.readSources())[0]!.path, entry(1).path);
    await project.updateSources((s) => ({ sources: [...s, entry(2)], result: undefined }));
    assert.equal(JSON.parse(await fs.readFile(project.paths.sources, 'utf8')).formatVersion, 2);
    const newer = JSON.stringify({ formatVersion: 3, sources: [] });
    await fs.writeFile(project.paths.sources, newer);
    await assert.rejects(project.readSources(), (err: { code?: string }) => err.code === 'STATE_NEWER_FORMAT');
    await assert.rejects(project.updateSources((s) => ({ sources: s, result: undefined })));
    assert.equal(await fs.readFile(project.paths.sources, 'utf8'), newer);
  });

  it('re-adding an unchanged folder reads no file and writes nothing; a changed file is the only one hashed', async () => {
    const project = await Project.create(tmp.dir, { name: 'p' });
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++) files[`docs/f${i}.md`] = `# Doc ${i}\n`;
    await writeFiles(tmp.dir, files);
    const first = await addSources(project, [path.join(tmp.dir, 'docs')]);
    assert.equal(first.hashed, 300);
    const writes = project.sourceListWrites;
    const stat = await fs.stat(project.paths.sources);
    const again = await addSources(project, [path.join(tmp.dir, 'docs')]);
    assert.equal(again.hashed, 0);
    assert.equal(again.unchanged.length, 300);
    assert.equal(project.sourceListWrites, writes, 'sources.json is not rewritten');
    assert.equal((await fs.stat(project.paths.sources)).mtimeMs, stat.mtimeMs);
    await fs.writeFile(path.join(tmp.dir, 'docs/f7.md'), '# Doc 7, longer now\n');
    const changed = await addSources(project, [path.join(tmp.dir, 'docs')]);
    assert.equal(changed.hashed, 1);
    assert.deepEqual(changed.updated, ['docs/f7.md']);
  });

  /** A stored document of `chars` characters of text, with a title that looks like JSON structure. */
  function doc(i: number, chars: number, warnings = 1): ExtractedDocument {
    const text = 'x'.repeat(chars);
    return {
      id: sha(i),
      source: { path: `docs/f${i}.md`, name: `f${i}.md`, size: chars },
      format: 'pdf',
      detectedBy: 'magic %PDF-',
      metadata: { title: `T ${i}: "a",{"id":1},[\\"] \u00e9` },
      pages: [
        { number: 1, start: 0, end: chars, source: 'ocr', ocrConfidence: 71 },
        { number: 2, start: chars, end: chars, source: 'text-layer' },
      ],
      blocks: [{ type: 'paragraph', start: 0, end: chars }],
      text,
      markdown: text,
      warnings: Array.from({ length: warnings }, (_, w) => ({ code: 'PAGE_FAILED' as const, message: `page ${w} failed`, page: w })),
      extractor: { name: 'brightrun', version: EXTRACTOR_VERSION, backend: 'pdf' },
      timings: { totalMs: 12 },
      ocrPages: 1,
      extractedAt: 't',
    };
  }

  it('checking a stored document for reuse reads its header only, whatever the size of the document', async () => {
    const store = new DocumentStore(path.join(tmp.dir, 'documents'));
    const cost: Array<{ chars: number; bytes: number }> = [];
    for (const [i, chars] of [[1, 1_000], [2, 4_000_000]] as const) {
      const d = doc(i, chars);
      await store.save(d);
      const before = store.reuseChecks.bytesRead;
      const summary = await store.currentSummary(sha(i));
      assert.deepEqual(summary, { format: 'pdf', pages: 2, ocrPages: 1, chars, warnings: ['PAGE_FAILED'], title: d.metadata.title, durationMs: 12, minOcrConfidence: 71 });
      cost.push({ chars, bytes: store.reuseChecks.bytesRead - before });
      // The stored file is still the whole document; `load` returns it as it was given.
      assert.deepEqual(await store.load(sha(i)), d);
    }
    assert.equal(store.reuseChecks.wholeParses, 0);
    assert.ok(cost.every((c) => c.bytes <= 4096), `bytes read per check: ${cost.map((c) => `${c.bytes} for ${c.chars} chars`).join(', ')}`);
    // A header longer than the first read (many warnings) is read in larger steps, still not the document.
    await store.save(doc(3, 2_000_000, 400));
    const before = store.reuseChecks.bytesRead;
    assert.equal((await store.currentSummary(sha(3)))?.warnings.length, 400);
    assert.ok(store.reuseChecks.bytesRead - before < 2 * MAX_HEADER_BYTES);
    assert.equal(store.reuseChecks.wholeParses, 0);
  });

  it('a stored document of another version is not reused, one stored before headers is read whole once, a damaged one is redone', async () => {
    const store = new DocumentStore(path.join(tmp.dir, 'documents'));
    await store.save({ ...doc(1, 100), extractor: { name: 'brightrun', version: '0.0.1', backend: 'pdf' } });
    assert.equal(await store.currentSummary(sha(1)), undefined);
    assert.equal(store.reuseChecks.wholeParses, 0);
    // Written as earlier versions did (no header): parsed whole, and its summary is the same.
    await fs.writeFile(store.pathFor(sha(2)), JSON.stringify(doc(2, 100)));
    assert.equal(await readDocumentHeader(store.pathFor(sha(2))), undefined);
    assert.equal((await store.currentSummary(sha(2)))?.chars, 100);
    assert.equal(store.reuseChecks.wholeParses, 1);
    for (const damaged of ['{"id":"' + sha(3), '{"id":"x","extractor":{}}', '', '[1,2,3]']) {
      await fs.writeFile(store.pathFor(sha(3)), damaged);
      assert.equal(await store.currentSummary(sha(3)), undefined, damaged);
    }
    assert.equal(await store.currentSummary(sha(4)), undefined, 'none stored');
    assert.equal(await readDocumentHeader(store.pathFor(sha(4))), null);
  });
});
