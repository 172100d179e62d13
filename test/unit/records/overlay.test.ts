import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { DocumentStore } from '../../../src/core/extract/documentStore';
import { Project } from '../../../src/core/project/project';
import type { SourceEntry } from '../../../src/core/project/sources';
import { buildProjectRecords } from '../../../src/core/records/build';
import { applyOverlay, overlayFile, parseOverlay, readOverlay, RecordOverlay, updateOverlay, type RecordEdit } from '../../../src/core/records/overlay';
import { overlaidStats } from '../../../src/core/records/overlayStats';
import { RecordBrowser } from '../../../src/core/records/recordBrowser';
import { sourceSpanView } from '../../../src/core/records/sourceSpan';
import { RecordStore, type RecordsManifest } from '../../../src/core/records/store';
import type { SplitName, TrainingRecord } from '../../../src/core/records/types';
import { generatedParts, makeDoc } from '../../support/recordDocs';
import { useTempDir } from '../../support/tmp';

const execFileP = promisify(execFile);
const hex = (n: number) => n.toString(16).padStart(64, '0');
const lineage = (doc: string, start: number) => ({ documentId: doc, sourcePath: `docs/${doc}.md`, span: { start, end: start + 5 }, headingPath: [], builder: 'chunk' as const, paramsHash: 'p' });
const completion = (id: string, text: string, doc = 'a'): TrainingRecord => ({ id, kind: 'completion', text, lineage: lineage(doc, 0), tokens: 3 });

async function* iterate<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** A published build written straight through the store (no tokenizer needed). */
async function writeBuild(dir: string, records: Array<TrainingRecord & { split: SplitName }>): Promise<RecordStore> {
  const store = new RecordStore(dir);
  const build = await store.startBuild();
  for (const r of records) await build.write(r.split, r);
  const stats = { records: 0, tokens: 0, documents: 0, overLength: { truncated: 0, dropped: 0 } };
  const manifest: RecordsManifest = { formatVersion: 1, build: build.id, builtAt: '2025-01-01T00:00:00Z', builders: {}, settings: {}, documents: 1, splits: { train: { ...stats, records: records.filter((r) => r.split === 'train').length }, validation: { ...stats }, test: { ...stats } }, dropped: { duplicates: 0, tooShort: 0 }, problems: [], problemsTotal: 0 };
  await store.publish(build, manifest, new Set());
  return store;
}

