import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../../src/cli/main';
import { listExports } from '../../../src/core/export';
import type { CliIO } from '../../../src/cli/io';
import { makeRecords, writeRecordsBuild } from '../../support/exportRecords';
import { useTempDir } from '../../support/tmp';

function fakeIO(cwd: string, interactive = false) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (t) => out.push(t), err: (t) => err.push(t), interactive, cwd, env: {} };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

async function newProject(dir: string, exportsProfile?: unknown): Promise<void> {
  assert.equal(await runCli(['init', '--name', 'demo'], fakeIO(dir).io), 0);
  if (exportsProfile) {
    const file = path.join(dir, 'brightrun.json');
    const config = JSON.parse(await fs.readFile(file, 'utf8'));
    config.exports = exportsProfile;
    await fs.writeFile(file, JSON.stringify(config, null, 2));
  }
}

describe('brightrun export (CLI)', function () {
  this.timeout(120_000);
  const tmp = useTempDir();

  it('exports with flags, draws progress, prints the version, then verify passes and a tampered file fails', async () => {
    await newProject(tmp.dir);
    await writeRecordsBuild(tmp.dir, makeRecords('chat', 12));
    const run = fakeIO(tmp.dir, true);
    assert.equal(await runCli(['export', '--name', 'sft', '--formats', 'jsonl,csv,tfrecord', '--compress', 'gzip', '--lineage'], run.io), 0, run.err());
    assert.match(run.out(), /Exported "sft" 1\.0\.0 to exports\/sft\/1\.0\.0: 12 record\(s\).*jsonl, csv, tfrecord.*verified\./);
    assert.match(run.out(), /verified\. Languages: [a-z]{2,3} [\d.]+ %(, [a-z]{2,3} [\d.]+ %)*\./);
    assert.match(run.err(), /Exporting sft .*records/);
    assert.match(run.err(), /records · (jsonl|csv|tfrecord|lineage|verify)( · [\d.]+ [KM]?B written)?/, 'the step and the bytes written so far');
    assert.match(run.err(), /[\d.]+ [KM]?B written/);
    const dir = path.join(tmp.dir, 'exports', 'sft', '1.0.0');
    assert.ok((await fs.readdir(path.join(dir, 'csv'))).includes('train.csv.gz'));

    const ok = fakeIO(tmp.dir);
    assert.equal(await runCli(['export', 'verify', 'exports/sft/1.0.0'], ok.io), 0);
    assert.match(ok.out(), /verified: 11 file\(s\), 12 record\(s\)/);

    const again = fakeIO(tmp.dir);
    assert.equal(await runCli(['export', '--name', 'sft', '--formats', 'jsonl,csv,tfrecord', '--compress', 'gzip', '--lineage', '--json'], again.io), 0);
    assert.equal(JSON.parse(again.out()).status, 'unchanged');
    assert.deepEqual(await fs.readdir(path.join(tmp.dir, 'exports', 'sft')), ['1.0.0']);

    const tf = path.join(dir, 'tfrecord', 'train.tfrecord.gz');
    const bytes = await fs.readFile(tf);
    bytes[bytes.length - 12] ^= 0xff;
    await fs.writeFile(tf, bytes);
    const bad = fakeIO(tmp.dir);
    assert.equal(await runCli(['export', 'verify', dir, '--json'], bad.io), 1);
    const report = JSON.parse(bad.out());
    assert.equal(report.valid, false);
    assert.match(report.findings[0].message, /differs from the manifest/);
    assert.match(bad.err(), /\[EXPORT_INVALID\]/);
  });

  it('uses the brightrun.json profile (formats, compression, CSV options) and names bad settings', async () => {
    await newProject(tmp.dir, [{ name: 'main', formats: ['json', 'csv'], compression: 'none', csv: { delimiter: ';', encoding: 'utf-8-bom' }, json: { pretty: true } }]);
    await writeRecordsBuild(tmp.dir, makeRecords('instruction', 6));
    const run = fakeIO(tmp.dir);
    assert.equal(await runCli(['export'], run.io), 0, run.err());
    const csv = await fs.readFile(path.join(tmp.dir, 'exports', 'main', '1.0.0', 'csv', 'train.csv'));
    assert.deepEqual([...csv.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.match(csv.toString('utf8', 3, 40), /^id;instruction;input;output\r\n/);

    const unknown = fakeIO(tmp.dir);
    assert.equal(await runCli(['export', '--name', 'nope'], unknown.io), 1);
    assert.match(unknown.err(), /no export profile named "nope".*profiles: main/);
    const badFormat = fakeIO(tmp.dir);
    assert.equal(await runCli(['export', '--formats', 'jsonl,xml'], badFormat.io), 1);
    assert.match(badFormat.err(), /"xml" is not an export format/);
    const badCompress = fakeIO(tmp.dir);
    assert.equal(await runCli(['export', '--compress', 'zip'], badCompress.io), 1);
    assert.match(badCompress.err(), /Compression "zip" is not supported/);
    const usage = fakeIO(tmp.dir);
    assert.equal(await runCli(['export', 'verify'], usage.io), 2);
  });

  it('--watch exports at once, prints each outcome and stops on Ctrl-C (abort) with exit 0; listExports sees the version', async () => {
    await newProject(tmp.dir);
    await writeRecordsBuild(tmp.dir, makeRecords('completion', 4));
    const c = new AbortController();
    const out: string[] = [];
    const io: CliIO = { out: (t) => { out.push(t); c.abort(); }, err: () => undefined, interactive: false, cwd: tmp.dir, env: {} };
    assert.equal(await runCli(['export', '--watch', '--formats', 'jsonl'], io, c.signal), 0);
    assert.match(out.join(''), /Exported "default" 1\.0\.0/);
    assert.deepEqual(await listExports(path.join(tmp.dir, 'exports')), [{ name: 'default', versions: ['1.0.0'] }]);
  });

  it('a killed export (kill -9 midway) leaves no version, and the next run removes its temporary folder', async function () {
    await newProject(tmp.dir);
    const records = makeRecords('completion', 60).flatMap((r, k) => Array.from({ length: 50 }, (_, j) => ({ ...r, id: `${r.id.slice(0, 16)}${String(k * 50 + j).padStart(8, '0')}` })));
    await writeRecordsBuild(tmp.dir, records);
    const bin = path.resolve(__dirname, '..', '..', '..', 'src', 'cli', 'bin.js');
    const child = spawn(process.execPath, [bin, 'export', '--formats', 'jsonl,json,csv,tfrecord', '-C', tmp.dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exportDir = path.join(tmp.dir, 'exports', 'default');
    let partial: string | undefined;
    for (let i = 0; i < 2000 && !partial; i++) {
      await new Promise((r) => setTimeout(r, 10));
      const names = await fs.readdir(exportDir).catch(() => [] as string[]);
      const p = names.find((n) => n.startsWith('.partial-'));
      if (p && (await fs.readdir(path.join(exportDir, p)).catch(() => [] as string[])).some((n) => n === 'json')) partial = p;
    }
    assert.ok(partial, `the export started writing (stderr: ${stderr})`);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const left = await fs.readdir(exportDir);
    assert.deepEqual(left.filter((n) => /^\d+\.\d+\.\d+$/.test(n)), [], 'no version published');
    assert.ok(left.includes(partial!), 'the killed run left its temporary folder');

    const next = fakeIO(tmp.dir);
    assert.equal(await runCli(['export', '--formats', 'jsonl'], next.io), 0, next.err());
    assert.deepEqual(await fs.readdir(exportDir), ['1.0.0']);
  });
});
