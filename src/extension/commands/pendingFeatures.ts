import * as vscode from 'vscode';

/**
 * Commands whose stage has not shipped yet. They are contributed so menus and keybindings are stable, and
 * they tell the user plainly what is missing instead of pretending to work.
 */
export function explainPending(feature: 'train'): void {
  const text: Record<typeof feature, string> = {
    train: 'Training runs are not available in this build of Bright Run yet.',
  };
  void vscode.window.showInformationMessage(text[feature]);
}
