import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A fresh temp folder per test, removed afterwards; `write(name, content)` puts a file in it and returns its path. */
export function useTempDir(): { readonly dir: string; write(name: string, content: string | Buffer): Promise<string> } {
  const state = {
    dir: '',
    async write(name: string, content: string | Buffer) {
      const file = path.join(state.dir, name);
      await fs.writeFile(file, content);
      return file;
    },
  };
  beforeEach(async () => {
    state.dir = await fs.mkdtemp(path.join(os.tmpdir(), 'brightrun-test-'));
  });
  afterEach(async () => {
    await fs.rm(state.dir, { recursive: true, force: true });
  });
  return state;
}

export async function writeFiles(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const full = path.join(root, rel);
    await fs.mkdir(path.dirname(full), { recursive: true });
    await fs.writeFile(full, content);
  }
}
