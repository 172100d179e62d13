import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { runCli } from '../../../src/cli/main';
import type { CliIO } from '../../../src/cli/io';
import { tempNameFor } from '../../../src/core/fs/atomicWrite';
import { useTempDir, writeFiles } from '../../support/tmp';

const execFileP = promisify(execFile);
const CLI = path.resolve(__dirname, '../../../../dist/cli.js');

function fakeIO(cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (t) => out.push(t), err: (t) => err.push(t), interactive: false, cwd, env: {} };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

describe('CLI: links, long and undecodable names, colliding outputs', function () {
  this.timeout(60_000);
  const tmp = useTempDir();

  it('extract --text-out writes a 240-byte input name, and one output that cannot be written fails alone (50 of 51 written)', async () => {
    const long = `${'l'.repeat(236)}.txt`; // 240 bytes: its output name is 244, its old temp name was over 255
    const tooLong = `${'t'.repeat(248)}.txt`; // 252 bytes: legal, but its output name would be 256
    const files: Record<string, string> = { [`in/${long}`]: 'long name', [`in/${tooLong}`]: 'cannot be written' };
    for (let i = 0; i < 49; i++) files[`in/f${String(i).padStart(2, '0')}.txt`] = `file ${i}`;
    await writeFiles(tmp.dir, files);
    const r = fakeIO(tmp.dir);
    assert.equal(await runCli(['extract', 'in', '--text-out', 'out', '--no-ocr', '--concurrency', '2'], r.io), 1);
    const written = await fs.readdir(path.join(tmp.dir, 'out'));
    assert.equal(written.length, 50);
    assert.equal(await fs.readFile(path.join(tmp.dir, 'out', `${long}.txt`), 'utf8'), 'long name\n');
    assert.ok(!written.some((n) => n.endsWith('.tmp')), 'no temp file left');
    assert.match(r.out(), /Extracted 50 of 51 file\(s\).*; 1 failed/);
    assert.match(r.err(), /failed \[OUTPUT_UNWRITABLE\] Cannot write .*t{248}\.txt\.txt: its name is too long for the file system \(256 bytes/);

    const json = fakeIO(tmp.dir);
    assert.equal(await runCli(['extract', path.join('in', tooLong), '--text-out', 'out2', '--json'], json.io), 1);
    assert.equal(JSON.parse(json.out()).error, 'OUTPUT_UNWRITABLE');
  });

  it('extract --text-out gives a/x.txt and b/x.txt (named as files from elsewhere) two outputs, and says so', async () => {
    await writeFiles(tmp.dir, { 'a/x.txt': 'from a', 'b/X.txt': 'from b', 'here/.keep': '' });
    const r = fakeIO(path.join(tmp.dir, 'here'));
    assert.equal(await runCli(['extract', '../a/x.txt', '../b/X.txt', '--text-out', '../out'], r.io), 0);
    const out = path.join(tmp.dir, 'out');
    assert.deepEqual((await fs.readdir(out)).sort(), ['X.txt.txt', 'x (2).txt.txt']);
    assert.equal(await fs.readFile(path.join(out, 'X.txt.txt'), 'utf8'), 'from b\n');
    assert.equal(await fs.readFile(path.join(out, 'x (2).txt.txt'), 'utf8'), 'from a\n');
    assert.match(r.err(), /note: .*a\/x\.txt and .*b\/X\.txt would both be written as "x\.txt"; .*a\/x\.txt is written as "x \(2\)\.txt"/);
    assert.match(r.out(), /Extracted 2 of 2/);
  });

  it('extract --text-out removes temp files a killed run left in the folders it writes to', async () => {
    await writeFiles(tmp.dir, { 'in/a.txt': 'a', 'in/sub/b.txt': 'b' });
    const stale = '.a.txt.txt.abcdef-1.0123456789ab.tmp';
    const dead = tempNameFor('b.txt.txt').replace(`-${process.pid}.`, '-4194999.');
    await writeFiles(tmp.dir, { [`out/${stale}`]: 'half', [`out/sub/${dead}`]: 'half', 'out/unrelated.tmp': 'keep' });
    const old = new Date(Date.now() - 300_000);
    await fs.utimes(path.join(tmp.dir, 'out', stale), old, old);
    assert.equal(await runCli(['extract', 'in', '--text-out', 'out'], fakeIO(tmp.dir).io), 0);
    assert.deepEqual((await fs.readdir(path.join(tmp.dir, 'out'))).sort(), ['a.txt.txt', 'sub', 'unrelated.tmp']);
    assert.deepEqual(await fs.readdir(path.join(tmp.dir, 'out/sub')), ['b.txt.txt']);
  });

  it('add of a link records its target and prints a notice', async () => {
    await writeFiles(tmp.dir, { 'docs/real.md': '# real' });
    assert.equal(await runCli(['init'], fakeIO(tmp.dir).io), 0);
    await fs.symlink(path.join(tmp.dir, 'docs/real.md'), path.join(tmp.dir, 'link.md'));
    const r = fakeIO(tmp.dir);
    assert.equal(await runCli(['add', 'link.md'], r.io), 0);
    assert.match(r.out(), /Added 1/);
    assert.match(r.err(), /note: .*link\.md is a symbolic link; its target .*docs\/real\.md is taken instead/);
    const json = fakeIO(tmp.dir);
    assert.equal(await runCli(['add', 'link.md', '--json'], json.io), 0);
    const result = JSON.parse(json.out()) as { unchanged: string[]; notices: string[] };
    assert.deepEqual(result.unchanged, ['docs/real.md']);
    assert.equal(result.notices.length, 1);
  });

  it('a name that is not UTF-8 is reported as such, in a walk and on the command line (built executable)', async () => {
    assert.equal(await runCli(['init'], fakeIO(tmp.dir).io), 0);
    const r = fakeIO(tmp.dir);
    assert.equal(await runCli(['add', 'caf\uFFFD.txt'], r.io), 1, 'what Node makes of such an argument');
    assert.match(r.err(), /skipped \[INVALID_FILE_NAME\] .*the name as given is not valid UTF-8/);
    if (process.platform !== 'linux') return; // only Linux file systems hold such names
    await fs.mkdir(path.join(tmp.dir, 'docs'));
    await fs.writeFile(Buffer.from(`${tmp.dir}/docs/caf\xe9.txt`, 'latin1'), 'latin-1 name');
    const walked = await execFileP(process.execPath, [CLI, 'add', 'docs'], { cwd: tmp.dir }).catch((e: { code: number; stderr: string }) => e);
    assert.equal((walked as { code: number }).code, 1);
    assert.match((walked as { stderr: string }).stderr, /skipped \[INVALID_FILE_NAME\] .*docs\/caf\\xE9\.txt: its name is not valid UTF-8/);
    const named = await execFileP('/bin/sh', ['-c', `"${process.execPath}" "${CLI}" add "docs/$(printf 'caf\\351.txt')"`], { cwd: tmp.dir }).catch((e: { code: number; stderr: string }) => e);
    assert.equal((named as { code: number }).code, 1);
    assert.match((named as { stderr: string }).stderr, /\[INVALID_FILE_NAME\] .*not valid UTF-8/);
    assert.doesNotMatch((named as { stderr: string }).stderr, /does not exist/);
  });
});
