import * as vscode from 'vscode';
import { formatDuration, fromStoredPath, panelRows, type SourceEntry } from '../../core';
import { Commands, WebviewTypes } from '../../shared/commands';
import { isIngestToHost, type IngestFile, type IngestState, type IngestToHost, type IngestToView } from '../../shared/protocol/ingest';
import type { ProjectStore } from '../projectStore';
import { PanelHost } from '../webviews/panelHost';
import { describeEta, describeThroughput, type IngestionService } from './ingestionService';

/** Rows sent to the webview; the rest are counted (a 10,000-file batch stays light). */
const MAX_ROWS = 300;

/** The Ingestion panel: the queue with per-file status, progress, errors and actions. Survives reloads. */
export class IngestPanel extends PanelHost<IngestToView, IngestToHost> {
  private static current: IngestPanel | undefined;

  static show(extensionUri: vscode.Uri, store: ProjectStore, ingestion: IngestionService): void {
    if (IngestPanel.current) {
      IngestPanel.current.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(WebviewTypes.ingest, 'Bright Run: Ingestion', vscode.ViewColumn.Active);
    IngestPanel.current = new IngestPanel(panel, extensionUri, store, ingestion);
  }

  static serializer(extensionUri: vscode.Uri, store: ProjectStore, ingestion: IngestionService): vscode.WebviewPanelSerializer {
    return {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel) => {
        IngestPanel.current?.dispose();
        IngestPanel.current = new IngestPanel(panel, extensionUri, store, ingestion);
      },
    };
  }

  private constructor(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly store: ProjectStore,
    private readonly ingestion: IngestionService,
  ) {
    super(panel, extensionUri, 'ingest', 'Bright Run: Ingestion', isIngestToHost);
    this._register(store.onDidChange(() => this.sendState()));
    this._register(ingestion.onDidChange(() => this.sendState()));
  }

  override dispose(): void {
    if (IngestPanel.current === this) IngestPanel.current = undefined;
    super.dispose();
  }

  protected sendState(): void {
    this.post({ type: 'state', state: ingestState(this.store, this.ingestion) });
  }

  protected async handle(m: IngestToHost): Promise<void> {
    if (m.type === 'run') {
      const actions = {
        start: () => this.ingestion.start(),
        pause: () => this.ingestion.pause(),
        resume: () => this.ingestion.resume(),
        cancelAll: () => this.ingestion.cancelAll(),
        addDocuments: () => vscode.commands.executeCommand(Commands.addDocuments),
        showLog: () => vscode.commands.executeCommand(Commands.showLog),
        retryFailed: () => this.ingestion.requeue(this.sourcesWith('failed').map((s) => s.path)),
      };
      await this.reply(m.id, actions[m.action]);
    } else if (m.type === 'file') {
      const source = this.store.state.kind === 'open' ? this.store.state.sources.find((s) => s.path === m.path) : undefined;
      const actions = {
        retry: () => this.ingestion.requeue([m.path]),
        cancel: () => this.ingestion.cancel(m.path),
        prioritize: () => this.ingestion.prioritize(m.path),
        preview: () => vscode.commands.executeCommand(Commands.openExtractedText, source ? { source } : undefined),
        reveal: () => source && this.store.state.kind === 'open' && vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(fromStoredPath(this.store.state.project.root, source.path))),
      };
      await this.reply(m.id, actions[m.action]);
    } else if (m.type === 'drop') {
      const uris = m.uris.map((u) => vscode.Uri.parse(u)).filter((u) => u.scheme === 'file');
      await this.reply(m.id, () => vscode.commands.executeCommand(Commands.addToDataset, uris[0], uris));
    }
  }

  private sourcesWith(status: SourceEntry['status']): SourceEntry[] {
    return this.store.state.kind === 'open' ? this.store.state.sources.filter((s) => s.status === status) : [];
  }
}

export function ingestState(store: ProjectStore, ingestion: IngestionService): IngestState | undefined {
  const state = store.state;
  if (state.kind !== 'open') return undefined;
  const snap = ingestion.snapshot;
  const live = snap.live;
  const files: IngestFile[] = panelRows(state.sources, live, MAX_ROWS)
    .map((s) => {
      const running = live.get(s.path);
      const status = running ? 'extracting' : s.status;
      return {
        path: s.path,
        status,
        priority: 0,
        ...(running?.percent !== undefined ? { percent: running.percent } : {}),
        ...(running ? { duration: formatDuration(Date.now() - running.startedAt) } : s.extracted && status === 'done' ? { duration: formatDuration(s.extracted.durationMs) } : {}),
        ...(s.extracted ? { format: s.extracted.format, ocrPages: s.extracted.ocrPages, ...(s.extracted.pages !== undefined ? { pages: s.extracted.pages } : {}) } : {}),
        ...(s.error && status === 'failed' ? { error: { code: s.error.code, message: s.error.message, remedy: s.error.remedy } } : {}),
      };
    });
  const p = snap.progress;
  const percent = p?.bytesTotal ? Math.round(((p.bytesDone ?? 0) / p.bytesTotal) * 100) : p?.total ? Math.round((p.done / p.total) * 100) : 0;
  const throughput = describeThroughput(snap);
  const eta = describeEta(snap);
  return {
    project: state.status.name,
    running: snap.running,
    paused: snap.paused,
    counts: { ...state.status.documents, extracting: Math.max(state.status.documents.extracting, live.size) },
    percent: snap.running ? percent : 100,
    ...(throughput ? { throughput } : {}),
    ...(eta ? { eta } : {}),
    files,
    hidden: Math.max(0, state.sources.length - files.length),
  };
}
