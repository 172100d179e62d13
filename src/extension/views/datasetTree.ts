import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatBytes, fromStoredPath, pageLabel, SourceIndex, SPLITS, type RecordsManifest, type SourceEntry, type SourcePage, type SourceStatus } from '../../core';
import { Commands } from '../../shared/commands';
import { exportChildren, exportTreeItem, type ExportNode } from '../export/exportTreeItems';
import type { ExportsModel } from '../export/exportsModel';
import type { ProjectStore, RecordsSummary } from '../projectStore';

type Node =
  | { kind: 'project' }
  | { kind: 'broken'; message: string; remedy: string }
  | { kind: 'sources' }
  | { kind: 'status'; status: SourceStatus }
  | { kind: 'page'; page: SourcePage }
  | { kind: 'source'; source: SourceEntry }
  | { kind: 'section'; label: string; icon: string; empty: string }
  | { kind: 'records' }
  | { kind: 'recordsRow'; id: string; label: string; description: string; icon: string; tooltip?: string }
  | ExportNode;

const STATUS_LABEL: Record<SourceStatus, string> = { queued: 'Queued', extracting: 'Extracting', done: 'Done', failed: 'Failed' };
const STATUS_ICON: Record<SourceStatus, vscode.ThemeIcon> = {
  queued: new vscode.ThemeIcon('clock'),
  extracting: new vscode.ThemeIcon('sync~spin'),
  done: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
};

/** Sections filled by later stages; each says plainly that it is empty and why. */
const SECTIONS: Node[] = [
  { kind: 'section', label: 'Training Runs', icon: 'rocket', empty: 'No training runs yet.' },
  { kind: 'section', label: 'Models', icon: 'hubot', empty: 'No trained models yet.' },
];

