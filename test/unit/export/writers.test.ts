import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runExport, type ExportResult } from '../../../src/core/export';
import { naturalRow } from '../../../src/core/export/rows';
import { projectPaths } from '../../../src/core/project/paths';
import type { RecordKind, SplitName, TrainingRecord } from '../../../src/core/records/types';
import { makeRecord, makeRecords, writeRecordsBuild } from '../../support/exportRecords';
import { readWithPython } from '../../support/pythonReaders';
import { useTempDir } from '../../support/tmp';

const KINDS: readonly RecordKind[] = ['completion', 'instruction', 'chat'];

function expectedRows(records: readonly TrainingRecord[], split: SplitName, lineage: boolean): Record<string, unknown>[] {
  return records.filter((r) => r.split === split).map((r) => naturalRow(r, lineage) as unknown as Record<string, unknown>);
}

function file(r: ExportResult, rel: string): string {
  return path.join(r.dir, ...rel.split('/'));
}

describe('export writers against independent readers (Python json / csv, protobuf)', function () {
  this.timeout(120_000);
  const tmp = useTempDir();

  for (const kind of KINDS) {
    for (const compression of ['none', 'gzip'] as const) {
      it(`${kind} records, ${compression}: JSONL, JSON and TFRecord read back field for field`, async () => {
        const records = makeRecords(kind, 10);
        await writeRecordsBuild(tmp.dir, records);
        const lineage = compression === 'gzip';
        const r = await runExport({ paths: projectPaths(tmp.dir) }, { name: 'x', formats: ['jsonl', 'json', 'tfrecord'], compression, lineageColumns: lineage, options: { json: { pretty: kind === 'chat' } } });
        const gz = compression === 'gzip' ? '.gz' : '';
        for (const split of ['train', 'validation', 'test'] as const) {
          const want = expectedRows(records, split, lineage);
          const jsonl = await readWithPython('jsonl', file(r, `jsonl/${split}.jsonl${gz}`));
          assert.deepEqual(jsonl.rows, want, `jsonl ${split}`);
          const json = await readWithPython('json', file(r, `json/${split}.json${gz}`));
          assert.deepEqual(json.rows, want, `json ${split}`);
          const tf = await readWithPython('tfrecord', file(r, `tfrecord/${split}.tfrecord${gz}`));
          assert.equal(tf.count, want.length);
          tf.rows.forEach((row, i) => {
            const w = want[i]!;
            for (const [key, value] of Object.entries(w)) {
              if (typeof value === 'string') assert.deepEqual(row[key], { bytes: [value] }, key);
              else if (typeof value === 'number') assert.deepEqual(row[key], { int64: [value] }, key);
              else {
                const messages = value as { role: string; content: string }[];
                assert.deepEqual(row[`${key}/role`], { bytes: messages.map((m) => m.role) });
                assert.deepEqual(row[`${key}/content`], { bytes: messages.map((m) => m.content) });
              }
            }
          });
        }
      });
    }
  }

  for (const encoding of ['utf-8', 'utf-8-bom', 'utf-16le', 'windows-1252'] as const) {
    for (const [delimiter, quote] of [[',', '"'], [';', "'"], ['\t', '"']] as const) {
      it(`CSV in ${encoding}, delimiter ${JSON.stringify(delimiter)}, quote ${quote}: Python's csv module reads every field`, async () => {
        // Windows-1252 holds no CJK or emoji: its records use the Latin texts.
        const records = KINDS.flatMap((kind, k) =>
          Array.from({ length: 7 }, (_, i) => {
            const text = encoding === 'windows-1252' ? ['Café “€” naïve', '', 'a,b;c\t"q" \'s\'\r\nnext', 'x'.repeat(100_000)][i % 4]! : undefined;
            return makeRecord(kind, k * 7 + i, 'train', text);
          }),
        ).filter((r) => r.kind === 'chat');
        await writeRecordsBuild(tmp.dir, records);
        const r = await runExport({ paths: projectPaths(tmp.dir) }, { name: 'c', formats: ['csv'], lineageColumns: true, compression: encoding === 'utf-16le' ? 'gzip' : 'none', options: { csv: { encoding, delimiter, quote } } });
        const rel = r.manifest.files.find((f) => f.format === 'csv')!.path;
        const read = await readWithPython('csv', file(r, rel), { encoding, delimiter, quote });
        assert.deepEqual(read.header, ['id', 'messages', 'source_path', 'page', 'span_start', 'span_end']);
        const want = expectedRows(records, 'train', true);
        assert.equal(read.count, want.length);
        read.rows.forEach((row, i) => {
          const w = want[i] as Record<string, unknown>;
          assert.deepEqual(JSON.parse(row.messages as string), w.messages);
          assert.equal(row.id, w.id);
          assert.equal(row.source_path, w.source_path);
          assert.equal(row.page, String(w.page));
          assert.equal(row.span_end, String(w.span_end));
        });
      });
    }
  }

  it('CSV of completion and instruction records keeps empty strings, line breaks and very long texts', async () => {
    for (const kind of ['completion', 'instruction'] as const) {
      const records = makeRecords(kind, 10).map((x) => ({ ...x, split: 'train' as const }));
      await fs.rm(path.join(tmp.dir, '.brightrun'), { recursive: true, force: true });
      await writeRecordsBuild(tmp.dir, records);
      const r = await runExport({ paths: projectPaths(tmp.dir) }, { name: kind, formats: ['csv'] });
      const read = await readWithPython('csv', file(r, 'csv/train.csv'), { encoding: 'utf-8', delimiter: ',', quote: '"' });
      assert.deepEqual(read.rows, expectedRows(records, 'train', false));
    }
  });

  it('Windows-1252 CSV refuses a character it cannot hold, naming the record and the character, and publishes nothing', async () => {
    const records = [makeRecord('completion', 0, 'train', 'fine'), makeRecord('completion', 1, 'train', 'not in 1252: 日')];
    await writeRecordsBuild(tmp.dir, records);
    await assert.rejects(
      runExport({ paths: projectPaths(tmp.dir) }, { name: 'w', formats: ['csv'], options: { csv: { encoding: 'windows-1252' } } }),
      (e: { code: string; message: string }) => e.code === 'INVALID_ARGUMENT' && e.message.includes(records[1]!.id) && e.message.includes('U+65E5'),
    );
    assert.deepEqual(await fs.readdir(path.join(tmp.dir, 'exports')), [], 'no version, no temporary folder, no empty exports/w/');
  });

  it('bad CSV and JSON options are refused with the setting named', async () => {
    await writeRecordsBuild(tmp.dir, makeRecords('completion', 3));
    const paths = projectPaths(tmp.dir);
    await assert.rejects(runExport({ paths }, { name: 'o', formats: ['csv'], options: { csv: { delimiter: '\n' } } }), /export\.csv\.delimiter/);
    await assert.rejects(runExport({ paths }, { name: 'o', formats: ['csv'], options: { csv: { quote: ',' } } }), /export\.csv\.quote/);
    await assert.rejects(runExport({ paths }, { name: 'o', formats: ['csv'], options: { csv: { encoding: 'latin-9' } } }), /export\.csv\.encoding/);
    await assert.rejects(runExport({ paths }, { name: 'o', formats: ['json'], options: { json: { pretty: 'yes' } } }), /export\.json\.pretty/);
    await assert.rejects(runExport({ paths }, { name: 'o', formats: ['json'], options: { json: { mapping: { drop: ['nope'] } } } }), /mapping: drop names "nope"/);
  });

  it('JSON field mapping: rename, drop, nest and constants, read back by Python', async () => {
    const records = makeRecords('instruction', 5).map((x) => ({ ...x, split: 'train' as const }));
    await writeRecordsBuild(tmp.dir, records);
    const mapping = { drop: ['id'], rename: { output: 'response', source_path: 'source' }, nest: { meta: ['source', 'page'] }, constants: { lang: 'en', version: 2 } };
    const r = await runExport({ paths: projectPaths(tmp.dir) }, { name: 'm', formats: ['json'], lineageColumns: true, options: { json: { mapping } } });
    const read = await readWithPython('json', file(r, 'json/train.json'));
    assert.deepEqual(read.rows[0], {
      instruction: records[0]!.kind === 'instruction' ? records[0]!.instruction : '',
      input: records[0]!.kind === 'instruction' ? records[0]!.input : '',
      response: records[0]!.kind === 'instruction' ? records[0]!.output : '',
      span_start: 0,
      span_end: 9,
      meta: { source: 'docs/sourcé 0.pdf', page: 1 },
      lang: 'en',
      version: 2,
    });
  });
});
