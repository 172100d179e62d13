import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands, ViewIds, WebviewTypes } from '../../shared/commands';
import { isExportPanelToHost, type ExportPanelToHost, type ExportPanelToView } from '../../shared/protocol/exportPanel';
import type { JobRunner } from '../jobRunner';
import type { ProjectStore } from '../projectStore';
import { PanelHost } from '../webviews/panelHost';
import { exportAndAnnounce, FORMAT_DESCRIPTIONS } from './exportCommands';
import { ExportPanelSession } from './exportPanelSession';
import type { ExportsModel } from './exportsModel';

/** Everything the Export panel sends, for the integration tests (which cannot see into the webview). */
const sentEmitter = new vscode.EventEmitter<ExportPanelToView>();

/** What the panel needs from the extension. */
export interface ExportPanelDeps {
  extensionUri: vscode.Uri;
  store: ProjectStore;
  jobs: JobRunner;
  model: ExportsModel;
  log: vscode.LogOutputChannel;
}

/**
 * "Bright Run: Export Panel": an export profile edited in a form (formats and their options, compression, lineage
 * columns, the JSON field mapping, a template file), the split preview with counts, a sample of rendered records,
 * Save Profile and Export. One at a time; restored after a window reload by its serializer. The logic is in
 * ExportPanelSession; this class wires it to the webview, the project store and the export job.
 */
export class ExportPanel extends PanelHost<ExportPanelToView, ExportPanelToHost> {
  private static current: ExportPanel | undefined;
  static readonly onDidSend = sentEmitter.event;
  readonly session: ExportPanelSession;

  static show(deps: ExportPanelDeps): ExportPanel {
    if (ExportPanel.current) {
      ExportPanel.current.panel.reveal();
      return ExportPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(WebviewTypes.exportPanel, 'Bright Run: Export Panel', vscode.ViewColumn.Active, { retainContextWhenHidden: false });
    ExportPanel.current = new ExportPanel(panel, deps);
    return ExportPanel.current;
  }

  static get open(): ExportPanel | undefined {
    return ExportPanel.current;
  }

  static serializer(deps: ExportPanelDeps): vscode.WebviewPanelSerializer {
    return {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel) => {
        ExportPanel.current?.dispose();
        ExportPanel.current = new ExportPanel(panel, deps);
      },
    };
  }

  private constructor(panel: vscode.WebviewPanel, deps: ExportPanelDeps) {
    super(panel, deps.extensionUri, 'exportPanel', 'Bright Run: Export Panel', isExportPanelToHost);
    this.session = createExportPanelSession(deps, (m) => {
      this.post(m);
      sentEmitter.fire(m);
    });
    this._register({ dispose: () => this.session.dispose() });
    this._register(deps.store.onDidChange(() => void this.session.refresh()));
  }

  override dispose(): void {
    if (ExportPanel.current === this) ExportPanel.current = undefined;
    super.dispose();
  }

  protected sendState(): void {
    void this.session.receive({ type: 'ready' });
  }

  protected async handle(message: ExportPanelToHost): Promise<void> {
    await this.session.receive(message);
  }
}

/** A session wired to the project store, the export job (exportCommands.ts exportAndAnnounce → runExportJob, in a pool process) and VS Code's file picker. */
export function createExportPanelSession(deps: ExportPanelDeps, post: (m: ExportPanelToView) => void): ExportPanelSession {
  return new ExportPanelSession(
    {
      project: () => deps.store.project,
      log: (message) => deps.log.warn(message),
      describeFormat: (format) => FORMAT_DESCRIPTIONS[format],
      runExport: async (request) => {
        const project = deps.store.project;
        if (!project) return undefined;
        const result = await exportAndAnnounce(deps, project, request);
        // The new version is in the Exports node of the tree: bring the view forward.
        if (result) void vscode.commands.executeCommand(`${ViewIds.dataset}.focus`);
        return result;
      },
      pickTemplate: async (option) => {
        const project = deps.store.project;
        if (!project) return undefined;
        const picked = await vscode.window.showOpenDialog({
          title: option === 'recordFile' ? 'Record template (Jinja)' : option === 'headerFile' ? 'Header template (Jinja)' : 'Footer template (Jinja)',
          defaultUri: vscode.Uri.file(project.root),
          canSelectMany: false,
          filters: { 'Jinja templates': ['jinja', 'j2', 'jinja2', 'tmpl', 'txt', 'md'], 'All files': ['*'] },
        });
        const file = picked?.[0]?.fsPath;
        if (!file) return undefined;
        const rel = path.relative(project.root, file);
        // Inside the project: relative with '/' (the profile stays portable); outside: the absolute path.
        return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel.split(path.sep).join('/');
      },
    },
    post,
  );
}

/** The command: opens (or reveals) the panel; the Records node and the Exports title pass nothing. */
export function openExportPanel(deps: ExportPanelDeps): ExportPanel | undefined {
  if (!deps.store.project) {
    void vscode.window.showInformationMessage('Create a dataset project and add documents first.', 'Create Dataset Project').then((c) => c && vscode.commands.executeCommand(Commands.createProject));
    return undefined;
  }
  return ExportPanel.show(deps);
}
