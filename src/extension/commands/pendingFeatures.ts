import * as vscode from 'vscode';
import type { ProjectStore } from '../projectStore';

/**
 * Commands whose stage has not shipped yet. They are contributed so menus and keybindings are stable, and
 * they tell the user plainly what is missing instead of pretending to work.
 */
export function explainPending(store: ProjectStore, feature: 'extract' | 'preview' | 'export' | 'train'): void {
  const queued = store.state.kind === 'open' ? store.state.status.documents.queued : 0;
  const text: Record<typeof feature, string> = {
    extract: `Extraction is not available in this build of Bright Run yet. ${queued} queued document(s) stay queued and will be extracted when it ships.`,
    preview: 'Extracted-text preview is not available in this build of Bright Run yet: documents must be extracted first, which is not built yet.',
    export: 'Dataset export is not available in this build of Bright Run yet.',
    train: 'Training runs are not available in this build of Bright Run yet.',
  };
  void vscode.window.showInformationMessage(text[feature]);
}
