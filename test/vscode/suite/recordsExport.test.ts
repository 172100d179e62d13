// Runs after records.test.ts (files run sorted), on the records that suite built; builds its own when run alone.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExportResult, VerifyFinding } from '../../../src/core';
import type { BrightRunApi } from '../../../src/extension/extension';
import { activeApi, ensureRecords, manual, waitFor } from './support';


type AnyNode = Parameters<BrightRunApi['tree']['getTreeItem']>[0];

describe('Export in VS Code', function () {
  this.timeout(180_000);
  const root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
  let api: BrightRunApi;
  const label = (n: AnyNode) => {
    const l = api.tree.getTreeItem(n).label;
    return typeof l === 'string' ? l : (l?.label ?? '');
  };
  const children = async (n?: AnyNode) => (await api.tree.getChildren(n)) ?? [];
  /** Messages the extension shows, captured (and answered with no button) while a test runs. */
  let shown: string[] = [];
  const original = vscode.window.showInformationMessage;

  before(async () => {
    api = await activeApi();
    await ensureRecords(api, root, 'export-docs', { 'a.md': manual('Pumps', ['impeller', 'seal']), 'b.md': manual('Valves', ['gate', 'stem']) });
  });

  beforeEach(() => {
    shown = [];
    (vscode.window as { showInformationMessage: unknown }).showInformationMessage = (message: string) => {
      shown.push(message);
      return Promise.resolve(undefined);
    };
  });
  afterEach(() => {
    (vscode.window as { showInformationMessage: unknown }).showInformationMessage = original;
  });

  const name = `vsc-${Date.now()}`;
  let result: ExportResult;
  let versionNode: AnyNode;

  it('exports with arguments that skip the pickers; the version appears under Exports with its figures', async () => {
    const records = api.store.state.kind === 'open' ? api.store.state.records.manifest : undefined;
    assert.ok(records, 'records are built');
    const r = await vscode.commands.executeCommand<ExportResult | undefined>('brightrun.export', { name, formats: ['jsonl', 'csv'] });
    assert.ok(r, `the export returned a result (messages: ${shown.join(' | ')})`);
    result = r;
    assert.equal(result.status, 'published');
    assert.equal(result.version, '1.0.0');
    assert.equal(result.dir, path.join(root, 'exports', name, '1.0.0'));
    assert.ok(shown.some((m) => m.startsWith(`Exported "${name}" 1.0.0 in `) && m.includes(`${result.manifest.records.total.toLocaleString()} records · jsonl, csv ·`)), shown.join(' | '));

    const exportsNode = (await children()).find((n) => label(n) === 'Exports')!;
    assert.equal(api.tree.getTreeItem(exportsNode).contextValue, 'exports');
    const exportNode = (await children(exportsNode)).find((n) => label(n) === name);
    assert.ok(exportNode, 'the export is listed');
    const versions = await children(exportNode);
    assert.deepEqual(versions.map(label), ['1.0.0']);
    versionNode = versions[0]!;
    const item = api.tree.getTreeItem(versionNode);
    assert.equal(item.contextValue, 'exportVersion');
    const bytes = result.manifest.files.reduce((s, f) => s + f.bytes, 0);
    assert.ok(bytes > 0);
    assert.match(String(item.description), new RegExp(`^${result.manifest.records.total.toLocaleString()} records · jsonl, csv · `));
    assert.equal(item.command?.command, 'brightrun.openExportManifest');
  });

  it('exporting again with nothing changed says so and adds no version', async () => {
    const again = await vscode.commands.executeCommand<ExportResult | undefined>('brightrun.export', { name, formats: ['jsonl', 'csv'] });
    assert.equal(again?.status, 'unchanged');
    assert.equal(again?.version, '1.0.0');
    assert.ok(shown.some((m) => m.includes(`"${name}" is unchanged`)), shown.join(' | '));
    const exportNode = (await children((await children()).find((n) => label(n) === 'Exports'))).find((n) => label(n) === name)!;
    assert.deepEqual((await children(exportNode)).map(label), ['1.0.0']);
  });

  it('Verify reports the version valid; a damaged file is reported', async () => {
    const findings = await vscode.commands.executeCommand<VerifyFinding[] | undefined>('brightrun.verifyExport', versionNode);
    assert.deepEqual(findings, []);
    assert.ok(shown.some((m) => m.startsWith(`${name}/1.0.0 is valid: `)), shown.join(' | '));

    const original = vscode.window.showErrorMessage;
    const errors: string[] = [];
    (vscode.window as { showErrorMessage: unknown }).showErrorMessage = (message: string) => {
      errors.push(message);
      return Promise.resolve(undefined);
    };
    const file = result.manifest.files.find((f) => f.path.endsWith('.csv'))!;
    const target = path.join(result.dir, ...file.path.split('/'));
    const bytes = await fs.readFile(target);
    try {
      await fs.appendFile(target, 'x');
      const bad = await vscode.commands.executeCommand<VerifyFinding[] | undefined>('brightrun.verifyExport', versionNode);
      assert.ok(bad?.some((f) => f.severity === 'error' && f.file === file.path), JSON.stringify(bad));
      assert.ok(errors.some((m) => m.includes(`${name}/1.0.0 has `) && m.includes(file.path)), errors.join(' | '));
    } finally {
      (vscode.window as { showErrorMessage: unknown }).showErrorMessage = original;
      await fs.writeFile(target, bytes);
    }
  });

  it('Open Manifest opens manifest.json; Show Changelog opens the changelog preview', async () => {
    const editor = await vscode.commands.executeCommand<vscode.TextEditor | undefined>('brightrun.openExportManifest', versionNode);
    assert.equal(editor?.document.uri.fsPath, path.join(result.dir, 'manifest.json'));
    const manifest = JSON.parse(editor!.document.getText()) as ExportResult['manifest'];
    assert.equal(manifest.name, name);
    assert.equal(manifest.version, '1.0.0');
    assert.deepEqual(manifest.parameters.formats, ['jsonl', 'csv']);

    await vscode.commands.executeCommand('brightrun.showExportChangelog', versionNode);
    await waitFor('the changelog preview', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label.includes('CHANGELOG.md')), 15_000);
  });
});
