import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { exportRequestFromConfig, formatWriter, runExport, verifyExportDir, type WrittenFile } from '../../../src/core/export';
import { compileFieldMapping } from '../../../src/core/export/formats/fieldMapping';
import { crc32c, decodeExample, encodeExample, frameRecord, maskCrc, TfRecordReader, unmaskCrc } from '../../../src/core/export/tfrecordCodec';
import { parseConfig } from '../../../src/core/project/config';
import { projectPaths } from '../../../src/core/project/paths';
import { makeRecords, writeRecordsBuild } from '../../support/exportRecords';
import { useTempDir } from '../../support/tmp';

describe('TFRecord codec: golden vectors (../shared/api/README.md section C)', () => {
  it('CRC-32C and its mask', () => {
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
    assert.equal(maskCrc(0xe3069283), 0xc78ab0e5);
    assert.equal(unmaskCrc(0xc78ab0e5), 0xe3069283);
  });

  it('an empty record, Example{text: "hi"} and its framed record', () => {
    assert.equal(frameRecord(Buffer.alloc(0)).toString('hex'), '0000000000000000' + '29039807' + 'd8ea82a2');
    const ex = encodeExample([['text', { bytes: ['hi'] }]]);
    assert.equal(ex.toString('hex'), '0a100a0e0a047465787412060a040a026869');
    const framed = frameRecord(ex);
    assert.equal(framed.length, 34);
    assert.equal(framed.toString('hex'), '1200000000000000' + '241f6425' + ex.toString('hex') + 'ea880556');
  });

  it('int64 (negative too) and float features round-trip; bad framing is caught', () => {
    const ex = encodeExample([['n', { int64: [0, 1, 300, -5, 2n ** 40n] }], ['f', { float: [1.5, -2] }], ['e', { int64: [] }], ['b', { bytes: [Buffer.from([0, 255])] }]]);
    const d = decodeExample(ex);
    assert.deepEqual(d.get('n'), { int64: [0n, 1n, 300n, -5n, 2n ** 40n] });
    assert.deepEqual(d.get('f'), { float: [1.5, -2] });
    assert.deepEqual(d.get('e'), { int64: [] });
    assert.deepEqual(d.get('b'), { bytes: [Buffer.from([0, 255])] });
    const stream = Buffer.concat([frameRecord(ex), frameRecord(Buffer.from('x'))]);
    const reader = new TfRecordReader();
    const got = [...reader.push(stream.subarray(0, 20)), ...reader.push(stream.subarray(20))];
    reader.end();
    assert.equal(got.length, 2);
    const bad = Buffer.from(stream);
    bad[14] ^= 1;
    assert.throws(() => new TfRecordReader().push(bad), /data CRC mismatch/);
    const badLen = Buffer.from(stream);
    badLen[0] ^= 1;
    assert.throws(() => new TfRecordReader().push(badLen), /length CRC mismatch/);
    const cut = new TfRecordReader();
    cut.push(stream.subarray(0, stream.length - 3));
    assert.throws(() => cut.end(), /truncated/);
    assert.throws(() => decodeExample(Buffer.from([0x0a, 0x05, 0x01])), /runs past/);
  });
});

