import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BrightRunApi } from '../../../src/extension/extension';

const EXTENSION_ID = 'brightrun.brightrun';

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

type AnyNode = Parameters<BrightRunApi['tree']['getTreeItem']>[0];

function labelOf(api: BrightRunApi, node: AnyNode): string {
  const label = api.tree.getTreeItem(node).label;
  return typeof label === 'string' ? label : (label?.label ?? '');
}

describe('Bright Run in VS Code', () => {
  const root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
  let api: BrightRunApi;

  it('activates by itself on a workspace that holds brightrun.json', async () => {
    const ext = vscode.extensions.getExtension<BrightRunApi>(EXTENSION_ID);
    assert.ok(ext, 'extension is installed');
    await waitFor('activation', () => ext.isActive);
    api = ext.exports;
    assert.equal(api.store.state.kind, 'open');
  });

  it('contributes its commands', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const id of ['brightrun.createProject', 'brightrun.addDocuments', 'brightrun.extract', 'brightrun.openExtractedText', 'brightrun.export', 'brightrun.train', 'brightrun.showLog']) {
      assert.ok(all.includes(id), id);
    }
  });

  it('shows the project made by the CLI in the dataset tree', async () => {
    const top = api.tree.getChildren();
    assert.deepEqual(top.map((n) => labelOf(api, n)), ['fixture-dataset', 'Sources', 'Records', 'Exports', 'Training Runs', 'Models']);
    const sources = top[1]!;
    assert.equal(api.tree.getTreeItem(sources).description, '2');
    const statuses = api.tree.getChildren(sources);
    assert.deepEqual(statuses.map((n) => labelOf(api, n)), ['Queued']);
    const files = api.tree.getChildren(statuses[0]);
    assert.deepEqual(files.map((n) => labelOf(api, n)).sort(), ['guide.md', 'notes.txt']);
    const tooltip = api.tree.getTreeItem(files[0]!).tooltip as vscode.MarkdownString;
    assert.match(tooltip.value, /sha256/);
  });

  it('adds documents from an explorer multi-selection and updates the tree', async () => {
    const extra = path.join(root, 'more');
    await fs.mkdir(extra, { recursive: true });
    await fs.writeFile(path.join(extra, 'one.txt'), 'one');
    await fs.writeFile(path.join(extra, 'two.csv'), 'a,b\n1,2\n');
    await fs.writeFile(path.join(extra, 'skip.bin'), 'x');
    const folderUri = vscode.Uri.file(extra);
    const single = vscode.Uri.file(path.join(root, 'notes.txt'));
    await vscode.commands.executeCommand('brightrun.addToDataset', folderUri, [folderUri, single]);
    await waitFor('4 queued sources', () => (api.store.state.kind === 'open' && api.store.state.status.documents.queued === 4 ? true : undefined));
    const onDisk = JSON.parse(await fs.readFile(path.join(root, '.brightrun', 'sources.json'), 'utf8'));
    assert.deepEqual(onDisk.sources.map((s: { path: string }) => s.path), ['guide.md', 'more/one.txt', 'more/two.csv', 'notes.txt']);
  });

  it('follows changes made on disk by another process', async () => {
    const file = path.join(root, '.brightrun', 'sources.json');
    const data = JSON.parse(await fs.readFile(file, 'utf8'));
    data.sources[0].status = 'failed';
    data.sources[0].error = { code: 'INTERNAL', message: 'Broken file.', remedy: 'Fix it.' };
    await fs.writeFile(file, JSON.stringify(data));
    await waitFor('the failed count', () => (api.store.state.kind === 'open' && api.store.state.status.documents.failed === 1 ? true : undefined));
    const statuses = api.tree.getChildren(api.tree.getChildren()[1]);
    assert.deepEqual(statuses.map((n) => labelOf(api, n)), ['Queued', 'Failed']);
  });

  it('reports a hand-broken brightrun.json in the tree and leaves the file alone', async () => {
    const config = path.join(root, 'brightrun.json');
    const good = await fs.readFile(config, 'utf8');
    await fs.writeFile(config, '{ "formatVersion": 1, "name": "x", "splits": 3 }');
    try {
      await waitFor('broken state', () => (api.store.state.kind === 'broken' ? true : undefined));
      const [node] = api.tree.getChildren();
      assert.match(labelOf(api, node!), /`splits` must be object/);
      assert.equal(await fs.readFile(config, 'utf8'), '{ "formatVersion": 1, "name": "x", "splits": 3 }');
    } finally {
      await fs.writeFile(config, good);
    }
    await waitFor('project again', () => (api.store.state.kind === 'open' ? true : undefined));
  });

  it('extracts the queued documents in extraction processes and updates the tree', async () => {
    await vscode.commands.executeCommand('brightrun.extract');
    await waitFor('extraction', () => (api.store.state.kind === 'open' && api.store.state.status.documents.queued === 0 && api.store.state.status.documents.extracting === 0 ? true : undefined), 60_000);
    const s = api.store.state.kind === 'open' ? api.store.state.status.documents : undefined;
    assert.deepEqual(s, { queued: 0, extracting: 0, done: 3, failed: 1 }, 'the source marked failed earlier stays failed until retried');
    const docs = await fs.readdir(path.join(root, '.brightrun', 'documents'));
    assert.equal(docs.length, 3);
  });

  it('opens the extracted text beside the source, with page markers or as Markdown', async () => {
    const state = api.store.state;
    assert.ok(state.kind === 'open');
    const csv = state.sources.find((s) => s.path === 'more/two.csv')!;
    await vscode.commands.executeCommand('brightrun.openExtractedText', { source: csv, view: 'markdown' });
    const editor = await waitFor('preview editor', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'brightrun-extracted'));
    assert.equal(editor.document.getText(), '| a | b |\n| --- | --- |\n| 1 | 2 |\n');
    assert.match(editor.document.uri.path, /more\/two\.csv\.md$/);
  });

  it('re-extracts a document from the tree and keeps its summary', async () => {
    const state = api.store.state;
    assert.ok(state.kind === 'open');
    const notes = state.sources.find((s) => s.path === 'notes.txt')!;
    await vscode.commands.executeCommand('brightrun.reextract', { source: notes });
    await waitFor('re-extraction', () => (api.store.state.kind === 'open' && api.store.state.sources.find((s) => s.path === 'notes.txt')?.status === 'done' && !api.ingestion.snapshot.running ? true : undefined), 60_000);
    const queueFile = path.join(root, '.brightrun', 'queue.json');
    assert.equal(JSON.parse(await fs.readFile(queueFile, 'utf8')).active, false, 'a finished batch leaves nothing to resume');
    const extracted = api.store.state.kind === 'open' ? api.store.state.sources.find((s) => s.path === 'notes.txt')!.extracted : undefined;
    assert.equal(extracted?.format, 'txt');
  });

  it('shows the ingestion panel with the queue', async () => {
    await vscode.commands.executeCommand('brightrun.showIngestion');
    await waitFor('ingestion tab', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.label === 'Bright Run: Ingestion'),
    );
  });

  it('removes a source from the dataset without touching the file', async () => {
    const state = api.store.state;
    assert.ok(state.kind === 'open');
    const guide = state.sources.find((s) => s.path === 'guide.md')!;
    // The confirmation is modal; answer it through the API the command uses.
    const original = vscode.window.showWarningMessage;
    (vscode.window as { showWarningMessage: unknown }).showWarningMessage = async () => 'Remove';
    try {
      await vscode.commands.executeCommand('brightrun.removeSource', { source: guide });
    } finally {
      (vscode.window as { showWarningMessage: unknown }).showWarningMessage = original;
    }
    await waitFor('removal', () => (api.store.state.kind === 'open' && !api.store.state.sources.some((s) => s.path === 'guide.md') ? true : undefined));
    await fs.access(path.join(root, 'guide.md'));
  });

  it('adds files dropped on the dataset tree (from the Explorer or the OS)', async () => {
    const dropped = path.join(root, 'dropped.md');
    await fs.writeFile(dropped, '# Dropped\n\nA file dragged onto the tree.');
    const data = new vscode.DataTransfer();
    data.set('text/uri-list', new vscode.DataTransferItem(vscode.Uri.file(dropped).toString()));
    await api.tree.handleDrop(undefined, data);
    await waitFor('the dropped source', () => (api.store.state.kind === 'open' && api.store.state.sources.some((s) => s.path === 'dropped.md') ? true : undefined));
  });

  it('survives a document that kills its parser: the others finish, that one is failed with its remedy', async function () {
    this.timeout(150_000);
    const config = path.join(root, 'brightrun.json');
    const good = await fs.readFile(config, 'utf8');
    // A 256 MB memory budget and ~40 MB of CSV, whose parsing needs far more: its extraction process is stopped.
    await fs.writeFile(config, JSON.stringify({ ...JSON.parse(good), extract: { ...JSON.parse(good).extract, maxMemoryMB: 256 } }, null, 2));
    const dir = path.join(root, 'hostile');
    await fs.mkdir(dir, { recursive: true });
    const row = 'alpha,beta,gamma,delta,epsilon,zeta,eta,theta\n';
    await fs.writeFile(path.join(dir, 'huge.csv'), row.repeat(Math.ceil((40 * 1048576) / row.length)));
    await fs.writeFile(path.join(dir, 'fine-1.txt'), 'The first good document.');
    await fs.writeFile(path.join(dir, 'fine-2.md'), '# Second\n\nThe second good document.');
    const hostPid = process.pid;
    try {
      await waitFor('budget in force', () => (api.store.state.kind === 'open' && api.store.state.project.config.extract?.maxMemoryMB === 256 ? true : undefined));
      await vscode.commands.executeCommand('brightrun.addToDataset', vscode.Uri.file(dir), [vscode.Uri.file(dir)]);
      await waitFor('3 hostile sources', () => (api.store.state.kind === 'open' && api.store.state.sources.filter((s) => s.path.startsWith('hostile/')).length === 3 ? true : undefined));
      await vscode.commands.executeCommand('brightrun.extract'); // this workspace does not auto-start
      const statusOf = (p: string) => (api.store.state.kind === 'open' ? api.store.state.sources.find((s) => s.path === p) : undefined);
      await waitFor('the batch to finish', () => (['hostile/huge.csv', 'hostile/fine-1.txt', 'hostile/fine-2.md'].every((p) => ['done', 'failed'].includes(statusOf(p)?.status ?? '')) && !api.ingestion.snapshot.running ? true : undefined), 90_000);
      assert.equal(statusOf('hostile/fine-1.txt')?.status, 'done');
      assert.equal(statusOf('hostile/fine-2.md')?.status, 'done');
      const bad = statusOf('hostile/huge.csv')!;
      assert.equal(bad.status, 'failed');
      assert.equal(bad.error?.code, 'RESOURCE_LIMIT');
      assert.match(bad.error?.message ?? '', /over the 256 MB memory budget/);
      assert.match(bad.error?.remedy ?? '', /extract\.maxMemoryMB/);
      assert.equal(process.pid, hostPid, 'the same extension host');
      assert.ok(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, 'the extension is still active');
    } finally {
      await fs.writeFile(config, good);
      await fs.rm(path.join(dir, 'huge.csv'), { force: true });
    }
  });

  it('opens the project overview webview', async () => {
    await vscode.commands.executeCommand('brightrun.showOverview');
    await waitFor('overview tab', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.label === 'Bright Run: Project'),
    );
  });
});
