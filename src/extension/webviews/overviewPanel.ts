import * as vscode from 'vscode';
import { formatBytes } from '../../core';
import { Commands, WebviewTypes } from '../../shared/commands';
import { isOverviewToHost, type OverviewAction, type OverviewState, type OverviewToHost, type OverviewToView } from '../../shared/protocol/overview';
import type { ProjectStore } from '../projectStore';
import { PanelHost } from './panelHost';

const ACTION_COMMANDS: Record<OverviewAction, string> = {
  addDocuments: Commands.addDocuments,
  extract: Commands.extract,
  showLog: Commands.showLog,
  refresh: Commands.refresh,
};

/** The Project Overview panel. One at a time; restored after a window reload by its serializer. */
export class OverviewPanel extends PanelHost<OverviewToView, OverviewToHost> {
  private static current: OverviewPanel | undefined;

  static show(extensionUri: vscode.Uri, store: ProjectStore): void {
    if (OverviewPanel.current) {
      OverviewPanel.current.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(WebviewTypes.overview, 'Bright Run: Project', vscode.ViewColumn.Active);
    OverviewPanel.current = new OverviewPanel(panel, extensionUri, store);
  }

  static serializer(extensionUri: vscode.Uri, store: ProjectStore): vscode.WebviewPanelSerializer {
    return {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel) => {
        OverviewPanel.current?.dispose();
        OverviewPanel.current = new OverviewPanel(panel, extensionUri, store);
      },
    };
  }

  private constructor(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly store: ProjectStore,
  ) {
    super(panel, extensionUri, 'overview', 'Bright Run: Project', isOverviewToHost);
    this._register(store.onDidChange(() => this.sendState()));
  }

  override dispose(): void {
    if (OverviewPanel.current === this) OverviewPanel.current = undefined;
    super.dispose();
  }

  protected sendState(): void {
    this.post({ type: 'state', state: toOverviewState(this.store) });
  }

  protected async handle(message: OverviewToHost): Promise<void> {
    if (message.type === 'run') await this.reply(message.id, () => vscode.commands.executeCommand(ACTION_COMMANDS[message.action]));
  }
}

function toOverviewState(store: ProjectStore): OverviewState | undefined {
  const s = store.state;
  if (s.kind !== 'open') return undefined;
  const recent = [...s.sources].sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1)).slice(0, 50);
  return {
    name: s.status.name,
    root: s.project.root,
    description: s.project.config.description ?? '',
    documents: s.status.documents,
    sources: s.status.sources,
    bytes: formatBytes(s.status.bytes),
    recentSources: recent.map((src) => ({
      path: src.path,
      status: src.status,
      size: formatBytes(src.size),
      ...(src.error ? { error: `${src.error.message} ${src.error.remedy}` } : {}),
    })),
  };
}