describe('writers verify what they wrote', () => {
  const tmp = useTempDir();

  async function exportOne(format: 'jsonl' | 'json' | 'csv' | 'tfrecord', options: Record<string, unknown> = {}) {
    await writeRecordsBuild(tmp.dir, makeRecords('chat', 10).map((r) => ({ ...r, split: 'train' as const })));
    const r = await runExport({ paths: projectPaths(tmp.dir) }, { name: format, formats: [format], options: { [format]: options } });
    const file = r.manifest.files.find((f) => f.format === format)!;
    return { r, file, abs: path.join(r.dir, ...file.path.split('/')) };
  }

  async function findings(format: 'jsonl' | 'json' | 'csv' | 'tfrecord', dir: string, file: WrittenFile): Promise<string[]> {
    return (await formatWriter(format).verify(dir, [file])).map((f) => f.message);
  }

  for (const format of ['jsonl', 'json', 'csv', 'tfrecord'] as const) {
    it(`${format}: a truncated file or a wrong count is found`, async () => {
      const { r, file, abs } = await exportOne(format, format === 'json' ? { pretty: true } : {});
      assert.deepEqual(await findings(format, r.dir, file), []);
      assert.match((await findings(format, r.dir, { ...file, records: 11 }))[0]!, /holds 10 record\(s\); 11 were written/);
      const bytes = await fs.readFile(abs);
      await fs.writeFile(abs, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
      assert.equal((await findings(format, r.dir, file)).length, 1);
      const check = await verifyExportDir(r.dir);
      assert.match(check.findings[0]!.message, /differs from the manifest/);
      await fs.rm(abs);
      assert.match((await verifyExportDir(r.dir)).findings[0]!.message, /missing/);
    });
  }

  it('gzip files are read through, and a stray file is a warning', async () => {
    await writeRecordsBuild(tmp.dir, makeRecords('completion', 10));
    const r = await runExport({ paths: projectPaths(tmp.dir) }, { name: 'g', formats: ['jsonl', 'csv'], compression: 'gzip' });
    const head = await fs.readFile(path.join(r.dir, 'jsonl', 'train.jsonl.gz'));
    assert.deepEqual([...head.subarray(0, 2)], [0x1f, 0x8b]);
    const manifestFile = path.join(r.dir, 'manifest.json');
    const original = await fs.readFile(manifestFile, 'utf8');
    const edited = JSON.parse(original);
    edited.files.find((f: WrittenFile) => f.path === 'csv/train.csv.gz').records += 1;
    await fs.writeFile(manifestFile, JSON.stringify(edited));
    const counted = (await verifyExportDir(r.dir)).findings.map((x) => x.message);
    assert.ok(counted.some((m) => /holds 7 record\(s\); 8 were written/.test(m)), counted.join('; '));
    assert.ok(counted.some((m) => /holds 8 train record\(s\) in its \.csv files; the records build has 7/.test(m)), counted.join('; '));
    await fs.writeFile(manifestFile, original);
    await fs.writeFile(path.join(r.dir, 'extra.txt'), gzipSync('x'));
    const { findings: f } = await verifyExportDir(r.dir);
    assert.deepEqual(f.map((x) => `${x.severity} ${x.file}`), ['warning extra.txt']);
    await assert.rejects(verifyExportDir(path.join(tmp.dir, 'exports')), /not an export version/);
    await fs.writeFile(path.join(r.dir, 'manifest.json'), '{');
    await assert.rejects(verifyExportDir(r.dir), /damaged/);
  });
});

describe('export settings', () => {
  it('field mapping: order of operations and errors that name the setting', () => {
    const map = compileFieldMapping({ rename: { text: 'content' }, nest: { meta: ['page'] }, constants: { v: 1 } }, ['id', 'text', 'page']);
    assert.deepEqual(map({ id: 'a', text: 't', page: 2 }), { id: 'a', content: 't', meta: { page: 2 }, v: 1 });
    assert.deepEqual(compileFieldMapping(undefined, ['id'])({ id: 'x' }), { id: 'x' });
    assert.throws(() => compileFieldMapping({ rename: { nope: 'x' } }, ['id']), /rename names "nope"/);
    assert.throws(() => compileFieldMapping({ rename: { id: 'text' } }, ['id', 'text']), /same name/);
    assert.throws(() => compileFieldMapping({ nest: { m: ['zz'] } }, ['id']), /nest\.m names "zz"/);
    assert.throws(() => compileFieldMapping({ constants: { id: 1 } }, ['id']), /constant has the name/);
  });

  it('profiles from brightrun.json: flags override, "huggingface" reads as "hf", deprecated compress means gzip', () => {
    const config = { exports: [{ name: 'a', formats: ['huggingface', 'jsonl'] as ('huggingface' | 'jsonl')[], compress: true, csv: { delimiter: ';' }, parquet: { codec: 'zstd' } } as never, { name: 'b', formats: ['csv'] as 'csv'[] }] };
    const a = exportRequestFromConfig(config);
    assert.deepEqual([a.name, a.formats, a.compression, a.lineageColumns, a.watchDebounceMs], ['a', ['hf', 'jsonl'], 'gzip', false, 2000]);
    assert.deepEqual(a.options, { csv: { delimiter: ';' }, parquet: { codec: 'zstd' } });
    const b = exportRequestFromConfig(config, { name: 'b', formats: 'jsonl, tfrecord', compression: 'none', lineageColumns: true });
    assert.deepEqual([b.name, b.formats, b.compression, b.lineageColumns], ['b', ['jsonl', 'tfrecord'], 'none', true]);
    assert.equal(exportRequestFromConfig({}, { formats: ['csv'] }).name, 'default');
    assert.throws(() => exportRequestFromConfig({}), /No formats were given/);
    assert.throws(() => exportRequestFromConfig({}, { formats: ' , ' }), /names no format/);
  });

  it('brightrun.json validates export profiles and names the field', () => {
    const cfg = (exports: unknown) => JSON.stringify({ formatVersion: 1, name: 'd', exports });
    assert.ok(parseConfig(cfg([{ name: 'a', formats: ['jsonl', 'csv', 'tfrecord'], compression: 'gzip', lineageColumns: true, csv: { encoding: 'windows-1252', delimiter: '\t' }, json: { pretty: true, mapping: { drop: ['id'] } } }]), 'brightrun.json').config);
    assert.throws(() => parseConfig(cfg([{ name: 'a', formats: ['csv'], csv: { encoding: 'latin1' } }]), 'brightrun.json'), /exports\[0\]\.csv\.encoding/);
    assert.throws(() => parseConfig(cfg([{ name: 'a', formats: ['csv'], compress: true, compression: 'gzip' }]), 'brightrun.json'), /compress.*compression/);
    assert.throws(() => parseConfig(cfg([{ name: 'a', formats: ['csv'], csv: { delimiter: ';', quote: ';' } }]), 'brightrun.json'), /csv\.quote/);
    assert.throws(() => parseConfig(cfg([{ name: 'a', formats: ['xml'] }]), 'brightrun.json'), /exports\[0\]\.formats\[0\]/);
  });
});