describe('records overlay: edits and exclusions by record id', function () {
  this.timeout(60_000);
  const tmp = useTempDir();

  it('applies edits and exclusions while streaming, and lists orphaned entries', async () => {
    const overlay = new RecordOverlay();
    overlay.setExcluded(['b'], true, 't1');
    overlay.setEdit('c', { kind: 'completion', text: 'new text' }, 2, 't2');
    overlay.setEdit('gone', { kind: 'completion', text: 'orphan' }, undefined, 't3');
    overlay.setEdit('a', { kind: 'instruction', instruction: 'i', input: '', output: 'o' }, undefined, 't4'); // wrong kind: ignored
    const records = [completion('a', 'alpha'), completion('b', 'beta'), completion('c', 'gamma')];
    const seen = new Set<string>();
    const exported = await collect(applyOverlay(iterate(records), overlay, { seen }));
    assert.deepEqual(exported.map((r) => r.id), ['a', 'c']);
    assert.deepEqual(exported[0], records[0], 'an edit of another kind leaves the record as built');
    assert.deepEqual(exported[1], { ...records[2], text: 'new text', tokens: 2, flags: ['edited'] });
    assert.deepEqual(records[2], completion('c', 'gamma'), 'the input is not changed');
    const shown = await collect(applyOverlay(iterate(records), overlay, { keepExcluded: true }));
    assert.deepEqual(shown.map((r) => [r.id, r.flags ?? []]), [['a', []], ['b', ['excluded']], ['c', ['edited']]]);
    assert.deepEqual(overlay.orphans(seen).map((e) => e.id), ['gone']);
    // Clearing both the edit and the exclusion removes the entry.
    overlay.setExcluded(['b'], false);
    overlay.setEdit('c', undefined);
    assert.deepEqual(overlay.entries().map((e) => e.id), ['a', 'gone']);
    // An edit without a token count drops the stale count.
    overlay.setEdit('c', { kind: 'completion', text: 'x' });
    assert.equal(overlay.apply(records[2]!).tokens, undefined);
  });

  it('serialises one entry a line, sorted by id, and reads it back', () => {
    const overlay = new RecordOverlay();
    overlay.setEdit('z9', { kind: 'chat', messages: [{ role: 'user', content: 'Q' }, { role: 'assistant', content: 'A' }] }, 7, 't');
    overlay.setExcluded(['a1', 'm5'], true, 't');
    const text = overlay.serialize();
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.length, 4);
    assert.deepEqual(JSON.parse(lines[0]!), { formatVersion: 1, kind: 'brightrun-records-overlay' });
    assert.deepEqual(lines.slice(1).map((l) => JSON.parse(l).id), ['a1', 'm5', 'z9']);
    assert.equal(lines[1], '{"id":"a1","excluded":true,"updatedAt":"t"}');
    assert.deepEqual(parseOverlay(text).entries(), overlay.entries());
    assert.equal(parseOverlay('').size, 0);
  });

  it('refuses a damaged file with the line to fix, and a newer format', () => {
    const head = '{"formatVersion":1,"kind":"brightrun-records-overlay"}\n';
    const cases: Array<[string, RegExp]> = [
      [`${head}{"id":"a","excluded":true,"updatedAt":"t"}\n<<<<<<< HEAD\n`, /line 3 is not valid JSON/],
      ['{"id":"a"}\n', /line 1 is not the overlay header/],
      [`${head}[1]\n`, /line 2 is not an object/],
      [`${head}{"excluded":true,"updatedAt":"t"}\n`, /line 2 has no record id/],
      [`${head}{"id":"a","excluded":false,"updatedAt":"t"}\n`, /"excluded" that is not true/],
      [`${head}{"id":"a","excluded":true,"tokens":-1,"updatedAt":"t"}\n`, /"tokens"/],
      [`${head}{"id":"a","excluded":true}\n`, /no "updatedAt"/],
      [`${head}{"id":"a","updatedAt":"t"}\n`, /neither edits nor excludes/],
      [`${head}{"id":"a","edit":{"kind":"chat","messages":[{"role":"tool","content":"x"}]},"updatedAt":"t"}\n`, /bad edit \(.*unknown role/],
      [`${head}{"id":"a","edit":{"kind":"chat","messages":[]},"updatedAt":"t"}\n`, /bad edit \(.*no messages/],
      [`${head}{"id":"a","edit":{"kind":"instruction","instruction":"i","output":"o"},"updatedAt":"t"}\n`, /"input" that is not text/],
      [`${head}{"id":"a","edit":{"kind":"poem","text":"x"},"updatedAt":"t"}\n`, /unknown kind "poem"/],
      [`${head}{"id":"a","edit":{"kind":"completion","text":3},"updatedAt":"t"}\n`, /"text" that is not text/],
    ];
    for (const [text, message] of cases) assert.throws(() => parseOverlay(text, '/p/records-overlay.jsonl'), (err: { code: string; message: string; remedy: string; file: string }) => err.code === 'STATE_CORRUPT' && message.test(err.message) && /Fix or delete line/.test(err.remedy) && err.file === '/p/records-overlay.jsonl', text);
    assert.throws(() => parseOverlay('{"formatVersion":2,"kind":"brightrun-records-overlay"}\n'), { code: 'STATE_NEWER_FORMAT' });
    assert.throws(() => new RecordOverlay().setEdit('a', { kind: 'chat', messages: [{ role: 'bot', content: 'x' }] } as unknown as RecordEdit), { code: 'INVALID_ARGUMENT' });
  });

  it('writes atomically under the lock, merges with the file on disk and never overwrites a damaged one', async () => {
    const dataDir = path.join(tmp.dir, '.brightrun');
    assert.equal((await readOverlay(overlayFile(dataDir))).size, 0, 'no file: empty');
    await updateOverlay(dataDir, (o) => o.setExcluded(['r1'], true));
    await updateOverlay(dataDir, (o) => o.setEdit('r2', { kind: 'completion', text: 'changed' }, 1));
    const back = await readOverlay(overlayFile(dataDir));
    assert.deepEqual(back.entries().map((e) => [e.id, !!e.excluded, e.edit?.kind]), [['r1', true, undefined], ['r2', false, 'completion']]);
    assert.deepEqual((await fs.readdir(dataDir)).sort(), ['records-overlay.jsonl'], 'no temp file or lock left');
    await fs.appendFile(overlayFile(dataDir), 'garbage\n');
    const damaged = await fs.readFile(overlayFile(dataDir), 'utf8');
    await assert.rejects(updateOverlay(dataDir, (o) => o.setExcluded(['r3'], true)), { code: 'STATE_CORRUPT' });
    assert.equal(await fs.readFile(overlayFile(dataDir), 'utf8'), damaged);
  });

  it('survives rebuilds: exclusions and edits follow their ids; a record that is gone is reported, not lost', async () => {
    const project = await Project.create(tmp.dir, { name: 'overlay' });
    await project.saveConfig({ ...project.config, records: { builder: 'chunk', dedupe: 'exact', targetTokens: 80, maxTokens: 120, overlapTokens: 10, minTokens: 4 } });
    const docs = new DocumentStore(project.paths.documents);
    const entryFor = async (seed: number): Promise<SourceEntry> => {
      const doc = makeDoc(generatedParts(seed), hex(seed * 7919));
      await docs.save(doc);
      return { path: `docs/d${seed}.md`, sha256: doc.id, size: doc.text.length, mtimeMs: 0, addedAt: 't', updatedAt: 't', status: 'done' };
    };
    const d1 = await entryFor(1);
    const d2 = await entryFor(2);
    await project.updateSources(() => ({ sources: [d1, d2], result: undefined }));
    await buildProjectRecords(project);
    const store = new RecordStore(project.paths.records);
    const first = await collect(store.records());
    const fromD1 = first.find((r) => r.lineage.sourcePath === 'docs/d1.md')!;
    const fromD2 = first.find((r) => r.lineage.sourcePath === 'docs/d2.md')!;
    await updateOverlay(project.paths.dataDir, (o) => {
      o.setExcluded([fromD1.id], true);
      o.setEdit(fromD2.id, { kind: 'completion', text: 'Edited by hand.' }, 4);
    });

    // Rebuild with one more document: both entries still apply.
    const d3 = await entryFor(3);
    await project.updateSources((s) => ({ sources: [...s, d3], result: undefined }));
    await buildProjectRecords(project);
    let overlay = await readOverlay(overlayFile(project.paths.dataDir));
    let seen = new Set<string>();
    const exported = await collect(applyOverlay(store.records(), overlay, { seen }));
    assert.ok(!exported.some((r) => r.id === fromD1.id), 'still excluded after the rebuild');
    assert.equal((exported.find((r) => r.id === fromD2.id) as { text: string }).text, 'Edited by hand.');
    assert.deepEqual(overlay.orphans(seen), []);
    const stats = await overlaidStats(store, overlay);
    assert.deepEqual([stats.excluded, stats.edited, stats.orphans.length], [1, 1, 0]);
    assert.equal(stats.splits.train.records + stats.splits.validation.records + stats.splits.test.records, exported.length);
    assert.equal(stats.splits[fromD2.split!].tokens, exported.filter((r) => r.split === fromD2.split).reduce((n, r) => n + (r.tokens ?? 0), 0));
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(overlaidStats(store, overlay, { signal: ac.signal }), { code: 'CANCELLED' });

    // d2 leaves the dataset: its edit is orphaned, kept in the file.
    await project.updateSources((s) => ({ sources: s.filter((x) => x.path !== 'docs/d2.md'), result: undefined }));
    await buildProjectRecords(project);
    overlay = await readOverlay(overlayFile(project.paths.dataDir));
    seen = new Set();
    await collect(applyOverlay(store.records(), overlay, { seen }));
    assert.deepEqual(overlay.orphans(seen).map((e) => e.id), [fromD2.id]);
    assert.equal(overlay.size, 2);
  });
});

describe('records overlay in the CLI', function () {
  this.timeout(60_000);
  const tmp = useTempDir();

  it('records stats counts as exported (exclusions out, orphans reported); records show shows the edit', async function () {
    const cli = path.resolve(__dirname, '../../../../dist/cli.js');
    if (!existsSync(cli)) this.skip();
    const project = await Project.create(tmp.dir, { name: 'overlay-cli' });
    await project.saveConfig({ ...project.config, records: { builder: 'chunk', dedupe: 'exact', targetTokens: 80, maxTokens: 120, overlapTokens: 10, minTokens: 4 } });
    const doc = makeDoc(generatedParts(5), hex(5));
    await new DocumentStore(project.paths.documents).save(doc);
    await project.updateSources(() => ({ sources: [{ path: 'docs/d5.md', sha256: doc.id, size: doc.text.length, mtimeMs: 0, addedAt: 't', updatedAt: 't', status: 'done' }], result: undefined }));
    await buildProjectRecords(project);
    const records = await collect(new RecordStore(project.paths.records).records());
    const [a, b] = records;
    await updateOverlay(project.paths.dataDir, (o) => {
      o.setExcluded([a!.id, 'not-a-record'], true);
      o.setEdit(b!.id, { kind: 'completion', text: 'Edited for the CLI.' }, 5);
    });
    const run = (...args: string[]) => execFileP(process.execPath, [cli, ...args], { cwd: tmp.dir });
    const text = (await run('records', 'stats')).stdout;
    assert.match(text, new RegExp(`your changes \\(records-overlay\\.jsonl\\): 1 excluded, 1 edited, 1 for records not in this build \\(kept\\); as exported: train ${records.filter((r) => r.split === 'train').length - (a!.split === 'train' ? 1 : 0)} `));
    const json = JSON.parse((await run('records', 'stats', '--json')).stdout);
    assert.deepEqual([json.overlay.excluded, json.overlay.edited, json.overlay.orphaned], [1, 1, ['not-a-record']]);
    const shown = (await run('records', 'show', b!.id)).stdout;
    assert.match(shown, /Edited for the CLI\./);
    assert.match(shown, /flags edited/);
    assert.deepEqual(JSON.parse((await run('records', 'show', a!.id, '--json')).stdout).flags, ['excluded']);
  });
});

describe('records browser: index, filters, pages', function () {
  this.timeout(60_000);
  const tmp = useTempDir();

  it('indexes a build, filters with counts, pages by byte range and applies the overlay', async () => {
    const recs: Array<TrainingRecord & { split: SplitName }> = [];
    for (let i = 0; i < 250; i++) {
      const split: SplitName = i % 10 === 0 ? 'test' : i % 10 === 1 ? 'validation' : 'train';
      const base = { id: `r${String(i).padStart(3, '0')}`, lineage: { ...lineage(`doc${i % 3}`, i * 10), builder: (i % 5 === 0 ? 'pairs' : 'chunk') as 'pairs' | 'chunk' }, split, ...(i % 7 === 0 ? { flags: ['truncated'] } : {}) };
      if (i % 4 === 0) recs.push({ ...base, kind: 'instruction', instruction: `Question ${i}`, input: '', output: `Answer ${i} ünïcödé` });
      else if (i % 4 === 1) recs.push({ ...base, kind: 'chat', messages: [{ role: 'user', content: `Hello ${i}` }, { role: 'assistant', content: `Reply ${i}` }] });
      else recs.push({ ...base, kind: 'completion', text: `Chunk number ${i} about the Pump 圧力 ${'x'.repeat(i)}` });
    }
    const store = await writeBuild(path.join(tmp.dir, 'records'), recs);
    const overlay = new RecordOverlay();
    overlay.setExcluded(['r002', 'r003'], true);
    overlay.setEdit('r006', { kind: 'completion', text: 'Replaced words' }, 2);
    const progress: number[] = [];
    const browser = await RecordBrowser.open(store, overlay, { onProgress: (p) => progress.push(p.done) });
    assert.equal(browser.size, 250);
    assert.equal(browser.matched, 250);
    assert.equal(progress.at(-1), 250);
    const f = browser.facets();
    assert.deepEqual(f.splits, { train: 200, validation: 25, test: 25 });
    assert.deepEqual(f.kinds, [['completion', 124], ['chat', 63], ['instruction', 63]]);
    assert.deepEqual(f.builders, [['chunk', 200], ['pairs', 50]]);
    assert.equal(f.sources.length, 3);
    assert.deepEqual(f.flags, [['truncated', 36], ['edited', 1]]);
    assert.equal(f.excluded, 2);
    assert.equal(f.edited, 1);

    // Build order: train, then validation, then test.
    const first = await browser.page(0, 3);
    assert.deepEqual(first.map((x) => [x.index, x.record.id]), [[0, 'r002'], [1, 'r003'], [2, 'r004']]);
    assert.deepEqual(first[0]!.record.flags, ['excluded']);
    assert.equal(await browser.query({ split: 'test' }), 25);
    assert.ok((await browser.page(0, 100)).every((x) => x.record.split === 'test'));
    assert.equal(await browser.query({ excluded: 'hide', split: 'train' }), 198);
    assert.equal(await browser.query({ excluded: 'only' }), 2);
    assert.equal(await browser.query({ flag: 'edited' }), 1);
    assert.equal(await browser.query({ flag: 'truncated', builder: 'pairs' }), recs.filter((r) => r.flags && r.lineage.builder === 'pairs').length);
    assert.equal(await browser.query({ kind: 'chat', source: 'docs/doc1.md' }), recs.filter((r) => r.kind === 'chat' && r.lineage.sourcePath === 'docs/doc1.md').length);
    // Text search: case-insensitive, over every kind's content and over edits (the built text no longer matches).
    assert.equal(await browser.query({ text: 'PUMP 圧力' }), 124 - 1);
    assert.equal(await browser.query({ text: 'replaced' }), 1);
    assert.equal(await browser.query({ text: 'ÜNÏCÖDÉ', split: 'validation' }), recs.filter((r) => r.kind === 'instruction' && r.split === 'validation').length);
    assert.equal(await browser.query({ text: 'reply 133' }), 1);
    assert.equal(await browser.query({ text: 'r249' }), 1, 'ids are searched');
    assert.equal(browser.indexOf('r249'), 0);
    assert.equal(browser.indexOf('r001'), -1);
    // Pages past the end are short; one record by id; the original without the overlay.
    await browser.query({});
    assert.equal((await browser.page(240, 50)).length, 10);
    assert.equal(((await browser.record('r006')) as { text: string }).text, 'Replaced words');
    assert.match(((await browser.original('r006')) as { text: string }).text, /^Chunk number 6/);
    assert.equal(await browser.record('nope'), undefined);
    assert.equal(await browser.original('nope'), undefined);
    // Overlay changes are seen by later reads.
    const next = new RecordOverlay(overlay.entries());
    next.setEdit('nope', { kind: 'completion', text: 'gone' });
    browser.setOverlay(next);
    assert.deepEqual(browser.orphans().map((e) => e.id), ['nope']);
    // Cancellation of a text search.
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(browser.query({ text: 'pump' }, { signal: ac.signal }), { code: 'CANCELLED' });
  });

  it('is empty without a build', async () => {
    const browser = await RecordBrowser.open(new RecordStore(path.join(tmp.dir, 'none')), new RecordOverlay());
    assert.equal(browser.size, 0);
    assert.deepEqual(await browser.page(0, 10), []);
    assert.equal(browser.facets().total, 0);
  });

  it('shows a span with context, clamped, cut when long and never inside a surrogate pair', () => {
    const text = `${'a'.repeat(1000)}\nline before\nTHE SPAN\nline after\n${'b'.repeat(1000)}`;
    const start = text.indexOf('THE SPAN');
    const v = sourceSpanView({ text }, { span: { start, end: start + 8 } }, 20);
    assert.equal(v.span, 'THE SPAN');
    assert.equal(v.before, 'line before\n', 'widened to the line start');
    assert.equal(v.after, '\nline after', 'widened to the line end');
    assert.ok(v.cutBefore && v.cutAfter);
    const clamped = sourceSpanView({ text: 'short' }, { span: { start: 2, end: 99 } });
    assert.deepEqual([clamped.before, clamped.span, clamped.after, clamped.cutBefore, clamped.cutAfter], ['sh', 'ort', '', false, false]);
    const emoji = '😀'.repeat(100);
    const e = sourceSpanView({ text: emoji }, { span: { start: 100, end: 102 } }, 31);
    assert.ok(!/[\udc00-\udfff]/.test(e.before[0]!), 'no lone low surrogate at the start');
    const long = sourceSpanView({ text: 'x'.repeat(50_000) }, { span: { start: 0, end: 50_000 } });
    assert.equal(long.span.length, 20_000);
    assert.equal(long.after, '');
    assert.ok(long.cutAfter);
  });
});
