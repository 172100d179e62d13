import * as vscode from 'vscode';
import { SECRETS, type SecretName } from '../../core';
import type { SecretStore } from '../secrets';

/** "Set API Token…": pick which secret, type it in a password box, store it in SecretStorage (or clear it). */
export async function setSecret(secrets: SecretStore, log: vscode.LogOutputChannel): Promise<void> {
  const pick = await vscode.window.showQuickPick(
    (Object.keys(SECRETS) as SecretName[]).map((name) => ({ label: SECRETS[name].label, description: `or env ${SECRETS[name].env}`, name })),
    { title: 'Set API Token', placeHolder: 'Which token or key?' },
  );
  if (!pick) return;
  const value = await vscode.window.showInputBox({
    title: `Set ${pick.label}`,
    prompt: 'Stored in VS Code Secret Storage, never in files or logs. Leave empty to remove it.',
    password: true,
    ignoreFocusOut: true,
  });
  if (value === undefined) return;
  if (value.trim() === '') {
    await secrets.delete(pick.name);
    log.info(`${pick.label} removed from Secret Storage`);
    void vscode.window.showInformationMessage(`${pick.label} removed.`);
  } else {
    await secrets.set(pick.name, value.trim());
    log.info(`${pick.label} saved to Secret Storage`); // never the value
    void vscode.window.showInformationMessage(`${pick.label} saved in Secret Storage.`);
  }
}
