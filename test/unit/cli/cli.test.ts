import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { runCli } from '../../../src/cli/main';
import type { CliIO } from '../../../src/cli/io';
import { useTempDir, writeFiles } from '../../support/tmp';

const execFileP = promisify(execFile);

function fakeIO(cwd: string, interactive = false) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (t) => out.push(t), err: (t) => err.push(t), interactive, cwd, env: {} };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

describe('CLI', () => {
  const tmp = useTempDir();

  it('prints help for the tool and for every command', async () => {
    const main = fakeIO(tmp.dir);
    assert.equal(await runCli(['--help'], main.io), 0);
    assert.match(main.out(), /Commands:[\s\S]*init[\s\S]*add[\s\S]*status/);
    for (const cmd of ['init', 'add', 'status']) {
      const h = fakeIO(tmp.dir);
      assert.equal(await runCli([cmd, '--help'], h.io), 0);
      assert.match(h.out(), new RegExp(`Usage: brightrun ${cmd}`));
      assert.match(h.out(), /--json/);
    }
    const topic = fakeIO(tmp.dir);
    await runCli(['help', 'add'], topic.io);
    assert.match(topic.out(), /--include/);
    const none = fakeIO(tmp.dir);
    assert.equal(await runCli([], none.io), 0);
    const v = fakeIO(tmp.dir);
    assert.equal(await runCli(['--version'], v.io), 0);
    assert.match(v.out(), /^\S+\n$/);
  });

  it('exits 2 with a pointer to --help on usage errors', async () => {
    for (const argv of [['bogus'], ['add'], ['status', 'extra'], ['init', '--nope']]) {
      const r = fakeIO(tmp.dir);
      assert.equal(await runCli(argv, r.io), 2, argv.join(' '));
      assert.match(r.err(), /^brightrun: .* — see "brightrun .*--help"\.\n$/);
      assert.equal(r.err().split('\n').length, 2, 'one line');
    }
  });

  it('init → add → status, in text and JSON', async () => {
    await writeFiles(tmp.dir, { 'docs/a.txt': 'alpha', 'docs/b.md': '# beta' });
    const init = fakeIO(tmp.dir);
    assert.equal(await runCli(['init', '--name', 'demo', '--description', 'Demo set'], init.io), 0);
    assert.match(init.out(), /Created dataset project "demo"/);

    const add = fakeIO(path.join(tmp.dir, 'docs'), true);
    assert.equal(await runCli(['add', '.', '--json'], add.io), 0);
    const added = JSON.parse(add.out());
    assert.deepEqual(added.added.sort(), ['docs/a.txt', 'docs/b.md']);
    assert.match(add.err(), /Hashing .*100%/, 'draws a progress bar on a terminal');

    const status = fakeIO(tmp.dir);
    assert.equal(await runCli(['status', '--json'], status.io), 0);
    const s = JSON.parse(status.out());
    assert.deepEqual(s.documents, { queued: 2, extracting: 0, done: 0, failed: 0 });
    assert.equal(s.name, 'demo');

    const text = fakeIO(tmp.dir);
    assert.equal(await runCli(['status'], text.io), 0);
    assert.match(text.out(), /queued 2 {3}extracting 0 {3}done 0 {3}failed 0/);

    const again = fakeIO(tmp.dir);
    assert.equal(await runCli(['add', 'docs', '--exclude', '**/*.md'], again.io), 0);
    assert.match(again.out(), /Added 0, updated 0, unchanged 1/);
  });

  it('reports problems with one line each and a non-zero exit', async () => {
    const r = fakeIO(tmp.dir);
    assert.equal(await runCli(['status'], r.io), 1);
    assert.match(r.err(), /^brightrun: error \[PROJECT_NOT_FOUND\] .* — Create one with "brightrun init"/);
    await runCli(['init'], fakeIO(tmp.dir).io);
    const again = fakeIO(tmp.dir);
    assert.equal(await runCli(['init'], again.io), 1);
    assert.match(again.err(), /PROJECT_EXISTS/);
    const missing = fakeIO(tmp.dir);
    assert.equal(await runCli(['add', 'nope.pdf'], missing.io), 1);
    assert.match(missing.err(), /skipped \[SOURCE_NOT_FOUND\]/);
    const empty = fakeIO(tmp.dir);
    await fs.mkdir(path.join(tmp.dir, 'empty'));
    assert.equal(await runCli(['add', 'empty'], empty.io), 0);
    assert.match(empty.err(), /no supported documents found/);
    await fs.writeFile(path.join(tmp.dir, 'brightrun.json'), '{oops');
    const broken = fakeIO(tmp.dir);
    assert.equal(await runCli(['status', '--project', tmp.dir], broken.io), 1);
    assert.match(broken.err(), /CONFIG_INVALID_JSON.*line 1/);
  });

  it('exits 130 when cancelled', async () => {
    await runCli(['init'], fakeIO(tmp.dir).io);
    await writeFiles(tmp.dir, { 'a.txt': 'a' });
    const c = new AbortController();
    c.abort();
    const r = fakeIO(tmp.dir);
    assert.equal(await runCli(['add', 'a.txt'], r.io, c.signal), 130);
    assert.match(r.err(), /cancelled/);
  });

  it('the built executable runs end to end', async function () {
    this.timeout(20_000);
    const cli = path.resolve(__dirname, '../../../../dist/cli.js');
    await writeFiles(tmp.dir, { 'x.txt': 'x' });
    await execFileP(process.execPath, [cli, 'init', tmp.dir]);
    await execFileP(process.execPath, [cli, 'add', path.join(tmp.dir, 'x.txt'), '-C', tmp.dir]);
    const { stdout } = await execFileP(process.execPath, [cli, 'status', '--json', '-C', tmp.dir]);
    assert.equal(JSON.parse(stdout).documents.queued, 1);
    await assert.rejects(execFileP(process.execPath, [cli, 'status', '-C', path.dirname(tmp.dir)]), (e: { code: number; stderr: string }) => e.code === 1 && /PROJECT_NOT_FOUND/.test(e.stderr));
  });
});
