import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { DocumentStore } from '../../../src/core/extract/documentStore';
import { Project } from '../../../src/core/project/project';
import type { SourceEntry } from '../../../src/core/project/sources';
import { buildProjectRecords, dryRunRecords } from '../../../src/core/records/build';
import { applyLengthLimits, duplicateKey } from '../../../src/core/records/quality';
import { recordSettings } from '../../../src/core/records/settings';
import { splitOf } from '../../../src/core/records/splits';
import { BuildWriter, RecordStore } from '../../../src/core/records/store';
import { loadTokenizer } from '../../../src/core/records/tokenizer';
import type { CompletionRecord } from '../../../src/core/records/types';
import { generatedParts, makeDoc } from '../../support/recordDocs';
import { useTempDir } from '../../support/tmp';

const execFileP = promisify(execFile);
const tok = loadTokenizer('qwen3');
const hex = (n: number) => n.toString(16).padStart(64, '0');

/** A project whose sources are "extracted" generated manuals (documents written straight to the store). */
async function projectWith(dir: string, seeds: number[], records = { targetTokens: 80, maxTokens: 120, overlapTokens: 10, minTokens: 4 }): Promise<Project> {
  const project = (await Project.find(dir)) ? await Project.open(dir) : await Project.create(dir, { name: 'recs' });
  const config = project.config;
  await project.saveConfig({ ...config, records: { builder: 'chunk', dedupe: 'exact', ...records } });
  await addDocs(project, seeds);
  return project;
}

async function addDocs(project: Project, seeds: number[], variant = ''): Promise<void> {
  const store = new DocumentStore(project.paths.documents);
  const now = new Date().toISOString();
  const entries: SourceEntry[] = [];
  for (const seed of seeds) {
    const doc = makeDoc(generatedParts(seed), hex(seed * 7919 + variant.length));
    if (variant) doc.text += `\n\n${variant}`;
    await store.save(doc);
    entries.push({ path: `docs/d${seed}.md`, sha256: doc.id, size: doc.text.length, mtimeMs: 0, addedAt: now, updatedAt: now, status: 'done' as const });
  }
  await project.updateSources((sources) => ({ sources: [...sources.filter((s) => !entries.some((e) => e.path === s.path)), ...entries], result: undefined }));
}

async function allRecords(project: Project): Promise<CompletionRecord[]> {
  const out: CompletionRecord[] = [];
  for await (const r of new RecordStore(project.paths.records).records()) out.push(r as CompletionRecord);
  return out;
}

