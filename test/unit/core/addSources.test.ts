import * as assert from 'node:assert/strict';
import { promises as fs, rmSync } from 'node:fs';
import * as path from 'node:path';
import { addSources, hasSupportedExtension, Project, readLog, type Progress } from '../../../src/core';
import { useTempDir, writeFiles } from '../../support/tmp';

describe('addSources', () => {
  const tmp = useTempDir();

  async function setup() {
    const project = await Project.create(tmp.dir, { name: 'p' });
    await writeFiles(tmp.dir, {
      'docs/a.pdf': '%PDF-1.4 a',
      'docs/b.TXT': 'b',
      'docs/nested/c.md': '# c',
      'docs/nested/d.exe': 'binary',
      'docs/node_modules/x/e.txt': 'dependency',
      'docs/~$lock.docx': 'office lock',
      'docs/.git/f.txt': 'git',
    });
    return project;
  }

  it('adds folders recursively with the default include/exclude globs', async () => {
    const project = await setup();
    const progress: Progress[] = [];
    const result = await addSources(project, [path.join(tmp.dir, 'docs')], { onProgress: (p) => progress.push(p) });
    assert.deepEqual(result.added.sort(), ['docs/a.pdf', 'docs/b.TXT', 'docs/nested/c.md']);
    assert.deepEqual(result.problems, []);
    const status = await project.status();
    assert.equal(status.documents.queued, 3);
    assert.equal(status.bytes, 10 + 1 + 3);
    const last = progress.at(-1)!;
    assert.equal(last.done, 3);
    assert.equal(last.bytesDone, 14);
    const sources = await project.readSources();
    assert.equal(sources[0]!.sha256.length, 64);
    assert.deepEqual(sources.map((s) => s.path), ['docs/a.pdf', 'docs/b.TXT', 'docs/nested/c.md'], 'sorted for stable git diffs');
  });

  it('takes a file named directly whatever its extension', async () => {
    const project = await setup();
    const result = await addSources(project, [path.join(tmp.dir, 'docs/nested/d.exe')]);
    assert.deepEqual(result.added, ['docs/nested/d.exe']);
  });

  it('applies custom include and exclude globs', async () => {
    const project = await setup();
    const result = await addSources(project, [path.join(tmp.dir, 'docs')], { include: ['**/*.md', '**/*.pdf'], exclude: ['nested/**'] });
    assert.deepEqual(result.added, ['docs/a.pdf']);
  });

  it('skips unchanged files and re-queues changed ones', async () => {
    const project = await setup();
    const docs = path.join(tmp.dir, 'docs');
    await addSources(project, [docs]);
    await project.updateSources((sources) => ({ sources: sources.map((s) => ({ ...s, status: 'done' as const })), result: undefined }));
    await fs.writeFile(path.join(docs, 'b.TXT'), 'b changed');
    const again = await addSources(project, [docs]);
    assert.deepEqual(again.added, []);
    assert.deepEqual(again.updated, ['docs/b.TXT']);
    assert.deepEqual(again.unchanged.sort(), ['docs/a.pdf', 'docs/nested/c.md']);
    const byPath = Object.fromEntries((await project.readSources()).map((s) => [s.path, s]));
    assert.equal(byPath['docs/b.TXT']!.status, 'queued');
    assert.equal(byPath['docs/a.pdf']!.status, 'done');
  });

  it('reports missing inputs and the project data folder, and adds the rest', async () => {
    const project = await setup();
    const result = await addSources(project, [path.join(tmp.dir, 'missing.pdf'), project.paths.sources, path.join(tmp.dir, 'docs/a.pdf')]);
    assert.deepEqual(result.added, ['docs/a.pdf']);
    assert.deepEqual(result.problems.map((p) => p.code), ['SOURCE_NOT_FOUND', 'INVALID_ARGUMENT']);
    assert.ok(result.problems.every((p) => p.file && p.remedy));
    const log = await readLog(project.paths.logs, new Date());
    assert.ok(log.some((e) => e.level === 'error' && e.error?.code === 'SOURCE_NOT_FOUND'));
  });

  it("leaves the project's own files out of a folder holding the project, and refuses them by name", async () => {
    const project = await setup();
    await writeFiles(tmp.dir, { 'exports/ds/1.0.0/data.jsonl': '{"text":"x"}\n', 'notes.md': '# notes' });
    const result = await addSources(project, [tmp.dir]);
    assert.ok(result.added.includes('notes.md'));
    assert.ok(!result.added.some((p) => p === 'brightrun.json' || p.startsWith('exports/') || p.startsWith('.brightrun/')), result.added.join());
    assert.ok(result.notices.some((n) => /own files? \(brightrun\.json, exports\/\) left out/.test(n)), result.notices.join());
    const named = await addSources(project, [project.paths.config, path.join(tmp.dir, 'exports/ds/1.0.0/data.jsonl')]);
    assert.deepEqual(named.added, []);
    assert.deepEqual(named.problems.map((p) => p.message), [`${project.paths.config} is the project's settings file.`, `${path.join(tmp.dir, 'exports/ds/1.0.0/data.jsonl')} is inside the project's exports folder (datasets Bright Run wrote).`]);
  });

  it('adds files outside the project with absolute paths', async () => {
    const projectDir = path.join(tmp.dir, 'proj');
    await fs.mkdir(projectDir);
    const project = await Project.create(projectDir);
    await writeFiles(tmp.dir, { 'outside/x.txt': 'x' });
    const result = await addSources(project, [path.join(tmp.dir, 'outside/x.txt')]);
    assert.deepEqual(result.added, [path.join(tmp.dir, 'outside/x.txt')]);
  });

  it('is cancellable and then changes nothing', async () => {
    const project = await setup();
    const c = new AbortController();
    c.abort();
    await assert.rejects(addSources(project, [path.join(tmp.dir, 'docs')], { signal: c.signal }), { code: 'CANCELLED' });
    const c2 = new AbortController();
    await assert.rejects(
      addSources(project, [path.join(tmp.dir, 'docs')], { signal: c2.signal, onProgress: (p) => (p.done === 1 ? c2.abort() : undefined) }),
      { code: 'CANCELLED' },
    );
    assert.equal((await project.status()).sources, 0);
  });

  it('reports files that vanish between listing and hashing', async () => {
    const project = await setup();
    const file = path.join(tmp.dir, 'docs/b.TXT');
    const result = await addSources(project, [path.join(tmp.dir, 'docs')], {
      onProgress: (p) => {
        if (p.current === file) rmSync(file); // progress is reported just before the file is read
      },
    });
    assert.deepEqual(result.added.sort(), ['docs/a.pdf', 'docs/nested/c.md']);
    assert.deepEqual(result.problems.map((p) => [p.code, p.file]), [['SOURCE_NOT_FOUND', file]]);
  });

  it('knows the supported extensions', () => {
    assert.ok(hasSupportedExtension('a/b/C.PDF'));
    assert.ok(hasSupportedExtension('x.jsonl'));
    assert.ok(!hasSupportedExtension('x.exe'));
    assert.ok(!hasSupportedExtension('README'));
  });
});
