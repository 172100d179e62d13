import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { addSources, extractProject, mergeShards, parseShard, Project, shardOf, type SourceEntry } from '../../../src/core';
import { useTempDir, writeFiles } from '../../support/tmp';

/** What must be equal between two projects: each source's outcome, and each document's content (timings aside). */
async function outcome(root: string): Promise<unknown> {
  const project = await Project.open(root);
  const sources = (await project.readSources()).map((s: SourceEntry) => ({
    path: s.path,
    sha256: s.sha256,
    status: s.status,
    error: s.error?.code,
    extracted: s.extracted ? { ...s.extracted, durationMs: 0 } : undefined,
  }));
  const docs: Record<string, unknown> = {};
  for (const name of (await fs.readdir(project.paths.documents)).sort()) {
    const doc = JSON.parse(await fs.readFile(path.join(project.paths.documents, name), 'utf8'));
    docs[name] = { text: doc.text, markdown: doc.markdown, format: doc.format, blocks: doc.blocks, source: doc.source?.path };
  }
  return { sources, docs };
}

describe('sharded extraction and merge', function () {
  this.timeout(180_000);
  const tmp = useTempDir();

  it('parses i/n and rejects what is not a shard', () => {
    assert.deepEqual(parseShard('2/3'), { index: 2, count: 3 });
    for (const bad of ['3/3', '1', 'a/b', '0/0', '-1/2']) assert.throws(() => parseShard(bad), /--shard/);
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[shardOf(i.toString(16).padStart(8, '0') + 'f'.repeat(56), 3)]!++;
    assert.ok(counts.every((c) => c > 800), `shares are even: ${counts.join(', ')}`);
  });

  it('3 shards, merged, equal one run', async () => {
    const base = path.join(tmp.dir, 'base');
    await fs.mkdir(base);
    const project = await Project.create(base, { name: 'shards' });
    const files: Record<string, string> = { 'docs/empty.txt': '  ', 'docs/copy.md': '# Doc 3\n\nBody 3.\n', 'docs/table.csv': 'q,a\n1,2\n' };
    for (let i = 0; i < 40; i++) files[`docs/f${i}.md`] = `# Doc ${i}\n\nBody ${i}.\n`;
    await writeFiles(base, files);
    await addSources(project, [path.join(base, 'docs')]);

    // Each run works on its own copy of the project, as CI runners and pods do.
    const copy = async (name: string) => {
      const dir = path.join(tmp.dir, name);
      await fs.cp(base, dir, { recursive: true });
      return dir;
    };
    const single = await copy('single');
    await extractProject(await Project.open(single), { options: { ocr: false }, concurrency: 2 });

    const shardDirs: string[] = [];
    const shares: string[][] = [];
    for (let i = 0; i < 3; i++) {
      const dir = await copy(`shard${i}`);
      const done: string[] = [];
      await extractProject(await Project.open(dir), { options: { ocr: false }, concurrency: 2, shard: { index: i, count: 3 }, onOutcome: (o) => done.push(o.path) });
      shardDirs.push(dir);
      shares.push(done);
    }
    const all = shares.flat();
    assert.equal(all.length, Object.keys(files).length, 'the shards together take every source once');
    assert.equal(new Set(all).size, all.length, 'no source in two shards');
    assert.ok(shares.every((s) => s.length > 0));

    const merged = await copy('merged');
    const result = await mergeShards(await Project.open(merged), shardDirs);
    assert.equal(result.merged, Object.keys(files).length);
    assert.deepEqual(result.stale, []);
    assert.deepEqual(await outcome(merged), await outcome(single));
    // Merging again changes nothing (the outputs are content-addressed; statuses are already there).
    const again = await mergeShards(await Project.open(merged), shardDirs);
    assert.equal(again.merged, 0);
    assert.equal(again.documents, 0);
  });
});
