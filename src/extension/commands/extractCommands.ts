import * as path from 'node:path';
import * as vscode from 'vscode';
import { extractProject, toStoredPath, type ExtractOptions, type ProjectExtractOutcome, type SourceEntry, type TextView } from '../../core';
import { Commands } from '../../shared/commands';
import type { JobRunner } from '../jobRunner';
import { ExtractedTextProvider } from '../preview/extractedTextProvider';
import type { ProjectStore } from '../projectStore';
import { readSettings } from '../settings';

/** "Extract Documents": the project's queued sources, in worker threads, with progress, ETA and cancel. */
export async function extractDocuments(store: ProjectStore, jobs: JobRunner, log: vscode.LogOutputChannel, only?: string[], extra: ExtractOptions = {}): Promise<void> {
  await store.refresh();
  const state = store.state;
  if (state.kind !== 'open') {
    void vscode.window.showInformationMessage('Create a dataset project and add documents first.');
    return;
  }
  const { queued, extracting, failed } = state.status.documents;
  const retryFailed = !only && queued + extracting === 0 && failed > 0;
  if (!only && queued + extracting === 0) {
    if (failed === 0) {
      void vscode.window.showInformationMessage('Nothing to extract: every document is already extracted.');
      return;
    }
    const choice = await vscode.window.showInformationMessage(`No queued documents. Retry the ${failed} that failed?`, 'Retry Failed');
    if (!choice) return;
  }
  const settings = readSettings(vscode.Uri.file(state.project.root));
  const options: ExtractOptions = {
    ocr: settings.ocrEnabled,
    ocrLanguages: settings.ocrLanguages,
    maxBytes: settings.maxFileSizeMB * 1024 * 1024,
    ...extra,
  };
  const outcomes: ProjectExtractOutcome[] = [];
  const summary = await jobs.run('Extracting documents', (signal, report) =>
    extractProject(state.project, {
      options,
      signal,
      retryFailed,
      ...(only ? { only } : {}),
      ...(settings.concurrency > 0 ? { concurrency: settings.concurrency } : {}),
      onProgress: (p) => {
        report(p);
        store.scheduleRefresh(1000);
      },
      onOutcome: (o) => {
        outcomes.push(o);
        if (o.error) log.error(`${o.path}: [${o.error.code}] ${o.error.message} — ${o.error.remedy}`);
        else if (o.doc) log.info(`${o.path}: ${o.doc.format}, ${o.doc.pages?.length ?? 0} page(s), ${o.doc.ocrPages} OCR'd, ${o.doc.timings.totalMs} ms${o.doc.warnings.length ? `; warnings: ${o.doc.warnings.map((w) => w.code).join(', ')}` : ''}`);
        else log.info(`${o.path}: unchanged, reused`);
      },
    }),
  );
  await store.refresh();
  if (!summary) return;
  const needPassword = outcomes.filter((o) => o.error?.code === 'PASSWORD_REQUIRED' || o.error?.code === 'WRONG_PASSWORD');
  const otherFailures = outcomes.filter((o) => o.error && !needPassword.includes(o));
  const text = `Extracted ${summary.done} document(s)${summary.reused ? ` (${summary.reused} unchanged)` : ''}, ${summary.pages} page(s), ${summary.ocrPages} OCR'd.`;
  if (otherFailures.length) {
    const first = otherFailures[0]!.error!;
    void vscode.window.showWarningMessage(`${text} ${otherFailures.length} failed — ${first.message} ${first.remedy}`, 'Show Log').then((c) => {
      if (c) void vscode.commands.executeCommand(Commands.showLog);
    });
  } else {
    void vscode.window.showInformationMessage(text);
  }
  if (needPassword.length) {
    const file = needPassword[0]!.path;
    const password = await vscode.window.showInputBox({
      title: `Password for ${path.posix.basename(file)}`,
      prompt: `${needPassword.length} PDF(s) are encrypted. Enter the password to open ${file} (it is used for this run only and never stored).`,
      password: true,
      ignoreFocusOut: true,
    });
    if (password) await extractDocuments(store, jobs, log, [file], { ...extra, password });
  }
}

/** "Open Extracted Text": from the tree (a source node), the Explorer (a file Uri) or the palette (a pick). */
export async function openExtractedText(store: ProjectStore, arg?: unknown): Promise<void> {
  await store.refresh();
  const state = store.state;
  if (state.kind !== 'open') {
    void vscode.window.showInformationMessage('There is no dataset project in this workspace yet.');
    return;
  }
  let source: SourceEntry | undefined;
  if (arg instanceof vscode.Uri) {
    const stored = toStoredPath(state.project.root, arg.fsPath);
    source = state.sources.find((s) => s.path === stored);
    if (!source) {
      void vscode.window.showInformationMessage(`${path.basename(arg.fsPath)} is not in the dataset yet. Add it first ("Add to Bright Run Dataset").`);
      return;
    }
  } else if (arg && typeof arg === 'object' && 'source' in arg) {
    source = (arg as { source: SourceEntry }).source;
  } else {
    const done = state.sources.filter((s) => s.status === 'done');
    if (!done.length) {
      void vscode.window.showInformationMessage('No document has been extracted yet. Run "Bright Run: Extract Documents" first.');
      return;
    }
    source = (await vscode.window.showQuickPick(done.map((s) => ({ label: path.posix.basename(s.path), description: path.posix.dirname(s.path), source: s })), { placeHolder: 'Document to preview' }))?.source;
  }
  if (!source) return;
  if (source.status !== 'done') {
    const why = source.status === 'failed' && source.error ? ` It failed: ${source.error.message} ${source.error.remedy}` : '';
    void vscode.window.showInformationMessage(`${source.path} has not been extracted (status: ${source.status}).${why}`);
    return;
  }
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
