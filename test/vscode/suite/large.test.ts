import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { BrightRunApi } from '../../../src/extension/extension';

/**
 * Issue #13: VS Code opens a project of 20,000 sources (test/vscode/workspaces.mjs: tiny files added by the CLI,
 * three extracted — two done, one failed — the rest queued) and stays usable: activation finishes, the tree
 * groups the sources by status and shows a large group as pages (no node has more than a page of children),
 * the status bar shows the failed count, the Ingestion panel opens. Bounds are generous: this is not a timing
 * test (timings are bench:scale's), it checks that nothing expands or reads the whole project per node.
 */
const EXTENSION_ID = 'brightrun.brightrun';
const SOURCES = 20_001; // 20,000 notes and a broken PPTX
const PAGE = 500;

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

describe('Bright Run on a project of 20,000 sources', function () {
  this.timeout(120_000);
  let api: BrightRunApi;
  /** The most children VS Code was given for one node. */
  let largestAnswer = 0;
  let answers = 0;

  it('activates and loads the project', async () => {
    const ext = vscode.extensions.getExtension<BrightRunApi>(EXTENSION_ID);
    assert.ok(ext, 'extension is installed');
    await waitFor('activation', () => ext.isActive, 90_000);
    api = ext.exports;
    // Every answer the tree gives VS Code from now on is measured.
    const getChildren = api.tree.getChildren.bind(api.tree);
    api.tree.getChildren = (node?: AnyNode) => {
      const children = getChildren(node);
      answers++;
      largestAnswer = Math.max(largestAnswer, children.length);
      return children;
    };
    const state = await waitFor('the project', () => (api.store.state.kind === 'open' ? api.store.state : undefined), 60_000);
    assert.equal(state.sources.length, SOURCES);
    assert.deepEqual(state.status.documents, { queued: SOURCES - 3, extracting: 0, done: 2, failed: 1 });
  });

  it('groups the sources by status and shows the large group as pages of at most 500', () => {
    const top = api.tree.getChildren();
    assert.deepEqual(top.slice(0, 2).map((n) => labelOf(api, n)), ['large-dataset', 'Sources']);
    assert.equal(api.tree.getTreeItem(top[1]!).description, String(SOURCES));
    const groups = api.tree.getChildren(top[1]);
    assert.deepEqual(groups.map((n) => labelOf(api, n)), ['Queued', 'Done', 'Failed']);
    assert.deepEqual(groups.map((n) => api.tree.getTreeItem(n).description), [String(SOURCES - 3), '2', '1']);
    const pages = api.tree.getChildren(groups[0]);
    assert.equal(pages.length, Math.ceil((SOURCES - 3) / PAGE));
    assert.equal(labelOf(api, pages[0]!), '1–500');
    assert.equal(labelOf(api, pages[pages.length - 1]!), `19,501–${(SOURCES - 3).toLocaleString('en-US')}`);
    const first = api.tree.getChildren(pages[0]);
    assert.equal(first.length, PAGE);
    assert.equal(labelOf(api, first[0]!), 'note-00002.txt', 'in path order, after the two done');
    assert.equal(api.tree.getChildren(pages[pages.length - 1]).length, (SOURCES - 3) % PAGE || PAGE);
    // Small groups list their sources directly.
    assert.deepEqual(api.tree.getChildren(groups[1]).map((n) => labelOf(api, n)), ['note-00000.txt', 'note-00001.txt']);
    assert.deepEqual(api.tree.getChildren(groups[2]).map((n) => labelOf(api, n)), ['broken.pptx']);
  });

  it('the tree as VS Code shows it is never given more than a page of nodes at once', async () => {
    const before = answers;
    await vscode.commands.executeCommand('brightrun.dataset.focus');
    await waitFor('VS Code to ask the tree for its nodes', () => answers > before + 1);
    assert.ok(largestAnswer <= PAGE, `a node had ${largestAnswer} children`);
  });

  it('the status bar shows the failed count', async () => {
    const shown = await waitFor('the status bar item', () => (api.statusBar.shown.visible ? api.statusBar.shown : undefined));
    assert.match(shown.text, /Bright Run: 1 failed/);
  });

  it('opens the Ingestion panel', async () => {
    await vscode.commands.executeCommand('brightrun.showIngestion');
    await waitFor('ingestion tab', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.label === 'Bright Run: Ingestion'),
    30_000);
  });
});
