// Entry point loaded by VS Code's extension host (extensionTestsPath): runs the mocha suite inside it. The
// 20,000-source workspace (test/vscode/workspaces.mjs, "ws-large") runs large.test.js; any other, the rest.
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import Mocha from 'mocha';
import * as vscode from 'vscode';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 30_000, color: false, forbidOnly: true, forbidPending: true });
  const large = path.basename(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '') === 'ws-large';
  const files = (await fs.readdir(__dirname)).filter((f) => f.endsWith('.test.js') && (f === 'large.test.js') === large).sort();
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  await new Promise<void>((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const passed = runner.stats?.passes ?? 0;
      // Parsed by test/vscode/run.mjs.
      console.log(`BRIGHTRUN_SUITE_RESULT ${JSON.stringify({ passed, failed: failures })}`);
      if (failures > 0) reject(new Error(`${failures} test(s) failed`));
      else resolve();
    });
  });
}
