import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { exportRequestFromConfig, runExport } from '../../../src/core/export';
import { parseConfig } from '../../../src/core/project/config';
import { projectPaths } from '../../../src/core/project/paths';
import { makeRecords, writeRecordsBuild } from '../../support/exportRecords';
import { useTempDir } from '../../support/tmp';

describe('export: per-format options from a brightrun.json profile (through the schema)', function () {
  this.timeout(120_000);
  const tmp = useTempDir();

  it('validates and applies the options of parquet, hf (card), pytorch and template; template files are read from the project folder', async () => {
    await writeRecordsBuild(tmp.dir, makeRecords('instruction', 12));
    await fs.mkdir(path.join(tmp.dir, 'templates'));
    await fs.writeFile(path.join(tmp.dir, 'templates', 'row.jinja'), '### {{ record.instruction }}');
    const profile = {
      name: 'all',
      formats: ['hf', 'parquet', 'pytorch', 'template'],
      parquet: { codec: 'gzip', rowGroupRows: 5 },
      hf: { license: 'apache-2.0', language: ['en'], description: 'Pump manuals as instruction pairs.' },
      pytorch: { tokenizer: 'qwen3' },
      template: { recordFile: 'templates/row.jinja', extension: 'md' },
    };
    const text = JSON.stringify({ formatVersion: 1, name: 'p', exports: [profile] });
    const { config } = parseConfig(text, path.join(tmp.dir, 'brightrun.json'));
    const cwd = process.cwd();
    process.chdir(path.dirname(tmp.dir)); // the template path must not depend on the working folder
    try {
      const r = await runExport({ paths: projectPaths(tmp.dir) }, exportRequestFromConfig(config, { name: 'all' }));
      const files = r.manifest.files.map((f) => f.path);
      assert.ok(files.some((f) => f.startsWith('pytorch/') && f.endsWith('.safetensors')), files.join());
      assert.ok(files.some((f) => f.startsWith('template/') && f.endsWith('.md')), files.join());
      const card = await fs.readFile(path.join(r.dir, 'hf', 'README.md'), 'utf8');
      assert.match(card, /license: apache-2.0/);
      assert.match(card, /Pump manuals as instruction pairs\./);
      const rendered = await fs.readFile(path.join(r.dir, files.find((f) => f.startsWith('template/') && f.endsWith('.md'))!), 'utf8');
      assert.match(rendered, /^### Summarise:/, JSON.stringify(rendered.slice(0, 200)) + ' ' + files.join());
    } finally {
      process.chdir(cwd);
    }
    assert.throws(() => parseConfig(JSON.stringify({ formatVersion: 1, name: 'p', exports: [{ ...profile, parquet: { codec: 'lz4' } }] }), 'brightrun.json'), /exports\[0\]\.parquet\.codec|codec/);
    assert.throws(() => parseConfig(JSON.stringify({ formatVersion: 1, name: 'p', exports: [{ ...profile, template: { extension: 'md' } }] }), 'brightrun.json'), /template/);
  });
});

describe('export: records.chatFormat "sharegpt" shapes chat rows of JSONL, JSON and CSV', function () {
  this.timeout(60_000);
  const tmp = useTempDir();

  it('writes conversations [{from, value}] instead of messages, and a change of chat format is a major version', async () => {
    const paths = projectPaths(tmp.dir);
    await writeRecordsBuild(tmp.dir, makeRecords('chat', 6));
    const v1 = await runExport({ paths }, { name: 'c', formats: ['jsonl', 'json', 'csv'] });
    const manifestFile = path.join(paths.records, 'manifest.json');
    const m = JSON.parse(await fs.readFile(manifestFile, 'utf8')) as { settings: Record<string, unknown> };
    await fs.writeFile(manifestFile, JSON.stringify({ ...m, settings: { ...m.settings, chatFormat: 'sharegpt' } }));
    const v2 = await runExport({ paths }, { name: 'c', formats: ['jsonl', 'json', 'csv'] });
    assert.deepEqual([v1.version, v2.version], ['1.0.0', '2.0.0']);
    const line = JSON.parse((await fs.readFile(path.join(v2.dir, 'jsonl', 'train.jsonl'), 'utf8')).split('\n')[0]!) as Record<string, unknown>;
    assert.deepEqual(Object.keys(line), ['id', 'conversations']);
    assert.deepEqual((line.conversations as Array<{ from: string }>).map((c) => c.from), ['system', 'human', 'gpt']);
    const json = JSON.parse(await fs.readFile(path.join(v2.dir, 'json', 'train.json'), 'utf8')) as Array<Record<string, unknown>>;
    assert.ok('conversations' in json[0]! && !('messages' in json[0]!));
    assert.match((await fs.readFile(path.join(v2.dir, 'csv', 'train.csv'), 'utf8')).split('\n')[0]!, /^id,conversations/);
  });
});
