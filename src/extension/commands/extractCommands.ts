import * as path from 'node:path';
import * as vscode from 'vscode';
import { toStoredPath, type SourceEntry, type TextView } from '../../core';
import { announceBatch, type IngestionService } from '../ingestion/ingestionService';
import { ExtractedTextProvider } from '../preview/extractedTextProvider';
import type { ProjectStore } from '../projectStore';

/** "Extract Documents": runs the queue in the foreground (a cancellable notification with progress and ETA). */
export async function extractDocuments(store: ProjectStore, ingestion: IngestionService): Promise<void> {
  await store.refresh();
  const state = store.state;
  if (state.kind !== 'open') {
    void vscode.window.showInformationMessage('Create a dataset project and add documents first.');
    return;
  }
  const { queued, extracting, failed } = state.status.documents;
  let retryFailed = false;
  if (queued + extracting === 0) {
    if (failed === 0) {
      void vscode.window.showInformationMessage('Nothing to extract: every document is already extracted.');
      return;
    }
    const choice = await vscode.window.showInformationMessage(`No queued documents. Retry the ${failed} that failed?`, 'Retry Failed');
    if (!choice) return;
    retryFailed = true;
  }
  const started = Date.now();
  const summary = await ingestion.start({ foreground: true, retryFailed });
  if (summary) announceBatch(summary, Date.now() - started);
}

/**
 * The extracted source a preview command is about: a tree node ({source}), an Explorer file (Uri) or, from
 * the palette, a pick among extracted documents. Explains plainly when there is nothing to show.
 */
export async function resolveExtractedSource(store: ProjectStore, arg: unknown): Promise<SourceEntry | undefined> {
  await store.refresh();
  const state = store.state;
  if (state.kind !== 'open') {
    void vscode.window.showInformationMessage('There is no dataset project in this workspace yet.');
    return undefined;
  }
  let source: SourceEntry | undefined;
  if (arg instanceof vscode.Uri) {
    const stored = toStoredPath(state.project.root, arg.fsPath);
    source = state.sources.find((s) => s.path === stored);
    if (!source) {
      void vscode.window.showInformationMessage(`${path.basename(arg.fsPath)} is not in the dataset yet. Add it first ("Add to Bright Run Dataset").`);
      return undefined;
    }
  } else if (arg && typeof arg === 'object' && 'source' in arg) {
    source = (arg as { source: SourceEntry }).source;
  } else {
    const done = state.sources.filter((s) => s.status === 'done');
    if (!done.length) {
      void vscode.window.showInformationMessage('No document has been extracted yet. Run "Bright Run: Extract Documents" first.');
      return undefined;
    }
    source = (await vscode.window.showQuickPick(done.map((s) => ({ label: path.posix.basename(s.path), description: path.posix.dirname(s.path), source: s })), { placeHolder: 'Document to preview' }))?.source;
  }
  if (source && source.status !== 'done') {
    const why = source.status === 'failed' && source.error ? ` It failed: ${source.error.message} ${source.error.remedy}` : '';
    void vscode.window.showInformationMessage(`${source.path} has not been extracted (status: ${source.status}).${why}`);
    return undefined;
  }
  return source;
}

/** "Open Extracted Text": a read-only editor beside the source, as plain text, Markdown or with page markers. */
export async function openExtractedText(store: ProjectStore, arg?: unknown): Promise<void> {
  const source = await resolveExtractedSource(store, arg);
  if (!source) return;
  const views: Array<vscode.QuickPickItem & { view: TextView }> = [
    { label: 'Plain text', description: 'the text used for training records', view: 'plain' },
    { label: 'Markdown', description: 'headings, lists and tables', view: 'markdown' },
    { label: 'With page markers', description: 'page or slide boundaries, OCR confidence', view: 'pages' },
  ];
  const given = arg && typeof arg === 'object' && 'view' in arg ? (arg as { view: TextView }).view : undefined;
  const view = given ?? (await vscode.window.showQuickPick(views, { placeHolder: `Show ${path.posix.basename(source.path)} as…` }))?.view;
  if (!view) return;
  const doc = await vscode.workspace.openTextDocument(ExtractedTextProvider.uriFor(source, view));
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
}