/** The Bright Run sidebar: the view listens to the store; the store owns the data. */
export class DatasetTree implements vscode.TreeDataProvider<Node>, vscode.TreeDragAndDropController<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[];
  readonly onDidChangeTreeData: vscode.Event<void> = this.changed.event;
  /** Files dropped from the Explorer or the OS are added to the dataset. */
  readonly dropMimeTypes = ['text/uri-list', 'files'];
  readonly dragMimeTypes: string[] = [];

  constructor(
    private readonly store: ProjectStore,
    private readonly onDropUris: (uris: vscode.Uri[]) => Thenable<unknown>,
    private readonly exports: ExportsModel,
  ) {
    const fire = () => this.changed.fire();
    this.subscriptions = [this.changed, store.onDidChange(fire), exports.onDidChange(fire)];
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }

  async handleDrop(_target: Node | undefined, data: vscode.DataTransfer): Promise<void> {
    const uris: vscode.Uri[] = [];
    const list = await data.get('text/uri-list')?.asString();
    for (const line of (list ?? '').split(/\r?\n/)) {
      const t = line.trim();
      if (t && !t.startsWith('#')) uris.push(vscode.Uri.parse(t));
    }
    if (uris.length === 0) {
      data.forEach((item) => {
        const file = item.asFile();
        if (file?.uri) uris.push(file.uri);
      });
    }
    if (uris.length) await this.onDropUris(uris);
  }

  /** The paging index of the list the store holds now: built once per change of the list, not per expand. */
  private index: { of: readonly SourceEntry[]; index: SourceIndex } | undefined;

  private sourceIndex(sources: readonly SourceEntry[]): SourceIndex {
    if (this.index?.of !== sources) this.index = { of: sources, index: new SourceIndex(sources) };
    return this.index.index;
  }

  getChildren(node?: Node): Node[] {
    const state = this.store.state;
    if (state.kind === 'none') return []; // viewsWelcome takes over
    if (state.kind === 'broken') return node ? [] : [{ kind: 'broken', message: state.error.message, remedy: state.error.remedy }];
    if (!node) return [{ kind: 'project' }, { kind: 'sources' }, { kind: 'records' }, { kind: 'exports' }, ...SECTIONS];
    if (node.kind === 'records') return recordsRows(state.records);
    if (node.kind === 'exports' || node.kind === 'export' || node.kind === 'exportVersion') return exportChildren(this.exports, node);
    const index = this.sourceIndex(state.sources);
    if (node.kind === 'sources') return index.statuses().map((status) => ({ kind: 'status', status }));
    // A large group opens as pages of SOURCE_PAGE_SIZE (100,000 sources are never one expand).
    if (node.kind === 'status' && index.paged(node.status)) return index.pages(node.status).map((page) => ({ kind: 'page', page }));
    if (node.kind === 'status') return index.sources(node.status).map((source) => ({ kind: 'source', source }));
    if (node.kind === 'page') return index.sources(node.page.status, node.page.page).map((source) => ({ kind: 'source', source }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const state = this.store.state;
    switch (node.kind) {
      case 'exports':
      case 'export':
      case 'exportVersion':
        return exportTreeItem(this.exports, node);
      case 'project': {
        const name = state.kind === 'open' ? state.status.name : '';
        const item = new vscode.TreeItem(name, vscode.TreeItemCollapsibleState.None);
        item.id = 'project';
        item.iconPath = new vscode.ThemeIcon('database');
        item.description = state.kind === 'open' ? formatBytes(state.status.bytes) : '';
        item.tooltip = state.kind === 'open' ? new vscode.MarkdownString(`**${name}**\n\n${state.project.root}\n\nFormat version ${state.status.formatVersion}`) : undefined;
        item.contextValue = 'project';
        item.command = { command: Commands.showOverview, title: 'Show Project Overview' };
        return item;
      }
      case 'broken': {
        const item = new vscode.TreeItem(node.message, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
        item.tooltip = `${node.message}\n\n${node.remedy}`;
        item.command = { command: 'vscode.open', title: 'Open brightrun.json', arguments: [vscode.Uri.file(path.join(state.kind === 'broken' ? state.root : '', 'brightrun.json'))] };
        return item;
      }
      case 'sources': {
        const count = state.kind === 'open' ? state.sources.length : 0;
        const item = new vscode.TreeItem('Sources', count ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
        // A new id once there are sources, so the node opens expanded instead of keeping its empty, leaf state.
        item.id = count ? 'sources' : 'sources-empty';
        item.iconPath = new vscode.ThemeIcon('files');
        item.description = count ? `${count}` : 'none — add documents';
        item.tooltip = count ? undefined : 'Click to add documents, or right-click files and folders in the Explorer and choose "Add to Bright Run Dataset".';
        if (!count) item.command = { command: Commands.addDocuments, title: 'Add Documents…' };
        item.contextValue = 'sources';
        return item;
      }
      case 'status': {
        const count = state.kind === 'open' ? state.status.documents[node.status] : 0;
        const item = new vscode.TreeItem(STATUS_LABEL[node.status], vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `status:${node.status}`;
        item.iconPath = STATUS_ICON[node.status];
        item.description = `${count}`;
        item.contextValue = `status-${node.status}`;
        return item;
      }
      case 'page': {
        const item = new vscode.TreeItem(pageLabel(node.page), vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `page:${node.page.status}:${node.page.page}`;
        item.iconPath = new vscode.ThemeIcon('files');
        item.description = `${STATUS_LABEL[node.page.status].toLowerCase()}, by path`;
        item.contextValue = `page-${node.page.status}`;
        return item;
      }
      case 'source': {
        const s = node.source;
        const root = state.kind === 'open' ? state.project.root : '';
        const uri = vscode.Uri.file(fromStoredPath(root, s.path));
        const item = new vscode.TreeItem(uri, vscode.TreeItemCollapsibleState.None);
        item.id = `source:${s.path}`;
        item.label = path.posix.basename(s.path);
        item.description = path.posix.dirname(s.path) === '.' ? formatBytes(s.size) : `${path.posix.dirname(s.path)} · ${formatBytes(s.size)}`;
        const tip = new vscode.MarkdownString();
        tip.appendMarkdown(`**${path.posix.basename(s.path)}**\n\n`);
        tip.appendText(`${s.path}\n${formatBytes(s.size)} · ${STATUS_LABEL[s.status]} · added ${s.addedAt.slice(0, 16).replace('T', ' ')}\nsha256 ${s.sha256.slice(0, 16)}…`);
        const x = s.extracted;
        if (x) {
          tip.appendText(`\n${x.format.toUpperCase()}${x.pages !== undefined ? ` · ${x.pages} page(s)` : ''}${x.ocrPages ? ` · ${x.ocrPages} OCR'd (lowest confidence ${x.minOcrConfidence ?? '?'}%)` : ''} · ${x.chars.toLocaleString()} characters · ${(x.durationMs / 1000).toFixed(1)} s`);
          if (x.title) tip.appendText(`\nTitle: ${x.title}`);
          if (x.warnings.length) tip.appendText(`\nWarnings: ${x.warnings.join(', ')}`);
          item.description = `${item.description} · ${x.format}${x.pages !== undefined ? ` · ${x.pages}p` : ''}`;
        }
        if (s.error) tip.appendMarkdown(`\n\n$(error) `).appendText(`${s.error.message} ${s.error.remedy}`);
        tip.supportThemeIcons = true;
        item.tooltip = tip;
        item.contextValue = `source-${s.status}`;
        item.command = { command: 'vscode.open', title: 'Open Source', arguments: [uri] };
        return item;
      }
      case 'records': {
        const r = state.kind === 'open' ? state.records : undefined;
        const m = r?.manifest;
        const total = m ? SPLITS.reduce((n, x) => n + m.splits[x].records, 0) : 0;
        const item = new vscode.TreeItem('Records', m ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
        item.id = m ? 'records' : 'records-empty';
        item.iconPath = new vscode.ThemeIcon('list-flat');
        item.description = m ? `${total.toLocaleString()}${r?.excluded ? ` · ${r.excluded} excluded` : ''}` : 'none yet — build';
        item.tooltip = m
          ? `${total.toLocaleString()} record(s) from ${m.documents} document(s), built ${m.builtAt.slice(0, 16).replace('T', ' ')}. Click to open the Records view.`
          : 'No records yet: they are built from extracted documents. Click to build them.';
        item.command = m ? { command: Commands.openRecords, title: 'Open Records View' } : { command: Commands.buildRecords, title: 'Build Records' };
        item.contextValue = m ? 'records' : 'records-empty';
        return item;
      }
      case 'recordsRow': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.id = `records:${node.id}`;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.description = node.description;
        if (node.tooltip) item.tooltip = node.tooltip;
        item.contextValue = 'records-row';
        item.command = { command: Commands.openRecords, title: 'Open Records View' };
        return item;
      }
      case 'section': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.id = `section:${node.label}`;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.description = 'none yet';
        item.tooltip = node.empty;
        return item;
      }
    }
  }
}

/** Children of the Records node: one row per split and per builder (from the manifest), and the overlay's counts. */
function recordsRows(r: RecordsSummary): Node[] {
  const rows: Node[] = [];
  if (r.error) rows.push({ kind: 'recordsRow', id: 'error', label: r.error.message, description: '', icon: 'warning', tooltip: `${r.error.message}\n\n${r.error.remedy}` });
  const m = r.manifest;
  if (!m) return rows;
  for (const split of SPLITS) {
    const s = m.splits[split];
    const over = s.overLength.truncated + s.overLength.dropped;
    rows.push({
      kind: 'recordsRow',
      id: `split:${split}`,
      label: split,
      description: `${s.records.toLocaleString()} · ${s.tokens.toLocaleString()} tokens · ${s.documents} doc(s)`,
      icon: 'symbol-array',
      tooltip: `${split}: ${s.records} record(s), ${s.tokens} tokens, ${s.documents} document(s)${over ? `; over the maximum length: ${s.overLength.truncated} truncated, ${s.overLength.dropped} dropped` : ''}`,
    });
  }
  for (const [builder, count] of builderCounts(m)) rows.push({ kind: 'recordsRow', id: `builder:${builder}`, label: `builder: ${builder}`, description: count.toLocaleString(), icon: 'tools' });
  if (r.excluded || r.edited) rows.push({ kind: 'recordsRow', id: 'overlay', label: 'your changes', description: `${r.excluded} excluded · ${r.edited} edited`, icon: 'edit', tooltip: 'Kept in .brightrun/records-overlay.jsonl by record id; they survive rebuilds.' });
  return rows;
}

/** Records per builder, from the manifest's per-builder figures (builders that made none are left out). */
export function builderCounts(m: RecordsManifest): Array<[string, number]> {
  return Object.entries(m.builders ?? {}).map(([name, stats]): [string, number] => [name, stats?.records ?? 0]).filter(([, n]) => n > 0);
}
