import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runExport, type ExportRequest } from '../../../src/core/export';
import { Project } from '../../../src/core/project/project';
import { updateOverlay } from '../../../src/core/records/overlay';
import { draftOf, ExportPanelSession } from '../../../src/extension/export/exportPanelSession';
import type { ExportPanelRequest, ExportPanelToHost, ExportPanelToView } from '../../../src/shared/protocol/exportPanel';
import { isExportPanelToHost } from '../../../src/shared/protocol/exportPanel';
import { makeRecords, writeRecordsBuild } from '../../support/exportRecords';
import { useTempDir } from '../../support/tmp';

type Reply = Extract<ExportPanelToView, { type: 'reply' }>;

describe('Export panel host session (no VS Code)', function () {
  this.timeout(60_000);
  const tmp = useTempDir();

  async function setup(withRecords = true) {
    const project = await Project.create(tmp.dir, { name: 'panel' });
    const records = makeRecords('completion', 20);
    if (withRecords) await writeRecordsBuild(tmp.dir, records);
    const seen: ExportPanelToView[] = [];
    const exported: ExportRequest[] = [];
    const session = new ExportPanelSession(
      {
        project: () => project,
        log: () => undefined,
        describeFormat: (f) => `about ${f}`,
        runExport: async (request) => {
          exported.push(request);
          return runExport(project, request);
        },
        pickTemplate: async (option) => `templates/${option}.jinja`,
      },
      (m) => seen.push(m),
    );
    let id = 1;
    const ask = async (m: ExportPanelRequest): Promise<Reply> => {
      const message = { ...m, id: id++ } as Extract<ExportPanelToHost, { id: number }>;
      assert.ok(isExportPanelToHost(message), `a valid message: ${JSON.stringify(message)}`);
      await session.receive(message);
      return seen.find((x): x is Reply => x.type === 'reply' && x.id === message.id)!;
    };
    return { project, records, session, seen, ask, exported };
  }

  it('answers ready with the profiles and the counts; recounts when the overlay changes', async () => {
    const { project, records, session, seen } = await setup();
    await session.receive({ type: 'ready' });
    const state = seen.find((m) => m.type === 'state')!;
    assert.equal(state.type === 'state' && state.state?.project, 'panel');
    assert.deepEqual(state.type === 'state' && state.state!.profiles, [{ name: 'default', formats: ['hf', 'jsonl'], compression: 'none', lineageColumns: false, options: {} }]);
    assert.equal(state.type === 'state' && state.state!.formats.find((f) => f.name === 'csv')!.description, 'about csv');
    const counted = () => [...seen].reverse().find((m) => m.type === 'preview' && m.preview) as Extract<ExportPanelToView, { type: 'preview' }> | undefined;
    assert.equal(counted()!.preview!.total, 20);
    const before = seen.length;
    await session.refresh();
    assert.equal(seen.length, before, 'nothing changed: nothing posted');
    await updateOverlay(project.paths.dataDir, (o) => o.setExcluded([records[0]!.id], true));
    await session.refresh();
    assert.equal(counted()!.preview!.total, 19);
    assert.equal(counted()!.preview!.excluded, 1);
  });

  it('without records, the preview says to build them', async () => {
    const { session, seen } = await setup(false);
    await session.receive({ type: 'ready' });
    const p = seen.find((m) => m.type === 'preview') as Extract<ExportPanelToView, { type: 'preview' }>;
    assert.match(p.error!, /No records have been built/);
  });

  it('validates, samples, saves into brightrun.json and exports through the job', async () => {
    const { project, ask, exported, session } = await setup();
    await session.receive({ type: 'ready' });
    const bad = await ask({ type: 'validate', draft: { name: 'default', formats: ['csv'], options: { csv: { encoding: 'latin-1' } } } });
    assert.deepEqual(bad.method === 'validate' && bad.problems.map((p) => p.field), ['name', 'csv.encoding'], 'a new profile may not take an existing name');
    const ok = await ask({ type: 'validate', draft: { name: 'default', formats: ['csv'] }, replacing: 'default' });
    assert.deepEqual(ok.method === 'validate' && ok.problems, []);

    const sample = await ask({ type: 'sample', draft: { name: '', formats: ['jsonl'] }, split: 'train', limit: 2 });
    assert.equal(sample.method === 'sample' && sample.sample?.records, 2);
    const none = await ask({ type: 'sample', draft: { name: 'x', formats: [] }, split: 'train', limit: 2 });
    assert.match((none.method === 'sample' && none.error) || '', /at least one format/);

    const refused = await ask({ type: 'save', draft: { name: 'bad name', formats: ['csv'] } });
    assert.equal(refused.method === 'save' && refused.saved, false);
    const saved = await ask({ type: 'save', draft: { name: 'csv-semicolon', formats: ['csv'], compression: 'gzip', options: { csv: { delimiter: ';' } } } });
    assert.deepEqual(saved, { type: 'reply', id: saved.id, method: 'save', saved: true, problems: [] });
    const config = JSON.parse(await fs.readFile(path.join(tmp.dir, 'brightrun.json'), 'utf8')) as { exports: unknown[]; records: unknown };
    assert.deepEqual(config.exports, [{ name: 'default', formats: ['huggingface', 'jsonl'] }, { name: 'csv-semicolon', formats: ['csv'], compression: 'gzip', csv: { delimiter: ';' } }]);
    assert.ok(config.records, 'the other settings are kept');
    assert.deepEqual(draftOf(project.config.exports![1]!), { name: 'csv-semicolon', formats: ['csv'], compression: 'gzip', lineageColumns: false, options: { csv: { delimiter: ';' } } });

    const done = await ask({ type: 'export', draft: draftOf(project.config.exports![1]!), replacing: 'csv-semicolon' });
    assert.equal(done.method === 'export' && done.result?.version, '1.0.0');
    assert.deepEqual(exported[0], { name: 'csv-semicolon', formats: ['csv'], compression: 'gzip', lineageColumns: false, options: { csv: { delimiter: ';' } } });
    assert.ok((await fs.stat(path.join(tmp.dir, 'exports', 'csv-semicolon', '1.0.0', 'csv', 'train.csv.gz'))).size > 0);
    const refusedExport = await ask({ type: 'export', draft: { name: 'x', formats: [] } });
    assert.deepEqual(refusedExport.method === 'export' && refusedExport.problems?.map((p) => p.field), ['formats']);
    assert.equal(exported.length, 1);

    const picked = await ask({ type: 'pickTemplate', option: 'recordFile' });
    assert.equal(picked.method === 'pickTemplate' && picked.path, 'templates/recordFile.jinja');
  });

  it('rejects malformed messages', () => {
    assert.equal(isExportPanelToHost({ type: 'sample', id: 1, draft: { name: 'x', formats: ['jsonl'] }, split: 'train', limit: 500 }), false);
    assert.equal(isExportPanelToHost({ type: 'save', id: 1, draft: { name: 'x', formats: 'jsonl' } }), false);
    assert.equal(isExportPanelToHost({ type: 'export', id: 1, draft: { name: 'x', formats: [], options: { csv: 'x' } } }), false);
    assert.equal(isExportPanelToHost({ type: 'pickTemplate', id: 1, option: 'other' }), false);
    assert.equal(isExportPanelToHost({ type: 'nope' }), false);
    assert.equal(isExportPanelToHost({ type: 'recount' }), true);
  });
});
