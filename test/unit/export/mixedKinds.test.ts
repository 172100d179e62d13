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

  it('llama-factory: entries and files are named {name}_{kind}_{split}, so the kinds\' dataset_info entries do not collide; one kind keeps {name}_{split}', async () => {
    await writeRecordsBuild(tmp.dir, [...makeRecords('completion', 8, 100), ...makeRecords('instruction', 10, 200)]);
    const project = { paths: projectPaths(tmp.dir) };
    const r = await runExport(project, { name: 'lf', formats: ['llama-factory'], options: { 'llama-factory': { name: 'manual' } } });
    const info = async (kind: string) => JSON.parse(await fs.readFile(path.join(r.dir, kind, 'llama-factory/dataset_info.json'), 'utf8')) as Record<string, { file_name: string }>;
    const completion = await info('completion');
    const instruction = await info('instruction');
    assert.deepEqual(Object.keys(completion).sort(), ['manual_completion_train', 'manual_completion_validation']);
    assert.deepEqual(Object.keys(instruction).sort(), ['manual_instruction_test', 'manual_instruction_train', 'manual_instruction_validation']);
    assert.equal(instruction.manual_instruction_train!.file_name, 'manual_instruction_train.jsonl');
    const paths = r.manifest.files.map((f) => f.path);
    assert.ok(paths.includes('instruction/llama-factory/manual_instruction_train.jsonl') && paths.includes('completion/llama-factory/manual_completion_validation.jsonl'), paths.join('\n'));
    assert.equal(r.manifest.files.find((f) => f.path === 'completion/llama-factory/manual_completion_train.jsonl')!.kind, 'completion');
    assert.deepEqual((await verifyExportDir(r.dir)).findings, []);

    await writeRecordsBuild(tmp.dir, makeRecords('instruction', 10, 200), 'b2');
    const one = await runExport(project, { name: 'lf1', formats: ['llama-factory'], options: { 'llama-factory': { name: 'manual' } } });
    const single = JSON.parse(await fs.readFile(path.join(one.dir, 'llama-factory/dataset_info.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(single).sort(), ['manual_test', 'manual_train', 'manual_validation']);
  });
});
