// node bench/parquet.mjs — the Parquet writer against DuckDB's own Parquet writer, same rows, same run (issue #11).
// N generated chat records (BENCH_RECORDS, default 1,000,000; flat strings, as JSON.parse gives) are streamed through the export's Parquet writer
// (src/core/export/formats/parquet.ts: explicit schema, messages as list<struct<role, content>>, Snappy, row
// groups of 10,000; BENCH_CODEC for another codec, DuckDB then using the same) on one thread — the export's one JavaScript thread. The same rows are then loaded into DuckDB
// (untimed) and written with `COPY t TO 'x.parquet' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 10000)`,
// DuckDB given as many threads as the export uses (1). Our time excludes generating the records (a pass over the
// generator alone is timed and subtracted). Target: ours ≤ 2× DuckDB. Peak RSS is read before DuckDB starts.
// Wall and CPU time (process.cpuUsage, all threads) are both printed: on a loaded machine compare the CPU ratio.
// Each side runs BENCH_RUNS times (default 3, alternating); the line gives the median of each (and the min and max
// CPU ratio of the runs, paired in order): on the shared dev VM single runs vary by ±40 %.
// Needs the TypeScript build in out/ (run `npx tsc -p tsconfig.json` first, or this does it unless BENCH_NO_BUILD).
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { REPO, fmt, tmpDir } from './lib.mjs';

const N = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const THREADS = 1;
// BENCH_CODEC (default snappy): the export's codec; DuckDB writes with the same one.
const CODEC = process.env.BENCH_CODEC ?? 'snappy';
if (!process.env.BENCH_NO_BUILD || !existsSync(path.join(REPO, 'out/src/core/export/formats/parquet.js'))) {
  spawnSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', path.join(REPO, 'tsconfig.json')], { stdio: 'inherit' });
}
const require = createRequire(import.meta.url);
const { parquetFormat } = require(path.join(REPO, 'out/src/core/export/formats/parquet.js'));

const WORDS = ['pump', 'valve', 'pressure', 'seal', 'Überdruck', 'naïve', '圧力', 'café', 'bearing', 'flow', 'the', 'of', 'and', 'check'];
// Flat strings (Array.join), as JSON.parse gives the export when it reads records.jsonl: a `+=`-built rope would
// make the writer pay V8's rope flattening, which the real export never sees.
function words(seed, n) {
  let s = seed;
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = WORDS[s % WORDS.length];
  }
  return out.join(' ');
}
// Texts come from a pool of POOL distinct values, generated once (untimed) and cycled, so that generating a record
// costs little next to writing it (its cost is still timed and subtracted, but a large subtraction is a large noise):
// POOL exceeds the row group (10,000 rows), so no row group holds a text twice and neither writer can dictionary-
// encode `content`; Snappy's window (64 KiB fragments, ≈ 120 records) never sees a repeat either.
const POOL = 20_011;
const assistantPool = Array.from({ length: POOL }, (_, i) => words(i * 7 + 1, 40 + (i % 60)));
const userPool = Array.from({ length: POOL }, (_, i) => words(i, 12));
function record(i) {
  const p = i % POOL;
  return {
    id: 'r' + String(i).padStart(10, '0'),
    kind: 'chat',
    messages: [
      { role: 'system', content: 'You are a careful technician.' },
      { role: 'user', content: ['Question ', i, ': ', userPool[p], '?'].join('') },
      { role: 'assistant', content: assistantPool[p] },
    ],
    lineage: { documentId: 'd', sourcePath: 'docs/a.pdf', span: { start: 0, end: 1 }, headingPath: [], builder: 'chat', paramsHash: '0' },
  };
}
async function* records() {
  for (let i = 0; i < N; i++) yield record(i);
}

