import * as vscode from 'vscode';
import { fromStoredPath } from '../core';
import { Commands, ViewIds, WebviewTypes } from '../shared/commands';
import { extractDocuments, openExtractedText, resolveExtractedSource } from './commands/extractCommands';
import { explainPending } from './commands/pendingFeatures';
import { addDocumentsWithPicker, addFromExplorer, createProject, type CreateProjectArgs } from './commands/projectCommands';
import { setSecret } from './commands/secretCommands';
import { removeSources, sourcePaths, type SourceNodeArg } from './commands/sourceCommands';
import { IngestionService } from './ingestion/ingestionService';
import { IngestPanel } from './ingestion/ingestPanel';
import { IngestionStatusBar } from './ingestion/statusBar';
import { JobRunner } from './jobRunner';
import { EXTRACTED_SCHEME, ExtractedTextProvider } from './preview/extractedTextProvider';
import { PreviewPanel } from './preview/previewPanel';
import { generateRecords } from './records/generateCommand';
import { buildRecords, revealRecordSource, type RecordArg } from './records/recordCommands';
import { createRecordsSession, RecordsPanel } from './records/recordsPanel';
import { ProjectStore } from './projectStore';
import { SecretStore } from './secrets';
import { readSettings } from './settings';
import { exportDataset, openExportManifest, revealExport, showExportChangelog, verifyExport, type ExportCommandArgs, type VersionArg } from './export/exportCommands';
import { ExportPanel, createExportPanelSession, openExportPanel, type ExportPanelDeps } from './export/exportPanel';
import { ExportsModel } from './export/exportsModel';
import { ExportScheduler } from './export/exportScheduler';
import { DatasetTree } from './views/datasetTree';
import { OverviewPanel } from './webviews/overviewPanel';

/** What activate() returns: used by the integration tests, not a public API. */
export interface BrightRunApi {
  store: ProjectStore;
  tree: DatasetTree;
  ingestion: IngestionService;
  records: {
    /** The open Records panel, if any. */
    panel(): RecordsPanel | undefined;
    /** Every message a Records panel posts to its webview. */
    onDidSend: typeof RecordsPanel.onDidSend;
    /** A Records session without a webview, driven through the same protocol. */
    createSession: (post: Parameters<typeof createRecordsSession>[2]) => ReturnType<typeof createRecordsSession>;
  };
  statusBar: IngestionStatusBar;
  exports: ExportsModel;
  exportPanel: {
    /** The open Export panel, if any. */
    panel(): ExportPanel | undefined;
    /** Every message an Export panel posts to its webview. */
    onDidSend: typeof ExportPanel.onDidSend;
    /** An Export panel session without a webview, driven through the same protocol. */
    createSession: (post: Parameters<typeof createExportPanelSession>[1]) => ReturnType<typeof createExportPanelSession>;
  };
  exportScheduler: ExportScheduler;
}

