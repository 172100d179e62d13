import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { DocumentStore } from '../../../src/core/extract/documentStore';
import { Project } from '../../../src/core/project/project';
import { overlayFile } from '../../../src/core/records/overlay';
import { RecordStore, type RecordsManifest } from '../../../src/core/records/store';
import type { TrainingRecord } from '../../../src/core/records/types';
import { RecordsSession } from '../../../src/extension/records/recordsSession';
import type { RecordsToHost, RecordsToView } from '../../../src/shared/protocol/records';
import { makeDoc } from '../../support/recordDocs';
import { useTempDir } from '../../support/tmp';

/** A project with one extracted document and a published build of `n` records cut from it. */
async function projectWithBuild(dir: string, n: number): Promise<{ project: Project; records: TrainingRecord[] }> {
  const project = await Project.create(dir, { name: 'session' });
  const doc = makeDoc(Array.from({ length: n }, (_, i) => ({ type: 'paragraph' as const, text: `Paragraph ${i} about the pump seal.` })), 'c'.repeat(64));
  await new DocumentStore(project.paths.documents).save(doc);
  const store = new RecordStore(project.paths.records);
  const build = await store.startBuild();
  const records: TrainingRecord[] = doc.blocks.map((b, i) => ({ id: `rec${String(i).padStart(3, '0')}`, kind: 'completion', text: doc.text.slice(b.start, b.end), split: i % 5 === 0 ? 'test' : 'train', tokens: 8, lineage: { documentId: doc.id, sourcePath: 'docs/manual.md', span: { start: b.start, end: b.end }, headingPath: [], builder: 'chunk', paramsHash: 'p' } }));
  const stats = { records: 0, tokens: 0, documents: 1, overLength: { truncated: 0, dropped: 0 } };
  for (const r of records) await build.write(r.split!, r);
  const manifest: RecordsManifest = { formatVersion: 1, build: build.id, builtAt: '2025-01-01T00:00:00Z', builders: {}, settings: {}, documents: 1, splits: { train: { ...stats, records: records.filter((r) => r.split === 'train').length }, validation: { ...stats, records: 0 }, test: { ...stats, records: records.filter((r) => r.split === 'test').length } }, dropped: { duplicates: 0, tooShort: 0 }, problems: [], problemsTotal: 0 };
  await store.publish(build, manifest, new Set());
  return { project, records };
}

function sessionFor(project: Project | undefined) {
  const seen: RecordsToView[] = [];
  const actions: string[] = [];
  const logs: string[] = [];
  const session = new RecordsSession({ project: () => project, runAction: async (a, ids) => actions.push(`${a}:${ids.join(',')}`), log: (m) => logs.push(m) }, (m) => seen.push(m));
  const send = async (m: RecordsToHost) => {
    const from = seen.length;
    await session.receive(m);
    return seen.slice(from);
  };
  const last = <T extends RecordsToView['type']>(type: T, list: RecordsToView[] = seen) => [...list].reverse().find((m) => m.type === type) as Extract<RecordsToView, { type: T }> | undefined;
  return { session, seen, send, last, actions, logs };
}