const dir = tmpDir('parquet');
// Warm-up (untimed): loads the ES modules once, as a long-running extension host or CLI has them.
await parquetFormat.write({ dir: path.join(dir, 'warm'), splits: ['train'], counts: { train: 1000, validation: 0, test: 0 }, kind: 'chat', lineageColumns: false, compression: 'none', options: {}, async *records() { for (let i = 0; i < 1000; i++) yield record(i); } });
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// The generator alone, to subtract its cost from ours (median of RUNS passes).
const gen = [];
for (let r = 0; r < RUNS; r++) {
  const t = performance.now();
  const c = cpuMs();
  let _chars = 0;
  for await (const rec of records()) _chars += rec.messages[2].content.length;
  gen.push({ ms: performance.now() - t, cpu: cpuMs() - c });
}
const genMs = median(gen.map((g) => g.ms));
const genCpuMs = median(gen.map((g) => g.cpu));

const { DuckDBInstance } = await import('@duckdb/node-api');
const ours = [];
const duck = [];
let oursBytes = 0;
let duckBytes = 0;
let count = 0;
let peakRssMb = 0;
for (let r = 0; r < RUNS; r++) {
  const runDir = path.join(dir, `run${r}`);
  const ctx = { dir: runDir, splits: ['train'], counts: { train: N, validation: 0, test: 0 }, kind: 'chat', lineageColumns: false, compression: 'none', options: { codec: CODEC, rowGroupRows: 10_000 }, records: () => records() };
  let t = performance.now();
  let c = cpuMs();
  const files = await parquetFormat.write(ctx);
  ours.push({ ms: performance.now() - t - genMs, cpu: cpuMs() - c - genCpuMs });
  const file = path.join(runDir, files[0].path);
  oursBytes = statSync(file).size;
  // Peak RSS before DuckDB first starts (DuckDB's own memory is not the export's).
  if (r === 0) peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);

  const instance = await DuckDBInstance.create(':memory:', { threads: String(THREADS) });
  const db = await instance.connect();
  await db.run(`CREATE TABLE t AS SELECT * FROM read_parquet('${file}')`);
  count = Number((await db.runAndReadAll('SELECT count(*) AS n FROM t')).getRowObjectsJson()[0].n);
  const out = path.join(runDir, 'duck.parquet');
  t = performance.now();
  c = cpuMs();
  await db.run(`COPY t TO '${out}' (FORMAT parquet, COMPRESSION ${CODEC}, ROW_GROUP_SIZE 10000)`);
  duck.push({ ms: performance.now() - t, cpu: cpuMs() - c });
  duckBytes = statSync(out).size;
  db.closeSync();
  instance.closeSync();
}
const oursMs = median(ours.map((o) => o.ms));
const oursCpuMs = median(ours.map((o) => o.cpu));
const duckMs = median(duck.map((d) => d.ms));
const duckCpuMs = median(duck.map((d) => d.cpu));
const cpuRatios = ours.map((o, i) => o.cpu / duck[i].cpu);

const mb = oursBytes / 1e6;
const line = {
  records: N,
  codec: CODEC,
  rows_read_back: count,
  threads: THREADS,
  ours_s: fmt(oursMs / 1000),
  duckdb_s: fmt(duckMs / 1000),
  ratio_vs_duckdb: fmt(oursMs / duckMs),
  ours_cpu_s: fmt(oursCpuMs / 1000),
  duckdb_cpu_s: fmt(duckCpuMs / 1000),
  cpu_ratio_vs_duckdb: fmt(oursCpuMs / duckCpuMs),
  cpu_ratio_min: fmt(Math.min(...cpuRatios)),
  cpu_ratio_max: fmt(Math.max(...cpuRatios)),
  runs: RUNS,
  target_le_2x: oursCpuMs / duckCpuMs <= 2,
  ours_mb_s: fmt(mb / (oursMs / 1000)),
  ours_mb: fmt(mb),
  duckdb_mb: fmt(duckBytes / 1e6),
  generate_s: fmt(genMs / 1000),
  peak_rss_mb: peakRssMb,
  load: os.loadavg()[0].toFixed(1),
};
console.log(`BENCH parquet ${Object.entries(line).map(([k, v]) => `${k}=${v}`).join(' ')}`);
if (count !== N) process.exitCode = 1;
