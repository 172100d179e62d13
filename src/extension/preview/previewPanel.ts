import * as vscode from 'vscode';
import { formatBytes, fromStoredPath, loadSourceDocument, type ExtractedDocument, type SourceEntry } from '../../core';
import { Commands, WebviewTypes } from '../../shared/commands';
import { isPreviewToHost, type PreviewDoc, type PreviewToHost, type PreviewToView } from '../../shared/protocol/preview';
import type { ProjectStore } from '../projectStore';
import { PanelHost } from '../webviews/panelHost';

/** Characters sent to the webview at most; the editor preview (Open Extracted Text) has everything. */
const MAX_CHARS = 2_000_000;

interface PanelState {
  path: string;
}

/** Document Preview: metadata, warnings, page-by-page text with OCR confidence. One panel per document. */
export class PreviewPanel extends PanelHost<PreviewToView, PreviewToHost> {
  private static readonly open = new Map<string, PreviewPanel>();

  static show(extensionUri: vscode.Uri, store: ProjectStore, source: SourceEntry): void {
    const existing = PreviewPanel.open.get(source.path);
    if (existing) {
      existing.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(WebviewTypes.preview, `Preview: ${source.path.split('/').pop()}`, vscode.ViewColumn.Beside);
    new PreviewPanel(panel, extensionUri, store, source.path);
  }

  static serializer(extensionUri: vscode.Uri, store: ProjectStore): vscode.WebviewPanelSerializer<PanelState> {
    return {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: PanelState | undefined) => {
        if (!state?.path) {
          panel.dispose();
          return;
        }
        new PreviewPanel(panel, extensionUri, store, state.path);
      },
    };
  }

  private constructor(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly store: ProjectStore,
    private readonly path: string,
  ) {
    super(panel, extensionUri, 'preview', `Preview: ${path}`, isPreviewToHost);
    PreviewPanel.open.set(path, this);
    this._register(store.onDidChange(() => this.sendState()));
  }

  override dispose(): void {
    if (PreviewPanel.open.get(this.path) === this) PreviewPanel.open.delete(this.path);
    super.dispose();
  }

  protected sendState(): void {
    void this.load().then(
      ({ doc, message }) => this.post({ type: 'doc', doc, ...(message ? { message } : {}) }),
      (err: unknown) => this.post({ type: 'doc', doc: undefined, message: err instanceof Error ? err.message : String(err) }),
    );
  }

  protected async handle(m: PreviewToHost): Promise<void> {
    if (m.type !== 'request') return;
    const source = this.source();
    if (m.method === 'openText') await this.reply(m.id, () => vscode.commands.executeCommand(Commands.openExtractedText, source ? { source } : undefined));
    else await this.reply(m.id, () => source && this.store.project && vscode.commands.executeCommand('vscode.open', vscode.Uri.file(fromStoredPath(this.store.project.root, source.path))));
  }

  private source(): SourceEntry | undefined {
    return this.store.state.kind === 'open' ? this.store.state.sources.find((s) => s.path === this.path) : undefined;
  }

  private async load(): Promise<{ doc: PreviewDoc | undefined; message?: string }> {
    const state = this.store.state;
    const source = this.source();
    if (state.kind !== 'open' || !source) return { doc: undefined, message: `${this.path} is not in the dataset (any more).` };
    const doc = await loadSourceDocument(state.project, source);
    if (!doc) return { doc: undefined, message: `${this.path} has not been extracted yet (status: ${source.status}).` };
    return { doc: toPreview(doc, source) };
  }
}

export function toPreview(doc: ExtractedDocument, source: SourceEntry): PreviewDoc {
  const m = doc.metadata;
  const rows: Array<[string, string | number | undefined]> = [
    ['Format', `${doc.format.toUpperCase()} (detected by ${doc.detectedBy})`],
    ['Size', formatBytes(doc.source.size)],
    ['Encoding', doc.encoding ? `${doc.encoding.name} (confidence ${Math.round(doc.encoding.confidence * 100)}%)` : undefined],
    ['Title', m.title],
    ['Author', m.author],
    ['Subject', m.subject],
    ['Keywords', m.keywords],
    ['Created', m.created],
    ['Modified', m.modified],
    ['Creator', m.creator],
    ['Producer', m.producer],
    ['Pages', m.pages ?? m.slides],
    ['OCR pages', doc.ocrPages || undefined],
    ['Rows', m.rowCount],
    ['Columns', m.columns?.join(', ')],
    ['Records', m.recordCount],
    ['Record fields', m.recordFields?.join(', ')],
    ['Characters', doc.text.length.toLocaleString()],
    ['Extracted', `${doc.extractedAt.slice(0, 19).replace('T', ' ')} in ${(doc.timings.totalMs / 1000).toFixed(1)} s by ${doc.extractor.backend} (Bright Run extractor ${doc.extractor.version})`],
    ['SHA-256', source.sha256],
  ];
  const metadata = rows.filter((r): r is [string, string | number] => r[1] !== undefined && r[1] !== '').map(([k, v]) => [k, String(v)] as [string, string]);
  const unit = doc.format === 'pptx' || doc.format === 'ppt' ? 'slide' : doc.pages?.length ? 'page' : 'section';
  let budget = MAX_CHARS;
  const cut = (t: string) => {
    const piece = t.slice(0, Math.max(0, budget));
    budget -= piece.length;
    return piece;
  };
  const pages = doc.pages?.length
    ? doc.pages.map((p) => ({ number: p.number, source: p.source, ...(p.ocrConfidence !== undefined ? { confidence: p.ocrConfidence } : {}), ...(p.rotation ? { rotation: p.rotation } : {}), text: cut(doc.text.slice(p.start, p.end)) }))
    : [{ number: 1, source: 'text-layer' as const, text: cut(doc.text) }];
  return { path: source.path, format: doc.format, unit, metadata, warnings: doc.warnings.map((w) => `${w.code}: ${w.message}`), pages, ...(budget < 0 || doc.text.length > MAX_CHARS ? { truncated: true } : {}) };
}