describe('Records view host session (no VS Code)', function () {
  this.timeout(30_000);
  const tmp = useTempDir();

  it('answers queries, pages and selections; drops stale pages; saves exclusions and edits', async () => {
    const { project, records } = await projectWithBuild(tmp.dir, 30);
    const { session, send, last, actions } = sessionFor(project);
    await send({ type: 'ready' });
    const state = last('state')!.state!;
    assert.equal(state.project, 'session');
    assert.equal(state.facets.total, 30);
    assert.equal(state.busy, undefined);

    let out = await send({ type: 'query', query: 1, filter: { split: 'test' } });
    assert.equal(last('result', out)!.matched, 6);
    out = await send({ type: 'rows', query: 1, start: 0, count: 100 });
    assert.deepEqual(last('rows', out)!.rows.map((r) => r.id), ['rec000', 'rec005', 'rec010', 'rec015', 'rec020', 'rec025']);
    out = await send({ type: 'query', query: 2, filter: { text: 'paragraph 1' } });
    assert.equal(last('result', out)!.matched, 11); // 1, 10–19
    assert.deepEqual(await send({ type: 'rows', query: 1, start: 0, count: 10 }), [], 'a page of an older query is not answered');

    assert.equal(last('detail', await send({ type: 'select', recordId: 'missing' }))!.detail, undefined);
    out = await send({ type: 'select', recordId: 'rec012' });
    const detail = last('detail', out)!.detail!;
    assert.deepEqual([detail.index, (detail.source as { span: string }).span], [2, records[12]!.kind === 'completion' ? records[12]!.text : '']);
    assert.match((detail.source as { before: string }).before, /Paragraph 11 about the pump seal\.\n\n$/);

    out = await send({ type: 'run', id: 7, action: 'exclude', recordIds: ['rec012'] });
    assert.deepEqual(last('reply', out), { type: 'reply', id: 7, ok: true });
    assert.equal(last('state', out)!.state!.facets.excluded, 1);
    assert.equal(last('result', out)!.matched, 11, 'the current query is answered again');
    assert.equal(last('detail', out)!.detail!.excluded, true);
    out = await send({ type: 'edit', id: 8, recordId: 'rec012', fields: { kind: 'completion', text: 'Replaced by hand.' } });
    assert.deepEqual(last('reply', out), { type: 'reply', id: 8, ok: true });
    const edited = last('detail', out)!.detail!;
    assert.equal((edited.fields as { text: string }).text, 'Replaced by hand.');
    assert.ok(edited.tokens! > 0);
    out = await send({ type: 'edit', id: 9, recordId: 'rec012', fields: { kind: 'chat', messages: [{ role: 'user', content: 'x' }] } });
    assert.match((last('reply', out) as { error: string }).error, /is a completion record, not chat/);
    out = await send({ type: 'edit', id: 10, recordId: 'nope', fields: null });
    assert.match((last('reply', out) as { error: string }).error, /not in the current build/);
    out = await send({ type: 'edit', id: 11, recordId: 'rec012', fields: null });
    assert.deepEqual(last('reply', out), { type: 'reply', id: 11, ok: true });
    assert.equal(last('detail', out)!.detail!.original, undefined, 'the edit is dropped');

    await send({ type: 'run', id: 12, action: 'reveal', recordIds: ['rec003'] });
    await send({ type: 'run', id: 13, action: 'build', recordIds: [] });
    assert.deepEqual(actions, ['reveal:rec003', 'build:']);
    assert.equal((await session.record('rec003'))?.id, 'rec003');
    session.dispose();
  });

  it('shows the records without a damaged overlay and says why; a repaired file applies again', async () => {
    const { project } = await projectWithBuild(tmp.dir, 10);
    const { session, send, last, logs } = sessionFor(project);
    await send({ type: 'ready' });
    await send({ type: 'run', id: 1, action: 'exclude', recordIds: ['rec001'] });
    const file = overlayFile(project.paths.dataDir);
    const good = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, `${good}<<<<<<< HEAD\n`);
    await session.refresh();
    let state = last('state')!.state!;
    assert.match(state.error ?? '', /line 3 is not valid JSON/);
    assert.equal(state.facets.total, 10);
    assert.equal(state.facets.excluded, 0);
    assert.ok(logs.some((l) => /records-overlay\.jsonl line 3/.test(l)));
    const out = await send({ type: 'run', id: 2, action: 'exclude', recordIds: ['rec002'] });
    assert.equal(last('reply', out)!.ok, false, 'saving is refused while the file is damaged');
    await fs.writeFile(file, good);
    await session.refresh();
    state = last('state')!.state!;
    assert.equal(state.error, undefined);
    assert.equal(state.facets.excluded, 1);
    session.dispose();
  });

  it('says there is no project, and shows an empty view before the first build', async () => {
    const none = sessionFor(undefined);
    await none.send({ type: 'ready' });
    assert.equal(none.last('state')!.state, undefined);
    await none.session.refresh();
    assert.equal(none.last('state')!.state, undefined);
    const project = await Project.create(tmp.dir, { name: 'empty' });
    const empty = sessionFor(project);
    await empty.send({ type: 'ready' });
    const state = empty.last('state')!.state!;
    assert.equal(state.build, undefined);
    assert.equal(state.facets.total, 0);
    assert.equal(empty.last('result', await empty.send({ type: 'query', query: 1, filter: {} }))!.matched, 0);
  });
});