export async function activate(context: vscode.ExtensionContext): Promise<BrightRunApi> {
  const log = vscode.window.createOutputChannel('Bright Run', { log: true });
  context.subscriptions.push(log);
  const store = new ProjectStore(log);
  context.subscriptions.push(store);
  const jobs = new JobRunner(log);
  const secrets = new SecretStore(context.secrets);
  const ingestion = new IngestionService(store, jobs, log);
  const statusBar = new IngestionStatusBar(store, ingestion);
  context.subscriptions.push(ingestion, statusBar);
  const exportsModel = new ExportsModel(store);
  context.subscriptions.push(exportsModel);
  const tree = new DatasetTree(store, (uris) => vscode.commands.executeCommand(Commands.addToDataset, uris[0], uris), exportsModel);
  context.subscriptions.push(tree);

  const treeView = vscode.window.createTreeView(ViewIds.dataset, { treeDataProvider: tree, dragAndDropController: tree, showCollapseAll: true, canSelectMany: true });
  context.subscriptions.push(treeView);
  context.subscriptions.push(
    store.onDidChange(() => {
      const s = store.state;
      treeView.badge = s.kind === 'open' && s.status.documents.failed > 0 ? { value: s.status.documents.failed, tooltip: `${s.status.documents.failed} document(s) failed` } : undefined;
    }),
  );

  const register = (id: string, fn: (...args: never[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  register(Commands.createProject, (args?: CreateProjectArgs) => createProject(store, jobs, args && typeof args === 'object' && !(args instanceof vscode.Uri) ? args : {}));
  const thenIngest = async (added: Promise<unknown>) => {
    if ((await added) && readSettings().autoStart) void ingestion.start();
  };
  register(Commands.addDocuments, (uri?: vscode.Uri, uris?: vscode.Uri[]) => thenIngest(uri instanceof vscode.Uri ? addFromExplorer(store, jobs, uri, uris) : addDocumentsWithPicker(store, jobs)));
  register(Commands.addToDataset, (uri?: vscode.Uri, uris?: vscode.Uri[]) => thenIngest(addFromExplorer(store, jobs, uri, uris)));
  register(Commands.extract, () => extractDocuments(store, ingestion));
  register(Commands.showIngestion, () => IngestPanel.show(context.extensionUri, store, ingestion));
  register(Commands.pauseExtraction, () => ingestion.pause());
  register(Commands.resumeExtraction, () => ingestion.resume());
  register(Commands.cancelExtraction, () => ingestion.cancelAll());
  register(Commands.retryFailed, () => ingestion.requeue(store.state.kind === 'open' ? store.state.sources.filter((s) => s.status === 'failed').map((s) => s.path) : []));
  register(Commands.reextract, (node?: SourceNodeArg, nodes?: SourceNodeArg[]) => ingestion.requeue(sourcePaths(node, nodes), true));
  register(Commands.removeSource, (node?: SourceNodeArg, nodes?: SourceNodeArg[]) => removeSources(store, sourcePaths(node, nodes)));
  register(Commands.revealSource, (node?: SourceNodeArg) => node?.source && store.project && vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(fromStoredPath(store.project.root, node.source.path))));
  register(Commands.openExtractedText, (arg?: unknown) => openExtractedText(store, arg));
  register(Commands.previewDocument, async (arg?: unknown) => {
    const source = await resolveExtractedSource(store, arg);
    if (source) PreviewPanel.show(context.extensionUri, store, source);
  });
  context.subscriptions.push(vscode.window.registerWebviewPanelSerializer(WebviewTypes.preview, PreviewPanel.serializer(context.extensionUri, store)));
  const preview = new ExtractedTextProvider(store);
  context.subscriptions.push(preview, vscode.workspace.registerTextDocumentContentProvider(EXTRACTED_SCHEME, preview));
  register(Commands.buildRecords, () => buildRecords(store, jobs));
  register(Commands.generateRecords, () => generateRecords(store, jobs, secrets, log));
  register(Commands.openRecords, () => void RecordsPanel.show(context.extensionUri, store, log));
  register(Commands.revealRecordSource, (arg?: RecordArg) => revealRecordSource(store, arg));
  context.subscriptions.push(vscode.window.registerWebviewPanelSerializer(WebviewTypes.records, RecordsPanel.serializer(context.extensionUri, store, log)));
  const exportDeps = { jobs, model: exportsModel, log };
  const scheduler = new ExportScheduler(store, exportDeps, context.workspaceState);
  context.subscriptions.push(scheduler);
  register(Commands.export, (args?: ExportCommandArgs) => exportDataset(store, exportDeps, context.workspaceState, args && typeof args === 'object' && !(args instanceof vscode.Uri) ? args : undefined));
  register(Commands.runScheduledExports, () => scheduler.runScheduled('run from the command'));
  register(Commands.openExportManifest, (arg?: VersionArg) => openExportManifest(arg, exportsModel));
  register(Commands.showExportChangelog, (arg?: VersionArg) => showExportChangelog(exportsModel, arg));
  register(Commands.revealExport, (arg?: VersionArg) => revealExport(arg, exportsModel));
  register(Commands.verifyExport, (arg?: VersionArg) => verifyExport(exportDeps, arg));
  const exportPanelDeps: ExportPanelDeps = { extensionUri: context.extensionUri, store, jobs, model: exportsModel, log };
  register(Commands.openExportPanel, () => openExportPanel(exportPanelDeps));
  context.subscriptions.push(vscode.window.registerWebviewPanelSerializer(WebviewTypes.exportPanel, ExportPanel.serializer(exportPanelDeps)));
  register(Commands.train, () => explainPending('train'));
  register(Commands.showLog, () => log.show());
  register(Commands.refresh, () => store.refresh());
  register(Commands.showOverview, () => OverviewPanel.show(context.extensionUri, store));
  register(Commands.setSecret, () => setSecret(secrets, log));
  context.subscriptions.push(vscode.window.registerWebviewPanelSerializer(WebviewTypes.overview, OverviewPanel.serializer(context.extensionUri, store)));
  context.subscriptions.push(vscode.window.registerWebviewPanelSerializer(WebviewTypes.ingest, IngestPanel.serializer(context.extensionUri, store, ingestion)));

  await store.refresh();
  await exportsModel.refresh();
  void ingestion.resumeInterrupted();
  void scheduler.configure();
  log.info(`Bright Run activated${store.project ? ` — project "${store.project.config.name}" in ${store.project.root}` : ' — no project in this workspace yet'}`);
  return { store, tree, ingestion, statusBar, exports: exportsModel, exportScheduler: scheduler, exportPanel: { panel: () => ExportPanel.open, onDidSend: ExportPanel.onDidSend, createSession: (post) => createExportPanelSession(exportPanelDeps, post) }, records: { panel: () => RecordsPanel.open, onDidSend: RecordsPanel.onDidSend, createSession: (post) => createRecordsSession(store, log, post) } };
}

export function deactivate(): void {
  // everything is disposed through context.subscriptions
}
