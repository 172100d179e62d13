import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runExport, verifyExportDir } from '../../../src/core/export';
import { projectPaths } from '../../../src/core/project/paths';
import { makeRecords, writeRecordsBuild } from '../../support/exportRecords';
import { useTempDir } from '../../support/tmp';

describe('runExport', () => {
  const tmp = useTempDir();

  it('publishes a verified first version 1.0.0 with manifest, lineage and changelog', async () => {
    await writeRecordsBuild(tmp.dir, makeRecords('completion', 30));
    const paths = projectPaths(tmp.dir);
    const progress: number[] = [];
    const r = await runExport({ paths }, { name: 'default', formats: ['jsonl', 'json', 'csv', 'tfrecord'] }, { onProgress: (p) => progress.push(p.done) });
    assert.equal(r.status, 'published');
    assert.equal(r.version, '1.0.0');
    assert.equal(r.dir, path.join(tmp.dir, 'exports', 'default', '1.0.0'));
    const files = r.manifest.files.map((f) => f.path);
    assert.deepEqual(files, ['CHANGELOG.md', 'csv/test.csv', 'csv/train.csv', 'csv/validation.csv', 'json/test.json', 'json/train.json', 'json/validation.json', 'jsonl/test.jsonl', 'jsonl/train.jsonl', 'jsonl/validation.jsonl', 'lineage.jsonl', 'tfrecord/test.tfrecord', 'tfrecord/train.tfrecord', 'tfrecord/validation.tfrecord']);
    assert.deepEqual(r.manifest.records.splits, { train: 21, validation: 6, test: 3 });
    const { findings } = await verifyExportDir(r.dir);
    assert.deepEqual(findings, []);
    assert.ok(progress.at(-1)! >= 150);
    const entries = await fs.readdir(path.join(tmp.dir, 'exports', 'default'));
    assert.deepEqual(entries, ['1.0.0']);
  });
});
