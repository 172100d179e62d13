import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_FILE, overlayFile, Project, readOverlay, RecordStore, refreshDelayMs, toBrightRunError, type BrightRunError, type ProjectStatus, type RecordsManifest, type SourceEntry } from '../core';
import { ContextKeys } from '../shared/commands';
import { Disposable } from './lifecycle';

export type ProjectState =
  | { kind: 'none' }
  | { kind: 'open'; project: Project; status: ProjectStatus; sources: SourceEntry[]; records: RecordsSummary }
  | { kind: 'broken'; root: string; error: BrightRunError };

/** The current records build (manifest) and the user's overlay counts, for the tree; errors are shown, not thrown. */
export interface RecordsSummary {
  manifest?: RecordsManifest;
  excluded: number;
  edited: number;
  error?: BrightRunError;
}

/**
 * Owns what the views show about the workspace's dataset project; views listen to `onDidChange`.
 * The project is the first workspace folder that has a brightrun.json. Changes on disk (this window, another
 * window, the CLI, git) arrive through file watchers and are coalesced into one refresh.
 */
export class ProjectStore extends Disposable {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  private current: ProjectState = { kind: 'none' };
  private refreshTimer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;
  /** How long the last re-read took, and when it ended: refreshes are spaced by what they cost (refreshDelayMs). */
  private lastLoadMs = 0;
  private lastLoadEnd = 0;

  constructor(private readonly log: vscode.LogOutputChannel) {
    super();
    const schedule = () => this.scheduleRefresh();
    for (const pattern of [`**/${CONFIG_FILE}`, '**/.brightrun/sources.json', '**/.brightrun/sources.journal.jsonl', '**/.brightrun/records/manifest.json', '**/.brightrun/records-overlay.jsonl']) {
      const watcher = this._register(vscode.workspace.createFileSystemWatcher(pattern));
      this._register(watcher.onDidCreate(schedule));
      this._register(watcher.onDidChange(schedule));
      this._register(watcher.onDidDelete(schedule));
    }
    this._register(vscode.workspace.onDidChangeWorkspaceFolders(schedule));
    this._register({ dispose: () => clearTimeout(this.refreshTimer) });
  }

  get state(): ProjectState {
    return this.current;
  }

  get project(): Project | undefined {
    return this.current.kind === 'open' ? this.current.project : undefined;
  }

  /** The folder a new project would be created in when the user does not choose. */
  get defaultFolder(): vscode.WorkspaceFolder | undefined {
    return vscode.workspace.workspaceFolders?.[0];
  }

  scheduleRefresh(delayMs = 150): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refresh(), refreshDelayMs(delayMs, this.lastLoadMs, Date.now() - this.lastLoadEnd));
  }

  /** Re-reads the project from disk; concurrent calls are folded into one extra pass. */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.refreshAgain = false;
        const started = Date.now();
        this.current = await this.load();
        this.lastLoadEnd = Date.now();
        this.lastLoadMs = this.lastLoadEnd - started;
      } while (this.refreshAgain);
      this.refreshing = undefined;
      await this.updateContextKeys();
      this.changed.fire();
    })();
    return this.refreshing;
  }

  private async load(): Promise<ProjectState> {
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme !== 'file') continue;
      const root = folder.uri.fsPath;
      try {
        await fs.access(path.join(root, CONFIG_FILE));
      } catch {
        continue;
      }
      try {
        const project = await Project.open(root, { owner: 'VS Code' });
        const sources = await project.readSources();
        return { kind: 'open', project, status: project.statusOf(sources), sources, records: await loadRecordsSummary(project) };
      } catch (err) {
        const error = toBrightRunError(err);
        this.log.error(`Cannot open the project in ${root}: [${error.code}] ${error.message} — ${error.remedy}`);
        return { kind: 'broken', root, error };
      }
    }
    return { kind: 'none' };
  }

  private async updateContextKeys(): Promise<void> {
    const s = this.current;
    await vscode.commands.executeCommand('setContext', ContextKeys.hasProject, s.kind !== 'none');
    await vscode.commands.executeCommand('setContext', ContextKeys.hasSources, s.kind === 'open' && s.sources.length > 0);
    await vscode.commands.executeCommand('setContext', ContextKeys.hasExtracted, s.kind === 'open' && s.sources.some((x) => x.status === 'done'));
    await vscode.commands.executeCommand('setContext', ContextKeys.hasRecords, s.kind === 'open' && s.records.manifest !== undefined);
  }
}

async function loadRecordsSummary(project: Project): Promise<RecordsSummary> {
  const summary: RecordsSummary = { excluded: 0, edited: 0 };
  try {
    const manifest = await new RecordStore(project.paths.records).readManifest();
    if (manifest) summary.manifest = manifest;
    for (const e of (await readOverlay(overlayFile(project.paths.dataDir))).entries()) {
      if (e.excluded) summary.excluded++;
      if (e.edit) summary.edited++;
    }
  } catch (err) {
    summary.error = toBrightRunError(err);
  }
  return summary;
}
