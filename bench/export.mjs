// `npm run bench:export` (issue #11): export speed and memory on generated records.
// Generates BENCH_RECORDS (default 1,000,000) completion and chat records into a project's records build, then runs
// `brightrun export --formats <f>` once per format (JSONL, TFRecord, and Parquet when its writer is in the build) under
// GNU time: MB/s of the format's files, peak RSS (target < 512 MB). Each run includes the lineage pass and the
// verification re-read, so MB/s is the end-to-end figure a user sees. Reference in the same run: a minimal Node
// loop that reads the same records and writes JSONL lines (parse, stringify, write; no lineage, no verify, no
// fsync): `ratio` = our time ÷ that loop's time.
// Parquet against DuckDB: bench/parquet.mjs (also `npm run bench:parquet`) runs in the same run on
// BENCH_PARQUET_RECORDS (default min(N, 200,000)) chat records — our writer and DuckDB's `COPY … TO 'x.parquet'`
// on the same rows, one thread each, the median of BENCH_RUNS (default 3) runs — and its ratios join this BENCH
// line (target ≤ 2× CPU).
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CLI, ensureBuilt, run, tmpDir } from './lib.mjs';

const N = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const FORMATS = (process.env.BENCH_FORMATS ?? 'jsonl,tfrecord,parquet').split(',');
const GNU_TIME = '/usr/bin/time';

if (!process.env.BENCH_NO_BUILD) ensureBuilt();
const root = tmpDir('export');
await run(process.execPath, [CLI, 'init', root, '--name', 'bench']);

// Records: 1 in 10 a chat record, the rest completion passages of 300–900 characters with some non-ASCII.
const words = 'the of model data training record export lineage page span token passage document Übersicht café 日本 données'.split(' ');
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const build = path.join(root, '.brightrun', 'records', 'builds', 'bench');
mkdirSync(build, { recursive: true });
const splits = { train: 0, validation: 0, test: 0 };
const streams = Object.fromEntries(Object.keys(splits).map((s) => [s, createWriteStream(path.join(build, `${s}.jsonl`))]));
console.log(`generating ${N.toLocaleString('en')} records…`);
for (let i = 0; i < N; i++) {
  const split = i % 20 === 0 ? 'test' : i % 20 === 1 ? 'validation' : 'train';
  splits[split]++;
  const len = 40 + Math.floor(rand() * 100);
  let text = '';
  for (let w = 0; w < len; w++) text += words[Math.floor(rand() * words.length)] + ' ';
  const id = i.toString(16).padStart(24, '0');
  const lineage = { documentId: (i % 5000).toString(16).padStart(64, '0'), sourcePath: `docs/doc-${i % 5000}.pdf`, page: 1 + (i % 40), span: { start: i, end: i + text.length }, headingPath: [], builder: 'chunk', paramsHash: '0123456789abcdef' };
  const record = i % 10 === 9
    ? { id, kind: 'chat', split, tokens: len, lineage, messages: [{ role: 'user', content: text.slice(0, 60) }, { role: 'assistant', content: text }] }
    : { id, kind: 'completion', split, tokens: len, lineage, text };
  if (!streams[split].write(JSON.stringify(record) + '\n')) await new Promise((r) => streams[split].once('drain', r));
}
await Promise.all(Object.values(streams).map((s) => new Promise((r) => s.end(r))));
const stat = (n) => ({ records: n, tokens: 0, documents: 0, overLength: { truncated: 0, dropped: 0 } });
writeFileSync(path.join(root, '.brightrun', 'records', 'manifest.json'), JSON.stringify({ formatVersion: 1, build: 'bench', builtAt: '2026-01-01T00:00:00.000Z', builder: 'chunk', paramsHash: '0123456789abcdef', settings: { chunk: { tokenizer: 'qwen3' } }, documents: 5000, splits: { train: stat(splits.train), validation: stat(splits.validation), test: stat(splits.test) }, dropped: { duplicates: 0, tooShort: 0 } }));
const inputMb = Object.keys(splits).reduce((s, x) => s + statSync(path.join(build, `${x}.jsonl`)).size, 0) / 1e6;
console.log(`records build: ${inputMb.toFixed(0)} MB`);

