import * as vscode from 'vscode';
import { Disposable } from '../lifecycle';
import { webviewHtml, webviewOptions } from './webviewHtml';

/**
 * The host side of a webview panel with a typed protocol: loads the bundle `dist/webview/<bundle>.js` under a
 * strict CSP, waits for the webview's `ready` before posting anything, validates every incoming message, and
 * disposes with the panel. Subclasses send state and handle requests.
 */
export abstract class PanelHost<ToView, ToHost extends { type: string }> extends Disposable {
  private ready = false;

  protected constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    bundle: string,
    title: string,
    isMessage: (m: unknown) => m is ToHost,
  ) {
    super();
    panel.webview.options = webviewOptions(extensionUri);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'brightrun.svg');
    panel.webview.html = webviewHtml(panel.webview, extensionUri, bundle, title);
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(
      panel.webview.onDidReceiveMessage(async (message: unknown) => {
        if (!isMessage(message)) return;
        if (message.type === 'ready') {
          this.ready = true;
          this.sendState();
          return;
        }
        await this.handle(message);
      }),
    );
  }

  protected post(message: ToView): void {
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  /** Sends the full state; called after `ready` and whenever the data changes. */
  protected abstract sendState(): void;

  protected abstract handle(message: ToHost): Promise<void>;

  /** Runs a request and answers it with a reply carrying its id. */
  protected async reply(id: number, work: () => unknown): Promise<void> {
    try {
      await work();
      this.post({ type: 'reply', id, ok: true } as ToView);
    } catch (err) {
      this.post({ type: 'reply', id, ok: false, error: err instanceof Error ? err.message : String(err) } as ToView);
    }
  }

  override dispose(): void {
    super.dispose();
    this.panel.dispose();
  }
}
