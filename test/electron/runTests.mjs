// `npm run test:electron`: the same in-extension-host suite in desktop VS Code via @vscode/test-electron.
// It downloads a VS Code build, so it only works on machines that can reach Microsoft's update servers;
// offline machines use `npm test`, which runs the suite in code-server's VS Code instead.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';
import { prepareWorkspaces } from '../vscode/workspaces.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
execFileSync(process.execPath, ['esbuild.mjs'], { cwd: repo, stdio: 'inherit' });
execFileSync(path.join(repo, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: repo, stdio: 'inherit' });
const { withProject, large } = await prepareWorkspaces(repo);
try {
  // The suite picks its tests by workspace (test/vscode/suite/index.ts): the CLI-made project, then 20,000 sources.
  for (const workspace of [withProject, large]) {
    await runTests({
      version: process.env.VSCODE_VERSION ?? 'stable',
      extensionDevelopmentPath: repo,
      extensionTestsPath: path.join(repo, 'out/test/vscode/suite/index.js'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    });
  }
} catch (err) {
  console.error(`test:electron failed: ${err instanceof Error ? err.message : err}`);
  console.error('If VS Code could not be downloaded, this machine is offline: use `npm test` (code-server) instead.');
  process.exit(1);
}
