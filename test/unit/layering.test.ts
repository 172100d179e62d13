import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ESLint } from 'eslint';

// The lint rule that keeps src/core free of VS Code is part of the build; prove it fires.
describe('layering lint rule', () => {
  const repo = path.resolve(__dirname, '..', '..', '..');
  const eslint = new ESLint({ cwd: repo });

  async function problems(file: string, code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath: path.join(repo, file) });
    return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
  }

  it('rejects vscode imports in src/core, src/cli and src/shared', async function () {
    this.timeout(30_000);
    for (const file of ['src/core/x.ts', 'src/cli/x.ts', 'src/shared/x.ts']) {
      const found = await problems(file, "import * as vscode from 'vscode';\nexport const v = vscode;\n");
      assert.ok(found.some((m) => m.startsWith('no-restricted-imports')), `${file}: ${found.join('; ')}`);
      const req = await problems(file, "import vscode = require('vscode');\nexport const v = vscode;\n");
      assert.ok(req.some((m) => m.startsWith('no-restricted-imports')), `${file} (require): ${req.join('; ')}`);
    }
  });

  it('rejects core importing the extension layer, and webviews importing core', async () => {
    assert.ok((await problems('src/core/x.ts', "import { activate } from '../extension/extension';\nexport const a = activate;\n")).some((m) => m.startsWith('no-restricted-imports')));
    assert.ok((await problems('webview/x.ts', "import { Project } from '../src/core';\nexport const p = Project;\n")).some((m) => m.startsWith('no-restricted-imports')));
  });

  it('allows vscode in src/extension', async () => {
    assert.deepEqual(await problems('src/extension/x.ts', "import * as vscode from 'vscode';\nexport const v = vscode;\n"), []);
  });
});
