import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runExport, verifyExportDir } from '../../../src/core/export';
import { projectPaths } from '../../../src/core/project/paths';
import { makeRecords, writeRecordsBuild } from '../../support/exportRecords';
import { useTempDir } from '../../support/tmp';

describe('export: a build of several record kinds, one profile for all', function () {
  this.timeout(120_000);
  const tmp = useTempDir();

  it('json: a mapping name another kind has is skipped for a kind that lacks it; a name no kind has fails naming brightrun.json', async () => {
    await writeRecordsBuild(tmp.dir, [...makeRecords('completion', 8, 100), ...makeRecords('instruction', 10, 200)]);
    const project = { paths: projectPaths(tmp.dir) };
    const mapping = { rename: { output: 'answer', text: 'body' }, drop: ['input'], nest: { q: ['instruction'] }, constants: { lang: 'en' } };
    const r = await runExport(project, { name: 'm', formats: ['json'], options: { json: { mapping } } });
    const paths = r.manifest.files.map((f) => f.path);
    assert.ok(paths.includes('completion/json/train.json') && paths.includes('instruction/json/train.json'), paths.join('\n'));
    assert.equal(r.manifest.files.find((f) => f.path === 'instruction/json/train.json')!.kind, 'instruction');
    const read = async (rel: string) => JSON.parse(await fs.readFile(path.join(r.dir, rel), 'utf8')) as Record<string, unknown>[];
    const completion = await read('completion/json/train.json');
    const instruction = await read('instruction/json/train.json');
    assert.deepEqual(Object.keys(completion[0]!), ['id', 'body', 'q', 'lang']);
    assert.deepEqual(completion[0]!.q, {});
    assert.deepEqual(Object.keys(instruction[0]!), ['id', 'answer', 'q', 'lang']);
    assert.equal(typeof (instruction[0]!.q as { instruction?: unknown }).instruction, 'string');
    assert.equal(completion.length + instruction.length, r.manifest.records.splits.train);
    assert.deepEqual((await verifyExportDir(r.dir)).findings, []);

    const fails = (m: Record<string, unknown>, name: string) => assert.rejects(runExport(project, { name: 'bad', formats: ['json'], options: { json: { mapping: m } } }), (e: { code?: string; file?: string; message: string; remedy?: string }) => {
      assert.equal(e.code, 'CONFIG_INVALID');
      assert.equal(e.file, 'brightrun.json');
      assert.ok(e.message.startsWith('brightrun.json exports[].json.mapping:') && e.message.includes(`"${name}"`), e.message);
      assert.match(e.remedy ?? '', /text.*instruction/);
      return true;
    });
    await fails({ rename: { answr: 'a' } }, 'answr');
    await fails({ drop: ['nope'] }, 'nope');
    await fails({ nest: { m: ['outpt'] } }, 'outpt');
  });
});
