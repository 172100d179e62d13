import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fromStoredPath, Project, readLog, toStoredPath, type BrightRunError } from '../../../src/core';
import { useTempDir } from '../../support/tmp';

describe('Project', () => {
  const tmp = useTempDir();

  it('creates the documented layout', async () => {
    const project = await Project.create(tmp.dir, { name: 'manuals', description: 'Pump manuals' });
    assert.equal(project.config.name, 'manuals');
    assert.equal(project.config.description, 'Pump manuals');
    for (const p of ['brightrun.json', '.brightrun/sources.json', '.brightrun/.gitignore', '.brightrun/documents', '.brightrun/records', '.brightrun/logs', '.brightrun/runs']) {
      await fs.access(path.join(tmp.dir, p));
    }
    assert.match(await fs.readFile(path.join(tmp.dir, '.brightrun/.gitignore'), 'utf8'), /^lock$/m);
    const log = await readLog(project.paths.logs, new Date());
    assert.equal(log[0]?.message, 'Created project "manuals"');
    assert.deepEqual(await fs.readdir(project.paths.dataDir).then((f) => f.filter((x) => x.includes('lock') || x.endsWith('.tmp'))), []);
  });

  it('names the project after the folder by default', async () => {
    const dir = path.join(tmp.dir, 'Pump Manuals');
    await fs.mkdir(dir);
    assert.equal((await Project.create(dir)).config.name, 'Pump-Manuals');
  });

  it('refuses to create over an existing project, valid or broken, and leaves it untouched', async () => {
    await Project.create(tmp.dir);
    await assert.rejects(Project.create(tmp.dir), { code: 'PROJECT_EXISTS' });
    const config = path.join(tmp.dir, 'brightrun.json');
    await fs.writeFile(config, '{ broken');
    await assert.rejects(Project.create(tmp.dir), { code: 'PROJECT_EXISTS' });
    assert.equal(await fs.readFile(config, 'utf8'), '{ broken');
  });

  it('refuses a missing folder or a file as root', async () => {
    await assert.rejects(Project.create(path.join(tmp.dir, 'missing')), { code: 'SOURCE_NOT_FOUND' });
    const file = path.join(tmp.dir, 'file');
    await fs.writeFile(file, '');
    await assert.rejects(Project.create(file), { code: 'INVALID_ARGUMENT' });
  });

  it('opens, finds from a sub-folder, and reports when there is none', async () => {
    await Project.create(tmp.dir, { name: 'p' });
    const sub = path.join(tmp.dir, 'a', 'b');
    await fs.mkdir(sub, { recursive: true });
    assert.equal(await Project.find(sub), tmp.dir);
    assert.equal((await Project.locate(sub)).config.name, 'p');
    assert.equal((await Project.open(tmp.dir)).root, tmp.dir);
    const elsewhere = path.join(tmp.dir, 'a');
    await fs.rm(path.join(tmp.dir, 'brightrun.json'));
    assert.equal(await Project.find(elsewhere), undefined);
    await assert.rejects(Project.locate(elsewhere), (e: BrightRunError) => e.code === 'PROJECT_NOT_FOUND' && /brightrun init/.test(e.remedy));
    await assert.rejects(Project.open(tmp.dir), { code: 'PROJECT_NOT_FOUND' });
  });

  it('reports a hand-broken brightrun.json and never overwrites it', async () => {
    const project = await Project.create(tmp.dir);
    const config = path.join(tmp.dir, 'brightrun.json');
    const broken = '{"formatVersion": 1, "name": "x", "splits": {"train": 2}}';
    await fs.writeFile(config, broken);
    await assert.rejects(Project.open(tmp.dir), { code: 'CONFIG_INVALID' });
    await assert.rejects(project.reloadConfig(), { code: 'CONFIG_INVALID' });
    await assert.rejects(project.saveConfig({ ...project.config, description: 'new' }), { code: 'CONFIG_INVALID' });
    assert.equal(await fs.readFile(config, 'utf8'), broken);
  });

  it('saves a valid config atomically and rejects an invalid one before writing', async () => {
    const project = await Project.create(tmp.dir);
    await project.saveConfig({ ...project.config, description: 'updated' });
    assert.equal((await project.reloadConfig()).description, 'updated');
    const before = await fs.readFile(project.paths.config, 'utf8');
    await assert.rejects(project.saveConfig({ ...project.config, name: '' }), { code: 'CONFIG_INVALID' });
    assert.equal(await fs.readFile(project.paths.config, 'utf8'), before);
  });

  it('reports a corrupt sources.json and does not overwrite it', async () => {
    const project = await Project.create(tmp.dir);
    for (const bad of ['not json', '{"formatVersion":1}', '{"formatVersion":1,"sources":[{"path":1}]}']) {
      await fs.writeFile(project.paths.sources, bad);
      await assert.rejects(project.status(), { code: 'STATE_CORRUPT' });
      await assert.rejects(project.updateSources((s) => ({ sources: s, result: 0 })), { code: 'STATE_CORRUPT' });
      assert.equal(await fs.readFile(project.paths.sources, 'utf8'), bad);
    }
  });

  it('treats a missing sources.json as an empty list', async () => {
    const project = await Project.create(tmp.dir);
    await fs.rm(project.paths.sources);
    const status = await project.status();
    assert.deepEqual(status.documents, { queued: 0, extracting: 0, done: 0, failed: 0 });
    assert.equal(status.sources, 0);
  });

  it('stores paths inside the project relative with "/", outside absolute', () => {
    const root = path.resolve('/ws/proj');
    assert.equal(toStoredPath(root, path.join(root, 'docs', 'a.pdf')), 'docs/a.pdf');
    assert.equal(toStoredPath(root, path.resolve('/elsewhere/b.pdf')), path.resolve('/elsewhere/b.pdf'));
    assert.equal(fromStoredPath(root, 'docs/a.pdf'), path.join(root, 'docs', 'a.pdf'));
    assert.equal(fromStoredPath(root, path.resolve('/elsewhere/b.pdf')), path.resolve('/elsewhere/b.pdf'));
  });
});
