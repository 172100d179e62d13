import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs, type Stats } from 'node:fs';
import * as path from 'node:path';
import { addSources, collectInputs, extractProject, openRegular, outputError, Project, removeStaleTemps, sameFile, type BatchInput } from '../../../src/core';
import { uniqueRelatives } from '../../../src/core/extract/batch';
import { tempNameFor, writeFileAtomic } from '../../../src/core/fs/atomicWrite';
import { escapeFileName, isValidUtf8 } from '../../../src/core/fs/fileNames';
import { expandInputs, globFilter } from '../../../src/core/fs/walkFiles';
import { useTempDir, writeFiles } from '../../support/tmp';

/** Every file's bytes below `dir`, concatenated: to check that a secret landed nowhere. */
async function allBytes(dir: string): Promise<string> {
  let out = '';
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out += await fs.readFile(path.join(entry.parentPath, entry.name), 'utf8');
  }
  return out;
}

describe('paths: links, long and undecodable names, temp files', function () {
  this.timeout(60_000);
  const tmp = useTempDir();
  const everything = globFilter(['**'], []);

  it('openRegular opens a regular file and refuses a link, a folder and a missing file, each with its code', async () => {
    const file = await tmp.write('a.txt', 'alpha');
    const opened = await openRegular(file);
    assert.equal(opened.stat.size, 5);
    await opened.handle.close();
    await fs.symlink(file, path.join(tmp.dir, 'link.txt'));
    await assert.rejects(openRegular(path.join(tmp.dir, 'link.txt')), (e: { code: string; message: string; remedy: string }) => e.code === 'SOURCE_CHANGED' && /link\.txt is now a symbolic link/.test(e.message) && /add its target itself/.test(e.remedy));
    await assert.rejects(openRegular(tmp.dir), { code: 'UNSUPPORTED_FILE' });
    await assert.rejects(openRegular(path.join(tmp.dir, 'nope.txt')), { code: 'SOURCE_NOT_FOUND' });
  });

  it('a named pipe in a walked folder is reported, never read or skipped silently', async () => {
    await writeFiles(tmp.dir, { 'docs/a.txt': 'A' });
    const made = process.platform === 'win32' ? { status: 1 } : spawnSync('mkfifo', [path.join(tmp.dir, 'docs', 'pipe.txt')]);
    const { inputs, problems } = await collectInputs(['docs'], tmp.dir);
    assert.deepEqual(inputs.map((i) => i.relative), ['a.txt']);
    if (made.status !== 0) return; // no mkfifo here (Windows): the regular file above was still taken
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.code, 'UNSUPPORTED_FILE');
    assert.match(problems[0]!.message, /pipe\.txt is a named pipe \(FIFO\), not a regular file/);
  });

  it('sameFile compares device and inode, or type, size and times where the inode reads 0 (Windows)', () => {
    const stat = (o: Partial<Stats>) => ({ dev: 1, ino: 0, size: 5, mtimeMs: 10, birthtimeMs: 9, isFile: () => true, ...o }) as Stats;
    assert.ok(sameFile(stat({ ino: 7 }), stat({ ino: 7, size: 99 })));
    assert.ok(!sameFile(stat({ ino: 7 }), stat({ ino: 8 })));
    assert.ok(!sameFile(stat({ dev: 1 }), stat({ dev: 2 })));
    assert.ok(sameFile(stat({}), stat({})));
    assert.ok(!sameFile(stat({}), stat({ mtimeMs: 11 })));
  });

  it('a source swapped for a link to an outside file after add is refused (SOURCE_CHANGED); nothing of that file is stored', async () => {
    await fs.mkdir(path.join(tmp.dir, 'p'));
    const project = await Project.create(path.join(tmp.dir, 'p'), { name: 'p' });
    await writeFiles(tmp.dir, { 'p/docs/a.txt': 'An honest document.', 'outside/secret.txt': 'TOP-SECRET-KEY-1234' });
    assert.deepEqual((await addSources(project, [path.join(project.root, 'docs')])).added, ['docs/a.txt']);
    await fs.rm(path.join(project.root, 'docs/a.txt'));
    await fs.symlink(path.join(tmp.dir, 'outside/secret.txt'), path.join(project.root, 'docs/a.txt'));
    const summary = await extractProject(project, { options: { ocr: false }, concurrency: 1 });
    assert.equal(summary.failed, 1);
    const [source] = await project.readSources();
    assert.equal(source!.status, 'failed');
    assert.equal(source!.error?.code, 'SOURCE_CHANGED');
    assert.match(source!.error!.message, /a\.txt is now a symbolic link/);
    assert.deepEqual(await fs.readdir(project.paths.documents).catch(() => []), []);
    assert.doesNotMatch(await allBytes(project.paths.dataDir), /TOP-SECRET/);
  });

  it('a link named to add is recorded as its target, with a notice; links in a walked folder are taken as targets inside it or refused', async () => {
    await fs.mkdir(path.join(tmp.dir, 'p'));
    const project = await Project.create(path.join(tmp.dir, 'p'), { name: 'p' });
    await writeFiles(tmp.dir, { 'p/docs/real.txt': 'real', 'p/docs/sub/inner.md': '# inner', 'outside/o.txt': 'outside' });
    await fs.symlink(path.join(project.root, 'docs/real.txt'), path.join(project.root, 'named.txt'));
    const named = await addSources(project, [path.join(project.root, 'named.txt')]);
    assert.deepEqual(named.added, ['docs/real.txt']);
    assert.equal(named.notices.length, 1);
    assert.match(named.notices[0]!, /named\.txt is a symbolic link; its target .*real\.txt is taken instead/);

    await fs.symlink(path.join(tmp.dir, 'outside/o.txt'), path.join(project.root, 'docs/away.txt'));
    await fs.symlink(path.join(project.root, 'docs/sub/inner.md'), path.join(project.root, 'docs/near.md'));
    await fs.symlink(path.join(project.root, 'docs/gone.txt'), path.join(project.root, 'docs/dangling.txt'));
    await fs.symlink(path.join(project.root, 'docs/sub'), path.join(project.root, 'docs/subdir-link'));
    await fs.symlink(path.join(project.root, 'docs'), path.join(project.root, 'docs/sub/loop'));
    await fs.symlink(path.join(tmp.dir, 'outside'), path.join(project.root, 'docs/outside-folder'));
    const walked = await addSources(project, [path.join(project.root, 'docs')]);
    assert.deepEqual(walked.added, ['docs/sub/inner.md']);
    assert.deepEqual(walked.unchanged, ['docs/real.txt']);
    assert.deepEqual(walked.problems.map((p) => [path.basename(p.file!), p.code]).sort(), [['away.txt', 'UNSUPPORTED_FILE'], ['dangling.txt', 'SOURCE_NOT_FOUND'], ['outside-folder', 'UNSUPPORTED_FILE']]);
    assert.match(walked.problems.find((p) => p.file!.endsWith('away.txt'))!.message, /outside the folder being added/);
    assert.ok(walked.notices.some((n) => /near\.md is a symbolic link; its target .*inner\.md/.test(n)));
    assert.deepEqual((await project.readSources()).map((s) => s.path).sort(), ['docs/real.txt', 'docs/sub/inner.md']);
  });

  it('names that are not valid UTF-8 are refused by their escaped name, never skipped silently', async () => {
    assert.equal(escapeFileName(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x70, 0x64, 0x66])), 'caf\\xE9.pdf');
    assert.equal(escapeFileName(Buffer.from('naïve 日本 🎉.txt')), 'naïve 日本 🎉.txt');
    assert.equal(escapeFileName(Buffer.from([0xed, 0xa0, 0x80, 0x41])), '\\xED\\xA0\\x80A', 'a WTF-8 lone surrogate');
    assert.ok(isValidUtf8(Buffer.from('\uFFFD.txt')) && !isValidUtf8(Buffer.from([0xff])));
    // Named on the command line, such a name reaches Node as U+FFFD: said so, not "does not exist".
    const named = await expandInputs([path.join(tmp.dir, 'caf\uFFFD.pdf')], tmp.dir, everything, { verb: 'add' });
    assert.equal(named.problems[0]?.code, 'INVALID_FILE_NAME');
    assert.match(named.problems[0]!.message, /not valid UTF-8/);
    if (process.platform !== 'linux') return; // only Linux file systems hold such names
    await tmp.write('ok.txt', 'ok');
    await fs.writeFile(Buffer.concat([Buffer.from(tmp.dir + '/caf'), Buffer.from([0xe9]), Buffer.from('.txt')]), 'latin-1 name');
    await fs.mkdir(Buffer.concat([Buffer.from(tmp.dir + '/d'), Buffer.from([0xff])]));
    const walked = await expandInputs([tmp.dir], tmp.dir, everything, { verb: 'add' });
    assert.deepEqual(walked.files.map((f) => f.relative), ['ok.txt']);
    assert.deepEqual(walked.problems.map((p) => p.file).sort(), [path.join(tmp.dir, 'caf\\xE9.txt'), path.join(tmp.dir, 'd\\xFF')]);
    assert.ok(walked.problems.every((p) => p.code === 'INVALID_FILE_NAME' && /its name is not valid UTF-8/.test(p.message)));
  });

  it('temp names fit in 255 bytes and 255 UTF-16 units however long the target name, so a 250-byte name is written', async () => {
    for (const base of ['a'.repeat(250), 'é'.repeat(127), '日'.repeat(85), '🎉'.repeat(63) + 'x', 'short.json']) {
      const name = tempNameFor(base);
      assert.ok(Buffer.byteLength(name) <= 255 && name.length <= 255, `${Buffer.byteLength(name)} bytes`);
      assert.ok(!name.includes('\uFFFD') && isValidUtf8(Buffer.from(name)), 'never cuts a character');
    }
    assert.notEqual(tempNameFor('a'.repeat(250)), tempNameFor('a'.repeat(250)));
    const file = path.join(tmp.dir, `${'n'.repeat(246)}.txt`);
    await writeFileAtomic(file, 'long');
    assert.equal(await fs.readFile(file, 'utf8'), 'long');
    assert.deepEqual(await fs.readdir(tmp.dir), [path.basename(file)], 'no temp file left');
  });

  it('removes temp files of killed writers (dead pid here, or untouched for a minute) and nothing else', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const mine = tempNameFor('live.json');
    const deadOne = mine.replace(`-${process.pid}.`, `-${dead}.`);
    const oldForeign = '.x.json.abcdef-1.0123456789ab.tmp';
    const oldFormat = '.y.json.42.0123456789ab.tmp';
    const freshForeign = '.z.json.abcdef-1.0123456789ab.tmp';
    for (const name of [mine, deadOne, oldForeign, oldFormat, freshForeign, 'keep.tmp', '.keep.json']) await tmp.write(name, 'x');
    const old = new Date(Date.now() - 120_000);
    for (const name of [oldForeign, oldFormat]) await fs.utimes(path.join(tmp.dir, name), old, old);
    assert.equal(await removeStaleTemps(tmp.dir), 3);
    assert.deepEqual((await fs.readdir(tmp.dir)).sort(), [mine, freshForeign, '.keep.json', 'keep.tmp'].sort());
    assert.equal(await removeStaleTemps(path.join(tmp.dir, 'missing')), 0);
  });

  it('inputs that would write the same output get distinct names (case- and normalization-insensitively), each said', async () => {
    const inputs: BatchInput[] = [
      { file: '/b/x.txt', relative: 'x.txt', size: 1 },
      { file: '/a/x.txt', relative: 'x.txt', size: 1 },
      { file: '/c/X.TXT', relative: 'X.TXT', size: 1 },
      { file: '/d/x (2).txt', relative: 'x (2).txt', size: 1 },
      { file: '/e/README', relative: 'sub/README', size: 1 },
      { file: '/f/readme', relative: 'sub/readme', size: 1 },
      { file: '/g/caf\u00e9', relative: 'caf\u00e9', size: 1 },
      { file: '/h/cafe\u0301', relative: 'cafe\u0301', size: 1 },
    ];
    const notices = uniqueRelatives(inputs);
    assert.deepEqual(Object.fromEntries(inputs.map((i) => [i.file, i.relative])), {
      '/a/x.txt': 'x (3).txt',
      '/b/x.txt': 'x (4).txt',
      '/c/X.TXT': 'X.TXT',
      '/d/x (2).txt': 'x (2).txt',
      '/e/README': 'sub/README',
      '/f/readme': 'sub/readme (2)',
      '/g/caf\u00e9': 'caf\u00e9 (2)',
      '/h/cafe\u0301': 'cafe\u0301',
    });
    assert.equal(notices.length, 4);
    assert.match(notices.find((n) => n.startsWith('/b/x.txt'))!, /\/b\/x\.txt and \/c\/X\.TXT would both be written as "x\.txt"; \/b\/x\.txt is written as "x \(4\)\.txt"/);
  });

  it('collectInputs names a/x.txt and b/x.txt given as files apart, and says so', async () => {
    await writeFiles(tmp.dir, { 'a/x.txt': 'from a', 'b/x.txt': 'from b', 'here/y.txt': 'y' });
    const { inputs, notices } = await collectInputs([path.join(tmp.dir, 'a/x.txt'), path.join(tmp.dir, 'b/x.txt')], path.join(tmp.dir, 'here'));
    assert.deepEqual(inputs.map((i) => [path.basename(path.dirname(i.file)), i.relative]), [['b', 'x (2).txt'], ['a', 'x.txt']]);
    assert.equal(notices.length, 1);
  });

  it('output write errors name the file and say why', () => {
    const err = (code: string) => Object.assign(new Error(code), { code });
    assert.match(outputError(err('ENAMETOOLONG'), `/o/${'n'.repeat(256)}`).message, /name is too long for the file system \(256 bytes; most allow 255/);
    assert.equal(outputError(err('ENAMETOOLONG'), '/o/x').code, 'OUTPUT_UNWRITABLE');
    assert.match(outputError(err('EACCES'), '/o/x').message, /permission denied/);
    assert.match(outputError(err('ENOSPC'), '/o/x').message, /disk is full/);
    assert.match(outputError(err('EISDIR'), '/o/x').message, /in the way/);
    assert.match(outputError(err('EIO'), '/o/x').message, /Cannot write \/o\/x: EIO/);
  });
});
