import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildProjectRecords, Project } from '../../../src/core';
import { withRunLock } from '../../../src/core/project/runLock';
import { useTempDir } from '../../support/tmp';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('run lock (one records build or generation at a time)', function () {
  this.timeout(60_000);
  const tmp = useTempDir();

  it('refuses a second run at once, naming the first; free again after it', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const first = withRunLock(tmp.dir, 'records', { owner: 'VS Code' }, () => held.then(() => 'first'));
    await sleep(50);
    await assert.rejects(withRunLock(tmp.dir, 'records', { owner: 'brightrun CLI' }, async () => 'second'), (e: { code: string; message: string; remedy: string }) => {
      assert.equal(e.code, 'RUN_IN_PROGRESS');
      assert.match(e.message, /^A records build or generation is running already: VS Code \(process \d+ on /);
      assert.match(e.remedy, /Wait for it to finish/);
      return true;
    });
    release();
    assert.equal(await first, 'first');
    assert.equal(await withRunLock(tmp.dir, 'records', {}, async () => 'third'), 'third');
    await assert.rejects(fs.access(path.join(tmp.dir, 'records.run.lock')), 'released');
  });

  it('a run longer than staleMs keeps its lock (touched while it runs); a dead holder loses it', async () => {
    const stale = 1_200;
    const long = withRunLock(tmp.dir, 'records', { owner: 'long', staleMs: stale }, () => sleep(3 * stale));
    await sleep(2 * stale);
    await assert.rejects(withRunLock(tmp.dir, 'records', { staleMs: stale }, async () => undefined), { code: 'RUN_IN_PROGRESS' });
    await long;

    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
    await fs.writeFile(path.join(tmp.dir, 'records.run.lock'), JSON.stringify({ token: 't', pid: dead, host: os.hostname(), owner: 'killed', acquiredAt: 'then' }));
    assert.equal(await withRunLock(tmp.dir, 'records', {}, async () => 'taken over'), 'taken over');
  });

  it('two records builds of one project at once: one builds, the other is refused', async () => {
    const project = await Project.create(tmp.dir, { name: 'p' });
    const again = await Project.open(tmp.dir);
    const results = await Promise.allSettled([buildProjectRecords(project, { inProcess: true }), buildProjectRecords(again, { inProcess: true })]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, JSON.stringify(results.map((r) => r.status)));
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.equal((refused.reason as { code: string }).code, 'RUN_IN_PROGRESS');
  });
});
