// Runs after recordsExport.test.ts (files run sorted), on the records records.test.ts built; builds its own when run alone.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BrightRunApi } from '../../../src/extension/extension';
import type { ExportPanelRequest, ExportPanelToHost, ExportPanelToView, ExportPreviewView } from '../../../src/shared/protocol/exportPanel';
import { activeApi, ensureRecords, manual, waitFor } from './support';


type Reply = Extract<ExportPanelToView, { type: 'reply' }>;

describe('Export panel in VS Code', function () {
  this.timeout(180_000);
  const root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
  let api: BrightRunApi;
  const sent: ExportPanelToView[] = [];
  let sub: vscode.Disposable | undefined;
  const original = vscode.window.showInformationMessage;

  before(async () => {
    api = await activeApi();
    await ensureRecords(api, root, 'panel-docs', { 'a.md': manual('Pumps', ['impeller', 'seal']) });
    sub = api.exportPanel.onDidSend((m) => sent.push(m));
    (vscode.window as { showInformationMessage: unknown }).showInformationMessage = () => Promise.resolve(undefined);
  });
  after(() => {
    sub?.dispose();
    (vscode.window as { showInformationMessage: unknown }).showInformationMessage = original;
    api.exportPanel.panel()?.dispose();
  });

  let nextId = 1000;
  /** Sends a request through the panel's own message handler and waits for its reply. */
  async function ask(message: ExportPanelRequest, timeoutMs = 60_000): Promise<Reply> {
    const id = nextId++;
    const panel = api.exportPanel.panel();
    assert.ok(panel, 'the panel is open');
    await panel.session.receive({ ...message, id } as ExportPanelToHost);
    return waitFor(`the reply to ${message.type}`, () => sent.find((m): m is Reply => m.type === 'reply' && m.id === id), timeoutMs);
  }

  let preview: ExportPreviewView;
  const name = `panel-${Date.now()}`;

  it('opens from the command; the webview says ready and gets the profiles and the split counts', async () => {
    const panel = await vscode.commands.executeCommand('brightrun.openExportPanel');
    assert.ok(panel, 'the command returns the panel');
    assert.equal(api.exportPanel.panel(), panel);
    const state = await waitFor('the state (after the webview\'s ready)', () => sent.find((m) => m.type === 'state' && m.state)) as Extract<ExportPanelToView, { type: 'state' }>;
    assert.ok(state.state!.formats.some((f) => f.name === 'hf') && state.state!.formats.length === 10);
    assert.ok(state.state!.profiles.length >= 1, 'the profiles of brightrun.json');
    const counted = await waitFor('the split counts', () => sent.find((m) => m.type === 'preview' && m.preview), 60_000) as Extract<ExportPanelToView, { type: 'preview' }>;
    preview = counted.preview!;
    const manifest = api.store.state.kind === 'open' ? api.store.state.records.manifest! : undefined;
    assert.equal(preview.build, manifest!.build);
    const built = manifest!.splits.train.records + manifest!.splits.validation.records + manifest!.splits.test.records;
    assert.equal(preview.total + preview.excluded, built);
    assert.ok(preview.total > 0);
  });

  it('answers a sample: the first records of train as JSONL lines and as a CSV with its header', async () => {
    const reply = await ask({ type: 'sample', draft: { name: 'sample', formats: ['jsonl', 'csv'], options: { csv: { delimiter: ';' } } }, split: 'train', limit: 3 });
    assert.equal(reply.method, 'sample');
    const sample = (reply as Extract<Reply, { method: 'sample' }>).sample;
    assert.ok(sample, JSON.stringify(reply));
    assert.equal(sample.records, Math.min(3, preview.splits.train.records));
    const [jsonl, csv] = sample.formats;
    const lines = jsonl!.files[0]!.text!.split('\n').filter(Boolean);
    assert.equal(lines.length, sample.records);
    assert.deepEqual(lines.map((l) => (JSON.parse(l) as { id: string }).id), sample.ids);
    assert.match(csv!.files[0]!.text!, /^id;/);
  });

  it('shows a bad field mapping beside its field, as the CLI would refuse it', async () => {
    const reply = await ask({ type: 'validate', draft: { name, formats: ['json'], options: { json: { mapping: { drop: ['no_such_column'] } } } } });
    const problems = (reply as Extract<Reply, { method: 'validate' }>).problems;
    assert.deepEqual(problems.map((p) => p.field), ['json.mapping.drop']);
    assert.match(problems[0]!.message, /no_such_column/);
  });

  it('Save Profile writes the profile into brightrun.json, keeping the others', async () => {
    const before = JSON.parse(await fs.readFile(path.join(root, 'brightrun.json'), 'utf8')) as { exports?: Array<{ name: string }> };
    const reply = await ask({ type: 'save', draft: { name, formats: ['jsonl', 'json'], compression: 'none', lineageColumns: false, options: { json: { pretty: true, mapping: { drop: ['id'] } } } } });
    assert.deepEqual(reply, { type: 'reply', id: reply.id, method: 'save', saved: true, problems: [] });
    const after = JSON.parse(await fs.readFile(path.join(root, 'brightrun.json'), 'utf8')) as { exports: Array<Record<string, unknown>> };
    assert.deepEqual(after.exports.map((p) => p.name), [...(before.exports ?? []).map((p) => p.name), name]);
    assert.deepEqual(after.exports.at(-1), { name, formats: ['jsonl', 'json'], compression: 'none', lineageColumns: false, json: { pretty: true, mapping: { drop: ['id'] } } });
    await waitFor('the saved profile in the panel state', () => sent.some((m) => m.type === 'state' && m.state?.profiles.some((p) => p.name === name)));
  });

  it('Export runs the export job; the new version is in exports/ and under Exports, with the counts the preview showed', async () => {
    const reply = await ask({ type: 'export', draft: { name, formats: ['jsonl', 'json'], compression: 'none', lineageColumns: false, options: { json: { pretty: true, mapping: { drop: ['id'] } } } }, replacing: name }, 150_000);
    const result = (reply as Extract<Reply, { method: 'export' }>).result;
    assert.ok(result, JSON.stringify(reply));
    assert.equal(result.status, 'published');
    assert.equal(result.version, '1.0.0');
    assert.equal(result.dir, path.join(root, 'exports', name, '1.0.0'));
    const manifest = JSON.parse(await fs.readFile(path.join(result.dir, 'manifest.json'), 'utf8')) as { records: { splits: Record<string, number> } };
    assert.deepEqual(manifest.records.splits, { train: preview.splits.train.records, validation: preview.splits.validation.records, test: preview.splits.test.records });
    const json = await fs.readFile(path.join(result.dir, 'json', 'train.json'), 'utf8');
    assert.ok(!('id' in (JSON.parse(json) as object[])[0]!), 'the field mapping was applied');
    await waitFor('the version under Exports', () => api.exports.versions.some((v) => v.exportName === name && v.version === '1.0.0'));
  });
});
