import * as vscode from 'vscode';
import { Commands, WebviewTypes } from '../../shared/commands';
import { isRecordsToHost, type RecordsToHost, type RecordsToView } from '../../shared/protocol/records';
import type { ProjectStore } from '../projectStore';
import { PanelHost } from '../webviews/panelHost';
import { RecordsSession } from './recordsSession';

/** Everything the Records panel sends, for the integration tests (which cannot see into the webview). */
const sentEmitter = new vscode.EventEmitter<RecordsToView>();

/**
 * The Records view: a virtualised list of the current build with filters, a record beside its source span, edit
 * and exclude / include. One at a time; restored after a window reload by its serializer. The logic is in
 * RecordsSession; this class wires it to the webview and to the project store.
 */
export class RecordsPanel extends PanelHost<RecordsToView, RecordsToHost> {
  private static current: RecordsPanel | undefined;
  static readonly onDidSend = sentEmitter.event;
  readonly session: RecordsSession;

  static show(extensionUri: vscode.Uri, store: ProjectStore, log: vscode.LogOutputChannel): RecordsPanel {
    if (RecordsPanel.current) {
      RecordsPanel.current.panel.reveal();
      return RecordsPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(WebviewTypes.records, 'Bright Run: Records', vscode.ViewColumn.Active, { retainContextWhenHidden: false });
    RecordsPanel.current = new RecordsPanel(panel, extensionUri, store, log);
    return RecordsPanel.current;
  }

  static get open(): RecordsPanel | undefined {
    return RecordsPanel.current;
  }

  static serializer(extensionUri: vscode.Uri, store: ProjectStore, log: vscode.LogOutputChannel): vscode.WebviewPanelSerializer {
    return {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel) => {
        RecordsPanel.current?.dispose();
        RecordsPanel.current = new RecordsPanel(panel, extensionUri, store, log);
      },
    };
  }

  private constructor(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    store: ProjectStore,
    log: vscode.LogOutputChannel,
  ) {
    super(panel, extensionUri, 'records', 'Bright Run: Records', isRecordsToHost);
    this.session = createRecordsSession(store, log, (m) => {
      this.post(m);
      sentEmitter.fire(m);
    });
    this._register({ dispose: () => this.session.dispose() });
    this._register(store.onDidChange(() => void this.session.refresh()));
  }

  override dispose(): void {
    if (RecordsPanel.current === this) RecordsPanel.current = undefined;
    super.dispose();
  }

  /** The ready handshake is answered by the session (state, then indexing). */
  protected sendState(): void {
    void this.session.receive({ type: 'ready' });
  }

  protected async handle(message: RecordsToHost): Promise<void> {
    await this.session.receive(message);
  }
}

/** A session wired to the project store and the extension's commands (the panel's, or a headless one in tests). */
export function createRecordsSession(store: ProjectStore, log: vscode.LogOutputChannel, post: (m: RecordsToView) => void): RecordsSession {
  return new RecordsSession(
    {
      project: () => store.project,
      log: (message) => log.warn(message),
      runAction: async (action, ids) => {
        if (action === 'build') return vscode.commands.executeCommand(Commands.buildRecords);
        if (action === 'showLog') return vscode.commands.executeCommand(Commands.showLog);
        if (action === 'reveal' && ids[0]) return vscode.commands.executeCommand(Commands.revealRecordSource, { recordId: ids[0] });
        return undefined;
      },
    },
    post,
  );
}