// Reference: read, parse, stringify the natural row, write (no lineage pass, no verification, no fsync).
const refOut = path.join(tmpDir('export-ref'), 'ref.jsonl');
const refStart = process.hrtime.bigint();
{
  const out = createWriteStream(refOut);
  for (const s of Object.keys(splits)) {
    const lines = readline.createInterface({ input: createReadStream(path.join(build, `${s}.jsonl`)), crlfDelay: Infinity });
    for await (const line of lines) {
      const r = JSON.parse(line);
      const row = r.kind === 'chat' ? { id: r.id, messages: r.messages } : { id: r.id, text: r.text };
      if (!out.write(JSON.stringify(row) + '\n')) await new Promise((res) => out.once('drain', res));
    }
  }
  await new Promise((r) => out.end(r));
}
const refS = Number(process.hrtime.bigint() - refStart) / 1e9;
const refMb = statSync(refOut).size / 1e6;
console.log(`reference (Node read → stringify → write JSONL): ${refS.toFixed(1)} s, ${(refMb / refS).toFixed(0)} MB/s`);

const line = { records: N, input_mb: Math.round(inputMb), ref_jsonl_s: refS.toFixed(1) };
let worstRss = 0;
for (const format of FORMATS) {
  const name = `b-${format}`;
  const args = [CLI, 'export', '--name', name, '--formats', format, '-C', root];
  const rssFile = path.join(tmpDir('export-rss'), 'rss');
  const r = existsSync(GNU_TIME) ? await run(GNU_TIME, ['-f', '%M', '-o', rssFile, process.execPath, ...args]) : await run(process.execPath, args);
  if (r.code !== 0) {
    if (/NOT_IMPLEMENTED/.test(r.stderr)) {
      console.log(`${format}: no writer in this build (hook: it is measured here once its writer is registered)`);
      continue;
    }
    console.error(r.stderr);
    process.exit(1);
  }
  const versionDir = path.join(root, 'exports', name, '1.0.0');
  const manifest = JSON.parse(readFileSync(path.join(versionDir, 'manifest.json'), 'utf8'));
  const mb = manifest.files.filter((f) => f.format === format).reduce((t, f) => t + f.bytes, 0) / 1e6;
  const s = r.ms / 1000;
  const rssMb = existsSync(rssFile) ? Math.round(Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024) : NaN;
  worstRss = Math.max(worstRss, rssMb || 0);
  console.log(`${format.padEnd(9)} ${s.toFixed(1).padStart(6)} s  ${mb.toFixed(0).padStart(6)} MB  ${(mb / s).toFixed(1).padStart(6)} MB/s  ${Math.round(N / s).toLocaleString('en').padStart(9)} records/s  peak RSS ${rssMb} MB  (${(s / refS).toFixed(2)}× the reference loop)`);
  line[`${format}_mb_s`] = (mb / s).toFixed(1);
  line[`${format}_s`] = s.toFixed(1);
  line[`${format}_ratio`] = (s / refS).toFixed(2);
  line[`${format}_rss_mb`] = rssMb;
}
const pq = spawnSync(process.execPath, [path.join(path.dirname(fileURLToPath(import.meta.url)), 'parquet.mjs')], { env: { ...process.env, BENCH_RECORDS: String(Number(process.env.BENCH_PARQUET_RECORDS ?? Math.min(N, 200_000))) }, encoding: 'utf8', maxBuffer: 16 << 20 });
const pqLine = /^BENCH parquet (.*)$/m.exec(pq.stdout ?? '')?.[1];
if (pqLine) {
  const v = Object.fromEntries(pqLine.split(' ').map((kv) => kv.split('=')));
  console.log(`parquet vs DuckDB COPY (${v.records} records, ${v.threads} thread each, median of ${v.runs}): ${v.ratio_vs_duckdb}× wall, ${v.cpu_ratio_vs_duckdb}× CPU (runs ${v.cpu_ratio_min}–${v.cpu_ratio_max}; target ≤ 2)`);
  line.parquet_vs_duckdb_records = v.records;
  line.parquet_vs_duckdb_ratio = v.ratio_vs_duckdb;
  line.parquet_vs_duckdb_cpu_ratio = v.cpu_ratio_vs_duckdb;
  line.parquet_vs_duckdb_cpu_ratio_min = v.cpu_ratio_min;
  line.parquet_vs_duckdb_cpu_ratio_max = v.cpu_ratio_max;
} else {
  console.log(`parquet vs DuckDB: bench/parquet.mjs gave no BENCH line (exit ${pq.status}): ${(pq.stderr ?? '').slice(-400)}`);
}
line.peak_rss_mb = worstRss;
line.rss_ok = worstRss < 512 ? 1 : 0;
console.log(`BENCH export ${Object.entries(line).map(([k, v]) => `${k}=${v}`).join(' ')}`);

