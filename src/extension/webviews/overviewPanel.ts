import * as vscode from 'vscode';
import { formatBytes } from '../../core';
import { Commands, WebviewTypes } from '../../shared/commands';
import { isOverviewToHost, type OverviewAction, type OverviewState, type OverviewToView } from '../../shared/protocol/overview';
import { Disposable } from '../lifecycle';
import type { ProjectStore } from '../projectStore';
import { webviewHtml, webviewOptions } from './webviewHtml';

const ACTION_COMMANDS: Record<OverviewAction, string> = {
  addDocuments: Commands.addDocuments,
  extract: Commands.extract,
  showLog: Commands.showLog,
  refresh: Commands.refresh,
};

/** The Project Overview panel. One at a time; restored after a window reload by its serializer. */
export class OverviewPanel extends Disposable {
  private static current: OverviewPanel | undefined;
  private ready = false;

  static show(extensionUri: vscode.Uri, store: ProjectStore): void {
    if (OverviewPanel.current) {
      OverviewPanel.current.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(WebviewTypes.overview, 'Bright Run: Project', vscode.ViewColumn.Active, { ...webviewOptions(extensionUri), retainContextWhenHidden: false });
    OverviewPanel.current = new OverviewPanel(panel, extensionUri, store);
  }

  static serializer(extensionUri: vscode.Uri, store: ProjectStore): vscode.WebviewPanelSerializer {
    return {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel) => {
        panel.webview.options = webviewOptions(extensionUri);
        OverviewPanel.current?.dispose();
        OverviewPanel.current = new OverviewPanel(panel, extensionUri, store);
      },
    };
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly store: ProjectStore,
  ) {
    super();
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'brightrun.svg');
    panel.webview.html = webviewHtml(panel.webview, extensionUri, 'overview', 'Bright Run: Project');
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(store.onDidChange(() => this.postState()));
    this._register(
      panel.webview.onDidReceiveMessage(async (message: unknown) => {
        if (!isOverviewToHost(message)) return;
        if (message.type === 'ready') {
          this.ready = true;
          this.postState();
          return;
        }
        try {
          await vscode.commands.executeCommand(ACTION_COMMANDS[message.action]);
          this.post({ type: 'reply', id: message.id, ok: true });
        } catch (err) {
          this.post({ type: 'reply', id: message.id, ok: false, error: err instanceof Error ? err.message : String(err) });
        }
      }),
    );
  }

  override dispose(): void {
    if (OverviewPanel.current === this) OverviewPanel.current = undefined;
    super.dispose();
    this.panel.dispose();
  }

  private post(message: OverviewToView): void {
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private postState(): void {
    this.post({ type: 'state', state: toOverviewState(this.store) });
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
