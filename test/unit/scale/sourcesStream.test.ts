import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { Project, type SourceEntry } from '../../../src/core';
import { applyJournal, readJournal, readJournalIndex, applyLines, type JournalLine, type StatusChange } from '../../../src/core/project/sourceJournal';
import { scanSourcesFile } from '../../../src/core/project/sourcesStream';
import { rng } from '../../support/rng';
import { useTempDir } from '../../support/tmp';

/**
 * Issue #13: sources.json is read and written one source at a time (sourcesStream.ts), and readers hold the
 * journal's lines, not the list. These tests check the layout, the fallback for files in another layout, and
 * that the journal index (which drops lines later ones make moot) applies exactly as the whole journal does.
 */
const sha = (i: number) => i.toString(16).padStart(64, '0');
const entry = (i: number, extra: Partial<SourceEntry> = {}): SourceEntry => ({ path: `docs/f${String(i).padStart(6, '0')}.md`, sha256: sha(i), size: 100 + i, mtimeMs: 1, addedAt: 'x', updatedAt: 'x', status: 'queued', ...extra });

describe('sources.json streamed one source at a time', function () {
  this.timeout(60_000);
  const tmp = useTempDir();

  it('is written one source per line, sorted, as JSON; read back source by source', async () => {
    const project = await Project.create(tmp.dir, { name: 'p' });
    const list = [entry(3), entry(1, { title: 'a "quoted", {braced} [name]\n' } as Partial<SourceEntry>), entry(2, { status: 'failed', error: { code: 'EXTRACTION_CRASHED', message: 'm', remedy: 'r', file: 'f' } })];
    await project.updateSources(() => ({ sources: list, result: undefined }));
    const text = await fs.readFile(project.paths.sources, 'utf8');
    const lines = text.split('\n');
    assert.deepEqual(lines.slice(0, 3), ['{', '  "formatVersion": 2,', '  "sources": [']);
    assert.equal(lines.filter((l) => l.startsWith('    {"path":')).length, 3, 'one line per source');
    const parsed = JSON.parse(text) as { sources: SourceEntry[] };
    assert.deepEqual(parsed.sources.map((s) => s.path), [entry(1).path, entry(2).path, entry(3).path]);
    assert.deepEqual(await project.readSources(), parsed.sources);
    assert.deepEqual((await project.selectSources((s) => s.status === 'failed')).map((s) => s.path), [entry(2).path]);
    assert.deepEqual((await project.status()).documents, { queued: 2, extracting: 0, done: 0, failed: 1 });
    // Line ends turned into CRLF (git on Windows) are read line by line all the same.
    await fs.writeFile(project.paths.sources, text.replace(/\n/g, '\r\n'));
    let starts = 0;
    await scanSourcesFile(project.paths.sources, () => {
      starts++;
      return () => undefined;
    });
    assert.equal(starts, 1, 'not read a second time, whole');
    assert.deepEqual(await project.readSources(), parsed.sources);
    // An empty list, and a missing file.
    await project.updateSources(() => ({ sources: [], result: undefined }));
    assert.equal(await fs.readFile(project.paths.sources, 'utf8'), '{\n  "formatVersion": 2,\n  "sources": []\n}\n');
    assert.deepEqual(await project.readSources(), []);
    await fs.rm(project.paths.sources);
    assert.deepEqual(await project.readSources(), []);
  });

  it('reads a file in another layout whole (visiting afresh), and a compaction sorts a list edited out of order', async () => {
    const project = await Project.create(tmp.dir, { name: 'p' });
    const file = project.paths.sources;
    // Bright Run's layout up to the third entry, then one entry pretty-printed by hand: the visitor starts again.
    await project.updateSources(() => ({ sources: [entry(1), entry(2), entry(4)], result: undefined }));
    const text = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, text.replace(JSON.stringify(entry(4)), JSON.stringify(entry(4), null, 2)));
    let starts = 0;
    let seen: string[] = [];
    await scanSourcesFile(file, () => {
      starts++;
      seen = [];
      return (s) => {
        seen.push(s.path);
      };
    });
    assert.equal(starts, 2);
    assert.deepEqual(seen, [entry(1).path, entry(2).path, entry(4).path]);
    // Out of path order (edited by hand), with a journal: compaction sorts and applies it.
    await fs.writeFile(file, JSON.stringify({ formatVersion: 2, sources: [entry(4), entry(1), entry(2)] }, null, 2));
    await project.appendSourceChanges([{ path: entry(4).path, expect: sha(4), at: 't', change: { status: 'done' } }]);
    await project.compactSources();
    const after = JSON.parse(await fs.readFile(file, 'utf8')) as { sources: SourceEntry[]; compacted?: string };
    assert.deepEqual(after.sources.map((s) => `${s.path} ${s.status}`), [`${entry(1).path} queued`, `${entry(2).path} queued`, `${entry(4).path} done`]);
    assert.ok(after.compacted);
    await assert.rejects(fs.access(project.paths.sourcesJournal));
    // Damage is still reported, and a newer format refused, whichever layout.
    await fs.writeFile(file, text.replace(`"path":"${entry(2).path}"`, '"path":7'));
    await assert.rejects(project.readSources(), { code: 'STATE_CORRUPT', message: /broken entry at index 1/ });
    await fs.writeFile(file, text.replace('"formatVersion": 2', '"formatVersion": 3'));
    await assert.rejects(project.readSources(), { code: 'STATE_NEWER_FORMAT' });
  });

  it('the journal index holds one line per source for a run, and applies as the whole journal does', async () => {
    const random = rng(13);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    const changes: StatusChange[] = [
      { status: 'extracting', attempts: 1 },
      { status: 'extracting', attempts: 2 },
      { status: 'done', extracted: { format: 'md', ocrPages: 0, chars: 5, warnings: [], durationMs: 1 } },
      { status: 'done' },
      { status: 'done', sha256: sha(900), size: 7, extracted: { format: 'txt', ocrPages: 0, chars: 7, warnings: [], durationMs: 2 } },
      { status: 'done', size: 9 },
      { status: 'failed', error: { code: 'EXTRACTION_CRASHED', message: 'm', remedy: 'r', file: 'f' } },
      { status: 'queued' },
    ];
    for (let round = 0; round < 40; round++) {
      const sources = [entry(1), entry(2, { status: 'done', extracted: { format: 'pdf', ocrPages: 1, chars: 3, warnings: ['W'], durationMs: 4 } }), entry(3)];
      const lines: JournalLine[] = [];
      for (let i = 0; i < 12; i++) {
        const target = pick(sources);
        lines.push({ path: target.path, expect: pick([target.sha256, target.sha256, sha(900)]), at: `t${i}`, change: pick(changes) });
      }
      const file = `${tmp.dir}/journal-${round}.jsonl`;
      await fs.writeFile(file, [JSON.stringify({ journal: 'abc' }), ...lines.map((l) => JSON.stringify(l)), '{"path":"cut sh'].join('\n'));
      const index = (await readJournalIndex(file))!;
      assert.equal(index.id, 'abc');
      assert.deepEqual(sources.map((s) => applyLines(s, index.byPath.get(s.path))), applyJournal(sources, (await readJournal(file))!.lines), `round ${round}`);
    }
    // A run's "extracting" then "done" for each source: one line kept per source, not two.
    const run: JournalLine[] = [];
    for (let i = 0; i < 500; i++) {
      run.push({ path: entry(i).path, expect: sha(i), at: 't', change: { status: 'extracting', attempts: 1 } });
      run.push({ path: entry(i).path, expect: sha(i), at: 't', change: changes[2]! });
    }
    const file = `${tmp.dir}/run.jsonl`;
    await fs.writeFile(file, [JSON.stringify({ journal: 'r' }), ...run.map((l) => JSON.stringify(l))].join('\n') + '\n');
    const index = (await readJournalIndex(file))!;
    assert.equal([...index.byPath.values()].reduce((n, ls) => n + ls.length, 0), 500);
  });
});