describe('records: splits, quality, storage and CLI', function () {
  this.timeout(60_000);
  const tmp = useTempDir();

  it('assigns splits by document, stably: adding documents never moves one (property)', () => {
    const ratios = { train: 0.8, validation: 0.1, test: 0.1, seed: 42 };
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[0-9a-f]{64}$/), { minLength: 1, maxLength: 30 }), fc.uniqueArray(fc.stringMatching(/^[0-9a-f]{64}$/), { maxLength: 30 }), fc.nat(), (before, added, seed) => {
        const r = { ...ratios, seed };
        const first = new Map(before.map((id) => [id, splitOf(id, r)]));
        const after = new Map([...added, ...before].map((id) => [id, splitOf(id, r)]));
        for (const id of before) assert.equal(after.get(id), first.get(id));
      }),
    );
    const counts = { train: 0, validation: 0, test: 0 };
    for (let i = 0; i < 20_000; i++) counts[splitOf(hex(i), ratios)]++;
    assert.ok(Math.abs(counts.train / 20_000 - 0.8) < 0.02 && Math.abs(counts.test / 20_000 - 0.1) < 0.01, JSON.stringify(counts));
    assert.notEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => splitOf(hex(i), ratios)).join(), [0, 1, 2, 3, 4, 5, 6, 7].map((i) => splitOf(hex(i), { ...ratios, seed: 7 })).join());
  });

  it('finds exact duplicates after normalisation, drops short records and truncates or drops long ones', () => {
    const base = { id: 'x', kind: 'completion' as const, lineage: { documentId: 'd', sourcePath: 'a', span: { start: 0, end: 10 }, headingPath: [], builder: 'chunk' as const, paramsHash: '0' } };
    assert.equal(duplicateKey({ ...base, text: 'Prime  the\nPump' }), duplicateKey({ ...base, text: 'prime the pump ' }));
    assert.notEqual(duplicateKey({ ...base, text: 'prime the pump' }), duplicateKey({ ...base, text: 'prime the pumps' }));
    const limits = { minTokens: 3, maxTokens: 10, overLength: 'truncate' as const };
    assert.deepEqual(applyLengthLimits({ ...base, text: 'Hi' }, tok, limits), { action: 'drop', reason: 'too-short' });
    const long = { ...base, text: 'The pump must be primed with clean water before the first start, every time.' };
    const v = applyLengthLimits(long, tok, limits);
    assert.equal(v.action, 'truncated');
    const cut = (v as { record: CompletionRecord }).record;
    assert.ok(cut.tokens! <= 10 && long.text.startsWith(cut.text) && /\S$/.test(cut.text) && cut.flags!.includes('truncated'));
    assert.deepEqual(applyLengthLimits(long, tok, { ...limits, overLength: 'drop' }), { action: 'drop', reason: 'too-long' });
    const chat = { ...base, kind: 'chat' as const, messages: [{ role: 'user' as const, content: 'Why?' }, { role: 'assistant' as const, content: long.text.repeat(3) }] };
    const c = applyLengthLimits(chat, tok, { ...limits, maxTokens: 20 });
    assert.equal(c.action, 'truncated');
  });

  it('builds, publishes atomically, reuses unchanged documents and keeps the previous set when a build fails', async () => {
    const project = await projectWith(tmp.dir, [1, 2, 3, 4, 5, 6]);
    const first = await buildProjectRecords(project);
    assert.equal(first.processed, 6);
    const m = first.manifest;
    const total = m.splits.train.records + m.splits.validation.records + m.splits.test.records;
    const records = await allRecords(project);
    assert.equal(records.length, total);
    assert.equal(m.splits.train.documents + m.splits.validation.documents + m.splits.test.documents, 6);
    assert.equal(m.splits.train.tokens, records.filter((r) => r.split === 'train').reduce((s, r) => s + r.tokens!, 0));
    const byDoc = new Map<string, string>();
    for (const r of records) {
      assert.equal(byDoc.get(r.lineage.documentId) ?? r.split, r.split, 'one split per document');
      byDoc.set(r.lineage.documentId, r.split!);
      assert.ok(r.tokens! <= 120 && r.tokens! >= 4);
    }

    // Unchanged: nothing chunked again, same records.
    const again = await buildProjectRecords(project);
    assert.equal(again.processed, 0);
    assert.deepEqual((await allRecords(project)).map((r) => r.id), records.map((r) => r.id));
    // One document added, one changed: only those two are chunked; the others keep their split and ids.
    await addDocs(project, [7]);
    await addDocs(project, [2], 'A new closing paragraph about seals.');
    const third = await buildProjectRecords(project);
    assert.equal(third.processed, 2);
    const after = await allRecords(project);
    for (const r of records.filter((x) => x.lineage.sourcePath !== 'docs/d2.md')) assert.ok(after.some((a) => a.id === r.id && a.split === r.split), 'unchanged records stay');
    const files = await fs.readdir(path.join(project.paths.records, 'by-document'));
    assert.equal(files.length, 7, 'the old version of d2 is cleaned');

    // A build that fails midway (cancelled after the first document) leaves the previous set and manifest.
    const before = await fs.readFile(path.join(project.paths.records, 'manifest.json'), 'utf8');
    await project.saveConfig({ ...project.config, records: { ...project.config.records, targetTokens: 60 } });
    const ac = new AbortController();
    await assert.rejects(buildProjectRecords(project, { signal: ac.signal, onProgress: (p) => p.done >= 1 && ac.abort() }), { code: 'CANCELLED' });
    assert.equal(await fs.readFile(path.join(project.paths.records, 'manifest.json'), 'utf8'), before);
    assert.deepEqual((await allRecords(project)).map((r) => r.id), after.map((r) => r.id));
    const builds = await fs.readdir(path.join(project.paths.records, 'builds'));
    assert.equal(builds.length, 1, 'one build folder');
    // The next complete build publishes and cleans up.
    const fourth = await buildProjectRecords(project);
    assert.equal(fourth.processed + fourth.reused, 7);
    assert.deepEqual(await fs.readdir(path.join(project.paths.records, 'builds')), [fourth.manifest.build]);
  });

  it('a write error of a build (its folder gone, a full disk) fails the build with the file named, never an unhandled error', async () => {
    const dir = path.join(tmp.dir, 'gone');
    const writer = new BuildWriter('b', dir);
    const record = { id: 'r', kind: 'completion' as const, text: 'x', lineage: { documentId: 'd', sourcePath: 's', span: { start: 0, end: 1 }, headingPath: [] as string[], builder: 'chunk' as const, paramsHash: 'p' } };
    let failed: unknown;
    for (let i = 0; i < 50 && !failed; i++) {
      try {
        await writer.write('train', { ...record, id: `r${i}` });
        await new Promise((r) => setTimeout(r, 5));
      } catch (err) {
        failed = err;
      }
    }
    assert.equal((failed as { code?: string }).code, 'OUTPUT_UNWRITABLE');
    assert.match((failed as Error).message, /train\.jsonl/);
    await assert.rejects(writer.close(), (e: { code?: string }) => e.code === 'OUTPUT_UNWRITABLE');
  });

  it('reads a records manifest written before per-builder figures as one builder holding every record', async () => {
    const store = new RecordStore(path.join(tmp.dir, 'records'));
    await fs.mkdir(store.dir, { recursive: true });
    const split = (records: number, tokens: number) => ({ records, tokens, documents: 1, overLength: { truncated: 0, dropped: 1 } });
    await fs.writeFile(store.manifestFile, JSON.stringify({ formatVersion: 1, build: 'b', builtAt: '2026-01-01T00:00:00Z', builder: 'chunk', paramsHash: '0123456789abcdef', settings: {}, documents: 2, splits: { train: split(5, 50), validation: split(1, 10), test: split(0, 0) }, dropped: { duplicates: 3, tooShort: 2 } }));
    const m = (await store.readManifest())!;
    assert.deepEqual(m.builders, { chunk: { paramsHash: '0123456789abcdef', records: 6, tokens: 60, documents: 2, dropped: { duplicates: 3, tooShort: 2, overLength: 3 }, problems: 0 } });
    assert.deepEqual([m.problems, m.problemsTotal], [[], 0]);
    assert.equal('builder' in m, false);
  });

  it('reads old character settings as tokens and refuses both at once', async () => {
    const project = await Project.create(tmp.dir, { name: 'old' });
    const s = recordSettings({ ...project.config, records: { chunkSize: 2000, chunkOverlap: 200 } });
    assert.deepEqual(s.chunk, { tokenizer: 'qwen3', targetTokens: 500, maxTokens: 750, overlapTokens: 50, removeFurniture: true });
    await assert.rejects(project.saveConfig({ ...project.config, records: { chunkSize: 2000, targetTokens: 300 } }), /chunkSize.*targetTokens/);
    await assert.rejects(project.saveConfig({ ...project.config, records: { targetTokens: 300, maxTokens: 200 } }), /maxTokens/);
  });

  it('CLI: records build --dry-run, build, stats, show (through dist/cli.js)', async function () {
    const cli = path.resolve(__dirname, '../../../../dist/cli.js');
    if (!existsSync(cli)) this.skip();
    const project = await projectWith(tmp.dir, [11, 12, 13]);
    const run = (...args: string[]) => execFileP(process.execPath, [cli, ...args], { cwd: tmp.dir });
    const dry = await run('records', 'build', '--dry-run', '1');
    assert.match(dry.stdout, /docs\/d11\.md — chunk: \d+ record\(s\)/);
    assert.match(dry.stdout, /Dry run: \d+ record\(s\) from 1 document\(s\); nothing written\./);
    assert.ok(!existsSync(path.join(project.paths.records, 'manifest.json')));
    const built = await run('records', 'build');
    assert.match(built.stdout, /Built \d+ record\(s\) from 3 document\(s\) \(3 built, 0 unchanged\)/);
    const stats = JSON.parse((await run('records', 'stats', '--json')).stdout);
    assert.equal(stats.documents, 3);
    assert.match((await run('records', 'stats')).stdout, /train\s+\d+/);
    const id = (await allRecords(project))[0]!.id;
    assert.match((await run('records', 'show', id)).stdout, new RegExp(`Record ${id} \\(completion`));
    assert.equal(JSON.parse((await run('records', 'show', id, '--json')).stdout).id, id);
    await assert.rejects(run('records', 'show', 'nope'), (e: { code: number; stderr: string }) => e.code === 1 && /^brightrun: error \[INVALID_ARGUMENT\] No record with id nope/.test(e.stderr) && e.stderr.split('\n').length === 2);
    await assert.rejects(run('records', 'frobnicate'), (e: { code: number }) => e.code === 2);
    const dryJson = await dryRunRecords(project, 1);
    assert.equal(dryJson.length, 1);
  });
});
