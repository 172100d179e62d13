import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BrightRunApi } from '../../../src/extension/extension';
import type { RecordDetail, RecordRow, RecordsState, RecordsToHost, RecordsToView } from '../../../src/shared/protocol/records';
import { EXTENSION_ID, waitFor } from './support';


/** A manual of a few hundred words per section, so the chunker makes several records of it. */
function manual(title: string, topic: string, sections: number): string {
  const parts = [`# ${title}`];
  for (let s = 1; s <= sections; s++) {
    parts.push(`## ${topic} step ${s}`);
    for (let p = 0; p < 4; p++) {
      parts.push(Array.from({ length: 8 }, (_, i) => `Step ${s} paragraph ${p} sentence ${i} explains how the ${topic} is checked, cleaned and put back in service.`).join(' '));
    }
  }
  return parts.join('\n\n') + '\n';
}

type AnyNode = Parameters<BrightRunApi['tree']['getTreeItem']>[0];

describe('Training records in VS Code', function () {
  this.timeout(120_000);
  const root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
  let api: BrightRunApi;
  const label = (n: AnyNode) => {
    const l = api.tree.getTreeItem(n).label;
    return typeof l === 'string' ? l : (l?.label ?? '');
  };
  const recordsNode = () => api.tree.getChildren().find((n) => label(n) === 'Records')!;
  const manifest = () => (api.store.state.kind === 'open' ? api.store.state.records.manifest : undefined);

  /** A headless Records session driven through the view's protocol; `send` resolves once the host has answered. */
  function openSession() {
    const seen: RecordsToView[] = [];
    const session = api.records.createSession((m) => seen.push(m));
    const send = async (m: RecordsToHost) => {
      const from = seen.length;
      await session.receive(m);
      return seen.slice(from);
    };
    const last = <T extends RecordsToView['type']>(type: T, list = seen) => [...list].reverse().find((m) => m.type === type) as Extract<RecordsToView, { type: T }> | undefined;
    return { session, seen, send, last };
  }

  before(async () => {
    const ext = vscode.extensions.getExtension<BrightRunApi>(EXTENSION_ID)!;
    await waitFor('activation', () => ext.isActive);
    api = ext.exports;
  });

  it('builds records from the tree as a background job; the Records node counts them per split and builder', async () => {
    const dir = path.join(root, 'recs');
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'pumps.md'), manual('Pump manual', 'impeller', 5));
    await fs.writeFile(path.join(dir, 'valves.md'), manual('Valve manual', 'gate valve', 4));
    await vscode.commands.executeCommand('brightrun.addToDataset', vscode.Uri.file(dir), [vscode.Uri.file(dir)]);
    await waitFor('the manuals as sources', () => api.store.state.kind === 'open' && api.store.state.sources.filter((s) => s.path.startsWith('recs/')).length === 2);
    await vscode.commands.executeCommand('brightrun.extract');
    await waitFor('the manuals extracted', () => api.store.state.kind === 'open' && api.store.state.sources.filter((s) => s.path.startsWith('recs/') && s.status === 'done').length === 2 && !api.ingestion.snapshot.running, 90_000);

    // Before a build the node offers to build; clicking it runs the build.
    const before = api.tree.getTreeItem(recordsNode());
    assert.equal(before.description, 'none yet — build');
    assert.equal(before.command?.command, 'brightrun.buildRecords');
    await vscode.commands.executeCommand(before.command!.command, ...(before.command!.arguments ?? []));
    const m = await waitFor('a records build', manifest, 60_000);
    const total = m.splits.train.records + m.splits.validation.records + m.splits.test.records;
    assert.ok(total >= 6, `records built: ${total}`);

    const node = api.tree.getTreeItem(recordsNode());
    assert.equal(node.description, total.toLocaleString());
    assert.equal(node.command?.command, 'brightrun.openRecords');
    assert.equal(node.contextValue, 'records');
    const rows = api.tree.getChildren(recordsNode()).map((n) => [label(n), api.tree.getTreeItem(n).description]);
    assert.deepEqual(rows.map((r) => r[0]), ['train', 'validation', 'test', 'builder: chunk']);
    assert.match(String(rows[0]![1]), new RegExp(`^${m.splits.train.records.toLocaleString()} · `));
    assert.equal(rows[3]![1], total.toLocaleString());
  });

  it('opens the Records view; the webview asks for the rows it shows, a page at a time', async () => {
    const sent: RecordsToView[] = [];
    const sub = api.records.onDidSend((m) => sent.push(m));
    try {
      await vscode.commands.executeCommand('brightrun.openRecords');
      await waitFor('the Records tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.label === 'Bright Run: Records'));
      const rows = await waitFor('rows requested by the webview', () => sent.find((m): m is Extract<RecordsToView, { type: 'rows' }> => m.type === 'rows' && m.rows.length > 0), 60_000);
      assert.equal(rows.start, 0);
      const state = sent.find((m): m is Extract<RecordsToView, { type: 'state' }> => m.type === 'state' && !!m.state?.build)?.state;
      assert.ok(state && rows.rows.length <= 100 && rows.rows.length === Math.min(100, state.facets.total), 'one page, not the whole build');
    } finally {
      sub.dispose();
    }
  });

  it('filters, excludes a record, rebuilds: the record stays excluded', async () => {
    const { session, send, last } = openSession();
    try {
      await send({ type: 'ready' });
      const state = last('state')!.state as RecordsState;
      assert.ok(state.build);
      const pumps = state.facets.sources.find(([s]) => s === 'recs/pumps.md');
      assert.ok(pumps, JSON.stringify(state.facets.sources));

      // Filter by source: the count is the facet's.
      let answer = await send({ type: 'query', query: 1, filter: { source: 'recs/pumps.md' } });
      assert.equal(last('result', answer)?.matched, pumps[1]);
      // Text search, streamed on the host: only records that contain the words.
      answer = await send({ type: 'query', query: 2, filter: { text: 'GATE VALVE is checked' } });
      const matched = last('result', answer)!.matched;
      assert.ok(matched >= 1);
      answer = await send({ type: 'rows', query: 2, start: 0, count: 100 });
      const rows = last('rows', answer)!.rows as RecordRow[];
      assert.equal(rows.length, matched);
      assert.ok(rows.every((r) => r.source === 'recs/valves.md' && /gate valve is checked/i.test(r.cells.join(' '))));
      const target = rows[0]!;

      // Its detail shows the record beside its source span.
      answer = await send({ type: 'select', recordId: target.id });
      const detail = last('detail', answer)!.detail as RecordDetail;
      assert.equal(detail.id, target.id);
      assert.ok(!('error' in detail.source));
      assert.equal((detail.source as { span: string }).span, (detail.fields as { text: string }).text, 'a chunk is its span');

      // Exclude it: saved in the overlay, counted, flagged in the list.
      answer = await send({ type: 'run', id: 1, action: 'exclude', recordIds: [target.id] });
      assert.deepEqual(last('reply', answer), { type: 'reply', id: 1, ok: true });
      assert.equal(last('state', answer)!.state!.facets.excluded, 1);
      const overlay = await fs.readFile(path.join(root, '.brightrun', 'records-overlay.jsonl'), 'utf8');
      assert.match(overlay, new RegExp(`"id":"${target.id}","excluded":true`));
      await waitFor('the tree to count the exclusion', () => String(api.tree.getTreeItem(recordsNode()).description).endsWith('· 1 excluded'));

      // Rebuild (a new build folder, every record written again): the exclusion still applies.
      const oldBuild = manifest()!.build;
      await vscode.commands.executeCommand('brightrun.buildRecords');
      await waitFor('the rebuild', () => manifest() && manifest()!.build !== oldBuild, 60_000);
      await session.refresh();
      assert.notEqual(last('state')!.state!.build!.id, oldBuild);
      answer = await send({ type: 'query', query: 3, filter: { excluded: 'only' } });
      assert.equal(last('result', answer)?.matched, 1);
      answer = await send({ type: 'rows', query: 3, start: 0, count: 10 });
      const excluded = last('rows', answer)!.rows;
      assert.deepEqual(excluded.map((r) => [r.id, r.excluded]), [[target.id, true]]);
      answer = await send({ type: 'query', query: 4, filter: { excluded: 'hide', source: 'recs/valves.md' } });
      assert.equal(last('result', answer)?.matched, state.facets.sources.find(([s]) => s === 'recs/valves.md')![1] - 1);

      // An edit is saved by id and shown; a bad one is refused with a reply.
      answer = await send({ type: 'edit', id: 2, recordId: target.id, fields: { kind: 'completion', text: 'Hand-written replacement text for this record.' } });
      assert.deepEqual(last('reply', answer), { type: 'reply', id: 2, ok: true });
      const edited = last('detail', answer)!.detail!;
      assert.equal((edited.fields as { text: string }).text, 'Hand-written replacement text for this record.');
      assert.equal((edited.original as { text: string }).text, (detail.fields as { text: string }).text);
      assert.ok(edited.tokens! > 0 && edited.tokens! < 20);
      answer = await send({ type: 'edit', id: 3, recordId: target.id, fields: { kind: 'instruction', instruction: 'i', input: '', output: 'o' } });
      assert.equal(last('reply', answer)?.ok, false);
      await send({ type: 'run', id: 4, action: 'include', recordIds: [target.id] });
      assert.equal(last('state')!.state!.facets.excluded, 0);
    } finally {
      session.dispose();
    }
  });

  it('Reveal Source opens the extracted text with the record\'s span selected', async () => {
    const { session, send, last } = openSession();
    try {
      await send({ type: 'ready' });
      await send({ type: 'query', query: 1, filter: { source: 'recs/pumps.md' } });
      const rows = last('rows', await send({ type: 'rows', query: 1, start: 0, count: 100 }))!.rows;
      const target = rows[Math.min(2, rows.length - 1)]!;
      const record = (await session.record(target.id))!;
      assert.equal(record.kind, 'completion');
      const answer = await send({ type: 'run', id: 1, action: 'reveal', recordIds: [target.id] });
      assert.deepEqual(last('reply', answer), { type: 'reply', id: 1, ok: true });
      const editor = await waitFor('the extracted text with a selection', () => {
        const e = vscode.window.activeTextEditor;
        return e?.document.uri.scheme === 'brightrun-extracted' && e.document.uri.path.endsWith('recs/pumps.md.txt') && !e.selection.isEmpty ? e : undefined;
      });
      assert.equal(editor.document.offsetAt(editor.selection.start), record.lineage.span.start);
      assert.equal(editor.document.offsetAt(editor.selection.end), record.lineage.span.end);
      assert.equal(editor.document.getText(editor.selection), record.kind === 'completion' ? record.text : '');
    } finally {
      session.dispose();
    }
  });
});
