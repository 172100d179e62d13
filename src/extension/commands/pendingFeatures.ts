import * as vscode from 'vscode';
import type { ProjectStore } from '../projectStore';

/**
 * Commands whose stage has not shipped yet. They are contributed so menus and keybindings are stable, and
 * they tell the user plainly what is missing instead of pretending to work.
 */
export function explainPending(store: ProjectStore, feature: 'export' | 'train'): void {
  const done = store.state.kind === 'open' ? store.state.status.documents.done : 0;
  const text: Record<typeof feature, string> = {
    export: `Dataset export is not available in this build of Bright Run yet. Your ${done} extracted document(s) are kept in .brightrun/documents.`,
    train: 'Training runs are not available in this build of Bright Run yet.',
  };
  void vscode.window.showInformationMessage(text[feature]);
}
