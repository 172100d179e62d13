import * as vscode from 'vscode';
import { Commands, ContextKeys } from '../../shared/commands';
import { Disposable } from '../lifecycle';
import type { ProjectStore } from '../projectStore';
import { describeEta, type IngestionService } from './ingestionService';

/** A status-bar item while a batch runs (progress, ETA) or documents failed; a click opens the Ingestion panel. */
export class IngestionStatusBar extends Disposable {
  private readonly item = this._register(vscode.window.createStatusBarItem('brightrun.ingestion', vscode.StatusBarAlignment.Left, 10));

  constructor(
    private readonly store: ProjectStore,
    private readonly ingestion: IngestionService,
  ) {
    super();
    this.item.name = 'Bright Run Ingestion';
    this.item.command = Commands.showIngestion;
    this._register(ingestion.onDidChange(() => this.update()));
    this._register(store.onDidChange(() => this.update()));
    this.update();
  }

  /** What the item shows now, and whether it is shown (tests read it). */
  get shown(): { text: string; visible: boolean } {
    return { text: this.item.text, visible: this.visible };
  }

  private visible = false;

  private update(): void {
    const snap = this.ingestion.snapshot;
    void vscode.commands.executeCommand('setContext', ContextKeys.extracting, snap.running);
    void vscode.commands.executeCommand('setContext', ContextKeys.paused, snap.paused);
    const failed = this.store.state.kind === 'open' ? this.store.state.status.documents.failed : 0;
    if (snap.running) {
      const p = snap.progress;
      const count = p ? `${p.done}/${p.total}` : '';
      const eta = describeEta(snap);
      this.item.text = snap.paused ? `$(debug-pause) Bright Run ${count} paused` : `$(sync~spin) Bright Run ${count}${eta ? ` · ${eta.replace('about ', '')}` : ''}`;
      this.item.tooltip = `Extracting documents${p?.current ? ` — ${p.current}` : ''}. Click to open the queue.`;
      this.item.backgroundColor = undefined;
      this.item.show();
      this.visible = true;
    } else if (failed > 0) {
      this.item.text = `$(error) Bright Run: ${failed} failed`;
      this.item.tooltip = `${failed} document(s) could not be extracted. Click to see why and retry.`;
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      this.item.show();
      this.visible = true;
    } else {
      this.item.hide();
      this.visible = false;
    }
  }
}
