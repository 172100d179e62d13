import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { addSources, extractProject, Project, readLog, removeStaleTemps, type ExtractedDocument } from '../../../src/core';
import { readJournal } from '../../../src/core/project/sourceJournal';
import { useTempDir, writeFiles } from '../../support/tmp';

/**
 * kill -9 in the middle of a large batch, with the batched storage (status journal, documents published per
 * batch): the next run resumes, and nothing is lost or duplicated — every source ends done exactly once, every
 * document the killed run stored is reused (not extracted again), and every stored document is whole.
 */
describe('kill -9 mid-batch with the journal and batched documents', function () {
  this.timeout(180_000);
  const tmp = useTempDir();
  const N = 1_200;

  it('resumes: nothing lost, nothing duplicated, nothing torn', async () => {
    const project = await Project.create(tmp.dir, { name: 'k' });
    const files: Record<string, string> = {};
    for (let i = 0; i < N; i++) files[`docs/d${Math.floor(i / 300)}/f${String(i).padStart(5, '0')}.md`] = `# Doc ${i}\n\n${'Text of a small document. '.repeat(20)}${i}\n`;
    await writeFiles(tmp.dir, files);
    await addSources(project, [path.join(tmp.dir, 'docs')]);

    const core = path.resolve(__dirname, '../../../src/core/index.js');
    const script = `require(${JSON.stringify(core)}).Project.open(${JSON.stringify(tmp.dir)}).then((p) => require(${JSON.stringify(core)}).extractProject(p, { options: { ocr: false }, concurrency: 2, flushIntervalMs: 30 }))`;
    const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    // Kill once a good share of the batch is journaled, while it is still running.
    for (;;) {
      const journal = await readJournal(project.paths.sourcesJournal).catch(() => undefined);
      const done = journal?.lines.filter((l) => l.change.status === 'done').length ?? 0;
      if (done >= N / 4 || child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await exited;

    const before = await project.readSources();
    const doneBefore = before.filter((s) => s.status === 'done').length;
    assert.ok(doneBefore > 0 && doneBefore < N, `killed mid-batch (${doneBefore} of ${N} done)`);
    const storedBefore = new Map<string, number>();
    for (const name of await fs.readdir(project.paths.documents)) {
      if (name.endsWith('.json')) storedBefore.set(name, (await fs.stat(path.join(project.paths.documents, name))).mtimeMs);
    }
    // Every source the journal calls done has its document (published before its status).
    for (const s of before.filter((x) => x.status === 'done')) assert.ok(storedBefore.has(`${s.sha256}.json`), `${s.path} is done without its document`);

    // As `brightrun extract` and the extension do before a run: temp files of the killed writer go.
    await Promise.all([removeStaleTemps(project.paths.dataDir), removeStaleTemps(project.paths.documents)]);
    let extractedAgain = 0;
    const summary = await extractProject(project, {
      options: { ocr: false },
      concurrency: 2,
      onOutcome: (o) => {
        if (!o.reused && o.documentId && storedBefore.has(`${o.documentId}.json`)) extractedAgain++;
      },
    });
    assert.equal(summary.failed, 0);
    assert.equal(extractedAgain, 0, 'documents the killed run stored are reused, not extracted again');
    // The resumed run logged each file it extracted (the log is appended a thousand entries at a time).
    const extractedLines = (await readLog(project.paths.logs, new Date())).filter((e) => e.stage === 'extract' && e.message.startsWith('Extracted ')).length;
    assert.ok(extractedLines >= summary.done - summary.reused, `${extractedLines} log lines for ${summary.done - summary.reused} extracted`);

    const after = await project.readSources();
    assert.equal(after.length, N);
    assert.equal(new Set(after.map((s) => s.path)).size, N, 'each source once');
    assert.ok(after.every((s) => s.status === 'done' && s.extracted && s.attempts === undefined));
    const names = (await fs.readdir(project.paths.documents)).filter((n) => n.endsWith('.json'));
    assert.equal(names.length, N, 'one document per source, no more');
    assert.deepEqual(new Set(names), new Set(after.map((s) => `${s.sha256}.json`)));
    for (const name of names) {
      const doc = JSON.parse(await fs.readFile(path.join(project.paths.documents, name), 'utf8')) as ExtractedDocument;
      assert.equal(`${doc.id}.json`, name);
    }
    for (const [name, mtime] of storedBefore) assert.equal((await fs.stat(path.join(project.paths.documents, name))).mtimeMs, mtime, `${name} was rewritten`);
    await assert.rejects(fs.access(project.paths.sourcesJournal), 'journal compacted away');
    const leftovers = (await fs.readdir(project.paths.documents)).filter((n) => n.endsWith('.tmp'));
    assert.deepEqual(leftovers, [], 'temp files of the killed run are gone');
  });
});
