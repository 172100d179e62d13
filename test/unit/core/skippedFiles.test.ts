import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../../src/cli/main';
import type { CliIO } from '../../../src/cli/io';
import { addSources, DEFAULT_INCLUDE, describeSkipped, Project, readLog, SUPPORTED_EXTENSIONS } from '../../../src/core';
import { useTempDir, writeFiles } from '../../support/tmp';

function fakeIO(cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (t) => out.push(t), err: (t) => err.push(t), interactive: false, cwd, env: {} };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

/** A folder with every image type OCR reads, files of types not taken, and excluded ones (not counted). */
const FILES = {
  'in/scan.gif': 'GIF89a', 'in/scan.BMP': 'BM', 'in/scan.webp': 'RIFF', 'in/a.png': 'png', 'in/b.jpeg': 'jpg', 'in/c.tif': 'tif', 'in/notes.txt': 'hello',
  'in/sheet.xlsx': 'x', 'in/sub/budget.xlsx': 'x', 'in/letter.rtf': '{\\rtf1}', 'in/README': 'no extension',
  'in/node_modules/dep/huge.xlsx': 'excluded, not counted', 'in/~$lock.docx': 'office lock, excluded',
};

describe('folder walks report what they skip', () => {
  const tmp = useTempDir();

  it('add takes every image type OCR reads, and counts the rest by extension (result, log)', async () => {
    const project = await Project.create(tmp.dir, { name: 'p' });
    await writeFiles(tmp.dir, FILES);
    const result = await addSources(project, [path.join(tmp.dir, 'in')]);
    assert.deepEqual(result.added.sort(), ['in/a.png', 'in/b.jpeg', 'in/c.tif', 'in/notes.txt', 'in/scan.BMP', 'in/scan.gif', 'in/scan.webp']);
    assert.deepEqual(result.skipped, { '.xlsx': 2, '.rtf': 1, '': 1 });
    assert.equal(describeSkipped(result.skipped), '4: .xlsx 2, (no extension) 1, .rtf 1');
    const log = await readLog(project.paths.logs, new Date());
    assert.ok(log.some((e) => e.message === 'Skipped 4: .xlsx 2, (no extension) 1, .rtf 1 (file types not included)'), JSON.stringify(log));
  });

  it('brightrun add and extract --text-out say "skipped N: .ext n, …"', async () => {
    await writeFiles(tmp.dir, { 'in/a.txt': 'alpha', 'in/sheet.xlsx': 'x', 'in/sub/budget.xlsx': 'x', 'in/letter.rtf': '{\\rtf1}' });
    assert.equal(await runCli(['init', '--name', 'demo'], fakeIO(tmp.dir).io), 0);
    const add = fakeIO(tmp.dir);
    assert.equal(await runCli(['add', 'in'], add.io), 0);
    assert.match(add.err(), /^brightrun: note: skipped 3: \.xlsx 2, \.rtf 1 — file types Bright Run does not take/m);
    const extract = fakeIO(tmp.dir);
    assert.equal(await runCli(['extract', 'in', '--text-out', 'out', '--no-ocr'], extract.io), 0);
    assert.match(extract.err(), /^brightrun: note: skipped 3: \.xlsx 2, \.rtf 1 — /m);
    assert.equal(describeSkipped({}), undefined);
  });

  it("package.json's include default and explorer menus take the same extensions as the core", () => {
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '../../../../package.json'), 'utf8'));
    assert.deepEqual(pkg.contributes.configuration.properties['brightrun.add.include'].default, DEFAULT_INCLUDE);
    const menus = JSON.stringify(pkg.contributes.menus).match(/resourceExtname =~ \/(.*?)\/i/g)!;
    assert.ok(menus.length >= 3);
    for (const m of menus) {
      const re = new RegExp(JSON.parse(`"${m.replace(/^resourceExtname =~ \//, '').replace(/\/i$/, '')}"`), 'i');
      for (const ext of SUPPORTED_EXTENSIONS) assert.ok(re.test(`.${ext}`), `${m} misses .${ext}`);
    }
  });
});
