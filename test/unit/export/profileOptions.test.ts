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
