import * as vscode from 'vscode';
import { formatBytes, MANIFEST_FILE, type ExportManifest } from '../../core';
import { Commands } from '../../shared/commands';
import type { ExportInfo, ExportsModel, ExportVersionInfo } from './exportsModel';

/** Nodes of the tree's Exports section: the section, one node per export, one per published version. */
export type ExportNode = { kind: 'exports' } | { kind: 'export'; info: ExportInfo } | { kind: 'exportVersion'; version: ExportVersionInfo };

export function exportChildren(model: ExportsModel, node: ExportNode): ExportNode[] {
  if (node.kind === 'exports') return model.exports.map((info) => ({ kind: 'export', info }));
  if (node.kind === 'export') return node.info.versions.map((version) => ({ kind: 'exportVersion', version }));
  return [];
}

/** "1,204 records · jsonl, csv · 3.1 MB": what the version row says, from its manifest. */
export function versionSummary(m: ExportManifest): string {
  const bytes = m.files.reduce((s, f) => s + f.bytes, 0);
  return `${m.records.total.toLocaleString()} records · ${m.parameters.formats.join(', ')} · ${formatBytes(bytes)}`;
}

export function exportTreeItem(model: ExportsModel, node: ExportNode): vscode.TreeItem {
  switch (node.kind) {
    case 'exports': {
      const count = model.exports.length;
      const item = new vscode.TreeItem('Exports', count ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
      item.id = count ? 'exports' : 'exports-empty';
      item.iconPath = new vscode.ThemeIcon('package');
      item.description = count ? `${count}` : 'none yet — export';
      item.tooltip = count ? 'Published exports under exports/, each with its versions.' : 'No exports yet. Click to export the records.';
      if (!count) item.command = { command: Commands.export, title: 'Export Dataset…' };
      item.contextValue = count ? 'exports' : 'exports-empty';
      return item;
    }
    case 'export': {
      const item = new vscode.TreeItem(node.info.name, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `export:${node.info.name}`;
      item.iconPath = new vscode.ThemeIcon('folder-library');
      const latest = node.info.versions[0];
      item.description = `${node.info.versions.length} version(s)${latest ? ` · latest ${latest.version}` : ''}`;
      item.contextValue = 'export';
      return item;
    }
    case 'exportVersion': {
      const v = node.version;
      const item = new vscode.TreeItem(v.version, vscode.TreeItemCollapsibleState.None);
      item.id = `exportVersion:${v.exportName}/${v.version}`;
      item.iconPath = v.manifest ? new vscode.ThemeIcon('tag') : new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
      item.description = v.manifest ? versionSummary(v.manifest) : 'manifest unreadable';
      item.resourceUri = vscode.Uri.file(v.dir);
      const tip = new vscode.MarkdownString();
      tip.appendMarkdown(`**${v.exportName} ${v.version}**\n\n`);
      if (v.manifest) {
        const m = v.manifest;
        const s = m.records.splits;
        tip.appendText(`${versionSummary(m)}\ntrain ${s.train} · validation ${s.validation} · test ${s.test}\nrecords built ${m.records.builtAt.slice(0, 16).replace('T', ' ')}${m.previous ? `\nprevious ${m.previous}` : ''}\n${v.dir}`);
      } else tip.appendText(`${v.error ?? ''}\n${v.dir}`);
      item.tooltip = tip;
      item.contextValue = v.manifest ? 'exportVersion' : 'exportVersion-broken';
      if (v.manifest) item.command = { command: Commands.openExportManifest, title: `Open ${MANIFEST_FILE}`, arguments: [node] };
      return item;
    }
  }
}
