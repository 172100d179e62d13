import * as vscode from 'vscode';
import { loadSourceDocument, renderDocumentText, toBrightRunError, type SourceEntry, type TextView } from '../../core';
import type { ProjectStore } from '../projectStore';

export const EXTRACTED_SCHEME = 'brightrun-extracted';

/**
 * Read-only editor documents with a source's extracted text: brightrun-extracted:/<source path>.txt?view=…
 * (plain, markdown or pages). Content comes from .brightrun/documents by the source's hash.
 */
export class ExtractedTextProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;
  /** Open preview URIs → the source version they show ("sha status"), so only changed ones re-render. */
  private readonly open = new Map<string, string>();

  constructor(private readonly store: ProjectStore) {
    // When a source is re-extracted, its open previews refresh; the store changes often during a batch.
    this.subscription = store.onDidChange(() => {
      for (const [u, shown] of this.open) if (this.versionOf(vscode.Uri.parse(u)) !== shown) this.changed.fire(vscode.Uri.parse(u));
    });
  }

  private sourceOf(uri: vscode.Uri): SourceEntry | undefined {
    const state = this.store.state;
    if (state.kind !== 'open') return undefined;
    const stored = uri.path.replace(/\.(txt|md)$/, '');
    return state.sources.find((s) => s.path === stored || `/${s.path}` === stored);
  }

  private versionOf(uri: vscode.Uri): string {
    const s = this.sourceOf(uri);
    return s ? `${s.sha256} ${s.status}` : '';
  }

  static uriFor(source: SourceEntry, view: TextView): vscode.Uri {
    const ext = view === 'markdown' ? 'md' : 'txt';
    const path = source.path.startsWith('/') ? source.path : `/${source.path}`;
    return vscode.Uri.from({ scheme: EXTRACTED_SCHEME, path: `${path}.${ext}`, query: `view=${view}` });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    this.open.set(uri.toString(), this.versionOf(uri));
    const state = this.store.state;
    if (state.kind !== 'open') return 'No Bright Run project is open.';
    const view = (new URLSearchParams(uri.query).get('view') ?? 'plain') as TextView;
    const source = this.sourceOf(uri);
    if (!source) return `${uri.path.replace(/\.(txt|md)$/, '')} is not a source of this dataset (any more).`;
    try {
      const doc = await loadSourceDocument(state.project, source);
      if (!doc) return `${source.path} has not been extracted yet (status: ${source.status}). Run "Bright Run: Extract Documents".`;
      return renderDocumentText(doc, view);
    } catch (err) {
      const e = toBrightRunError(err);
      return `${e.message}\n${e.remedy}`;
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
