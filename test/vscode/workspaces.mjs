// Fixture workspaces for the in-VS-Code tests, shared by the code-server and the @vscode/test-electron runners.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A workspace whose project was made by the CLI (so the extension opens what the CLI wrote), and one without a project. */
export function prepareWorkspaces(repo) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'brightrun-vscode-'));
  const withProject = path.join(tmp, 'ws-project');
  const empty = path.join(tmp, 'ws-empty');
  for (const ws of [withProject, empty]) cpSync(path.join(repo, 'test/fixtures/workspace'), ws, { recursive: true });
  const cli = (...args) => execFileSync(process.execPath, [path.join(repo, 'dist/cli.js'), ...args], { cwd: withProject });
  cli('init', '--name', 'fixture-dataset');
  cli('add', 'guide.md', 'notes.txt');
  // The in-host suite steps through states one at a time, so adding does not start extraction there.
  mkdirSync(path.join(withProject, '.vscode'));
  writeFileSync(path.join(withProject, '.vscode', 'settings.json'), JSON.stringify({ 'brightrun.extract.autoStart': false }));
  return { tmp, withProject, empty };
}
