import * as vscode from 'vscode';
import { buildProjectRecords, RecordStore, type TrainingRecord } from '../../core';
import { Commands } from '../../shared/commands';
import type { JobRunner } from '../jobRunner';
import { ExtractedTextProvider } from '../preview/extractedTextProvider';
import type { ProjectStore } from '../projectStore';
import { RecordsPanel } from './recordsPanel';

/**
 * "Build Records": the records build as a background job (progress, cancel, errors with their remedy). A build
 * runs once at a time; a second request while one runs says so. Generation (the LLM builder) is generateCommand.ts.
 */
let building: Promise<unknown> | undefined;

export async function buildRecords(store: ProjectStore, jobs: JobRunner): Promise<void> {
  await store.refresh();
  const project = store.project;
  if (!project) {
    void vscode.window.showInformationMessage('Create a dataset project and add documents first.');
    return;
  }
  if (store.state.kind === 'open' && store.state.status.documents.done === 0) {
    void vscode.window.showInformationMessage('No document has been extracted yet: records are built from extracted documents. Run "Bright Run: Extract Documents" first.');
    return;
  }
  if (building) {
    void vscode.window.showInformationMessage('Records are being built already.');
    return;
  }
  const started = Date.now();
  building = jobs.run('Building training records', (signal, report) => buildProjectRecords(project, { signal, onProgress: report }));
  try {
    const result = (await building) as Awaited<ReturnType<typeof buildProjectRecords>> | undefined;
    await store.refresh();
    if (!result) return;
    const s = result.manifest.splits;
    const total = s.train.records + s.validation.records + s.test.records;
    const d = result.manifest.dropped;
    const failed = result.failed.length ? ` ${result.failed.length} document(s) failed and were left out (first: ${result.failed[0]!.sourcePath}: ${result.failed[0]!.error.message}).` : '';
    const show = result.failed.length ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(
      `Built ${total} record(s) from ${result.manifest.documents} document(s) in ${((Date.now() - started) / 1000).toFixed(1)} s: train ${s.train.records}, validation ${s.validation.records}, test ${s.test.records}; dropped ${d.duplicates} duplicate(s), ${d.nearDuplicates ?? 0} near-duplicate(s), ${d.tooShort} too short.${failed}`,
      'Export Dataset…',
      'Open Records',
    ).then((choice) => {
      if (choice === 'Export Dataset…') void vscode.commands.executeCommand(Commands.export);
      else if (choice === 'Open Records') void vscode.commands.executeCommand(Commands.openRecords);
    });
  } finally {
    building = undefined;
  }
}

/** Where to find a record: an id from the view, or a tree/quick-pick argument. */
export type RecordArg = { recordId: string } | { record: TrainingRecord };

/**
 * "Reveal Source": the record's source in the extracted-text preview (plain text, the text record spans are
 * measured in) with the record's span selected and scrolled into view.
 */
export async function revealRecordSource(store: ProjectStore, arg: RecordArg | undefined): Promise<vscode.TextEditor | undefined> {
  const project = store.project;
  if (!project || !arg) return undefined;
  const record = 'record' in arg ? arg.record : await findRecord(store, arg.recordId);
  if (!record) {
    void vscode.window.showInformationMessage('That record is not in the current build any more (rebuilt meanwhile). Reopen it from the Records view.');
    return undefined;
  }
  const state = store.state;
  const sources = state.kind === 'open' ? state.sources : [];
  const source = sources.find((s) => s.sha256 === record.lineage.documentId && s.path === record.lineage.sourcePath) ?? sources.find((s) => s.sha256 === record.lineage.documentId);
  if (!source) {
    void vscode.window.showInformationMessage(`${record.lineage.sourcePath} is no longer in the dataset (or has changed since the build), so its text cannot be shown.`);
    return undefined;
  }
  const doc = await vscode.workspace.openTextDocument(ExtractedTextProvider.uriFor(source, 'plain'));
  const range = new vscode.Range(doc.positionAt(record.lineage.span.start), doc.positionAt(record.lineage.span.end));
  const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true, selection: range });
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return editor;
}

async function findRecord(store: ProjectStore, id: string): Promise<TrainingRecord | undefined> {
  const fromView = await RecordsPanel.open?.session.record(id);
  if (fromView) return fromView;
  const project = store.project;
  if (!project) return undefined;
  for await (const r of new RecordStore(project.paths.records).records()) if (r.id === id) return r;
  return undefined;
}
