import * as vscode from 'vscode';
import { Commands, ViewIds, WebviewTypes } from '../shared/commands';
import { addDocumentsWithPicker, addFromExplorer, createProject, type CreateProjectArgs } from './commands/projectCommands';
import { explainPending } from './commands/pendingFeatures';
import { extractDocuments, openExtractedText } from './commands/extractCommands';
import { EXTRACTED_SCHEME, ExtractedTextProvider } from './preview/extractedTextProvider';
import { setSecret } from './commands/secretCommands';
import { JobRunner } from './jobRunner';
import { ProjectStore } from './projectStore';
import { SecretStore } from './secrets';
import { DatasetTree } from './views/datasetTree';
import { OverviewPanel } from './webviews/overviewPanel';

/** What activate() returns: used by the integration tests, not a public API. */
export interface BrightRunApi {
  store: ProjectStore;
  tree: DatasetTree;
}

export async function activate(context: vscode.ExtensionContext): Promise<BrightRunApi> {
  const log = vscode.window.createOutputChannel('Bright Run', { log: true });
  context.subscriptions.push(log);
  const store = new ProjectStore(log);
  context.subscriptions.push(store);
  const jobs = new JobRunner(log);
  const secrets = new SecretStore(context.secrets);
  const tree = new DatasetTree(store);

  const treeView = vscode.window.createTreeView(ViewIds.dataset, { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });
  context.subscriptions.push(treeView);
  context.subscriptions.push(
    store.onDidChange(() => {
      const s = store.state;
      treeView.badge = s.kind === 'open' && s.status.documents.failed > 0 ? { value: s.status.documents.failed, tooltip: `${s.status.documents.failed} document(s) failed` } : undefined;
    }),
  );

  const register = (id: string, fn: (...args: never[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  register(Commands.createProject, (args?: CreateProjectArgs) => createProject(store, jobs, args && typeof args === 'object' && !(args instanceof vscode.Uri) ? args : {}));
  register(Commands.addDocuments, (uri?: vscode.Uri, uris?: vscode.Uri[]) => (uri instanceof vscode.Uri ? addFromExplorer(store, jobs, uri, uris) : addDocumentsWithPicker(store, jobs)));
  register(Commands.addToDataset, (uri?: vscode.Uri, uris?: vscode.Uri[]) => addFromExplorer(store, jobs, uri, uris));
  register(Commands.extract, () => extractDocuments(store, jobs, log));
  register(Commands.openExtractedText, (arg?: unknown) => openExtractedText(store, arg));
  const preview = new ExtractedTextProvider(store);
  context.subscriptions.push(preview, vscode.workspace.registerTextDocumentContentProvider(EXTRACTED_SCHEME, preview));
  register(Commands.export, () => explainPending(store, 'export'));
  register(Commands.train, () => explainPending(store, 'train'));
  register(Commands.showLog, () => log.show());
  register(Commands.refresh, () => store.refresh());
  register(Commands.showOverview, () => OverviewPanel.show(context.extensionUri, store));
  register(Commands.setSecret, () => setSecret(secrets, log));
  context.subscriptions.push(vscode.window.registerWebviewPanelSerializer(WebviewTypes.overview, OverviewPanel.serializer(context.extensionUri, store)));

  await store.refresh();
  log.info(`Bright Run activated${store.project ? ` — project "${store.project.config.name}" in ${store.project.root}` : ' — no project in this workspace yet'}`);
  return { store, tree };
}

export function deactivate(): void {
  // everything is disposed through context.subscriptions
}
