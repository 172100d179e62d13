import * as path from 'node:path';
import * as vscode from 'vscode';
import { listExports, readExportManifest, toBrightRunError, type ExportManifest } from '../../core';
import { ContextKeys } from '../../shared/commands';
import { Disposable } from '../lifecycle';
import type { ProjectStore } from '../projectStore';

/** One published version of an export, with its manifest (or why it could not be read). */
export interface ExportVersionInfo {
  exportName: string;
  version: string;
  /** Absolute path of the version folder (exports/<name>/<version>). */
  dir: string;
  manifest?: ExportManifest;
  error?: string;
}

export interface ExportInfo {
  name: string;
  /** Newest first. */
  versions: ExportVersionInfo[];
}

/** Least time between two re-reads of exports/, so a running export's many file events cost one read per interval. */
const MIN_INTERVAL_MS = 1000;

/**
 * What the tree shows of the project's exports/ folder: every export with its versions (newest first) and their
 * manifests, read asynchronously (never in getChildren). Re-read when exports/ changes on disk, at most once per
 * MIN_INTERVAL_MS, when the project changes, and after an export or verify run.
 */
export class ExportsModel extends Disposable {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  private current: ExportInfo[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastRead = 0;
  private reading: Promise<void> | undefined;
  private again = false;
  /** The exports/ folder last read, and a key of what it held: the tree is told only when that changes. */
  private readFor: string | undefined;
  private key = '[]';

  constructor(private readonly store: ProjectStore) {
    super();
    const schedule = () => this.scheduleRefresh();
    const watcher = this._register(vscode.workspace.createFileSystemWatcher('**/exports/**'));
    this._register(watcher.onDidCreate(schedule));
    this._register(watcher.onDidChange(schedule));
    this._register(watcher.onDidDelete(schedule));
    // The store changes often (extraction progress); only a different project means a different exports/.
    this._register(store.onDidChange(() => this.store.project?.paths.exports !== this.readFor && this.scheduleRefresh()));
    this._register({ dispose: () => clearTimeout(this.timer) });
  }

  get exports(): readonly ExportInfo[] {
    return this.current;
  }

  /** Every version of every export, newest first within each export. */
  get versions(): ExportVersionInfo[] {
    return this.current.flatMap((e) => e.versions);
  }

  scheduleRefresh(): void {
    if (this.timer) return;
    const wait = Math.max(150, MIN_INTERVAL_MS - (Date.now() - this.lastRead));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, wait);
  }

  /** Re-reads exports/ and the manifests; concurrent calls are folded into one extra pass. */
  refresh(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = (async () => {
      try {
        do {
          this.again = false;
          this.current = await this.read();
          this.lastRead = Date.now();
        } while (this.again);
      } finally {
        this.reading = undefined;
      }
      const key = JSON.stringify(this.current.map((e) => [e.name, e.versions.map((v) => [v.version, v.manifest?.files.length ?? v.error])]));
      if (key === this.key) return;
      this.key = key;
      void vscode.commands.executeCommand('setContext', ContextKeys.hasExports, this.current.length > 0);
      this.changed.fire();
    })();
    return this.reading;
  }

  private async read(): Promise<ExportInfo[]> {
    const project = this.store.project;
    this.readFor = project?.paths.exports;
    if (!project) return [];
    const out: ExportInfo[] = [];
    for (const e of await listExports(project.paths.exports)) {
      if (!e.versions.length) continue;
      const versions = await Promise.all(
        [...e.versions].reverse().map(async (version): Promise<ExportVersionInfo> => {
          const dir = path.join(project.paths.exports, e.name, version);
          try {
            return { exportName: e.name, version, dir, manifest: await readExportManifest(dir) };
          } catch (err) {
            return { exportName: e.name, version, dir, error: toBrightRunError(err).message };
          }
        }),
      );
      out.push({ name: e.name, versions });
    }
    return out;
  }
}
