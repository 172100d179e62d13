// node bench/parquet.mjs — the Parquet writer against DuckDB's own Parquet writer, same rows, same run (issue #11).
// N generated chat records (BENCH_RECORDS, default 1,000,000; flat strings, as JSON.parse gives) are streamed through the export's Parquet writer
// (src/core/export/formats/parquet.ts: explicit schema, messages as list<struct<role, content>>, Snappy, row
// groups of 10,000; BENCH_CODEC for another codec, DuckDB then using the same) on one thread — the export's one JavaScript thread. The same rows are then loaded into DuckDB
// (untimed) and written with `COPY t TO 'x.parquet' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 10000)`,
// DuckDB given as many threads as the export uses (1). Our time excludes generating the records (a pass over the
// generator alone is timed and subtracted). Target: ours ≤ 2× DuckDB. Peak RSS is read before DuckDB starts.
// Wall and CPU time (process.cpuUsage, all threads) are both printed: on a loaded machine compare the CPU ratio.
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
function record(i) {
  return {
    id: 'r' + String(i).padStart(10, '0'),
    kind: 'chat',
    messages: [
      { role: 'system', content: 'You are a careful technician.' },
      { role: 'user', content: ['Question ', i, ': ', words(i, 12), '?'].join('') },
      { role: 'assistant', content: words(i * 7 + 1, 40 + (i % 60)) },
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
// The generator alone, to subtract its cost from ours.
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
let t = performance.now();
let c = cpuMs();
let _chars = 0;
for await (const r of records()) _chars += r.messages[2].content.length;
const genMs = performance.now() - t;
const genCpuMs = cpuMs() - c;

const ctx = { dir, splits: ['train'], counts: { train: N, validation: 0, test: 0 }, kind: 'chat', lineageColumns: false, compression: 'none', options: { codec: CODEC, rowGroupRows: 10_000 }, records: () => records() };
t = performance.now();
c = cpuMs();
const files = await parquetFormat.write(ctx);
const oursMs = performance.now() - t - genMs;
const oursCpuMs = cpuMs() - c - genCpuMs;
const ours = path.join(dir, files[0].path);
const oursBytes = statSync(ours).size;
const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);

const { DuckDBInstance } = await import('@duckdb/node-api');
const instance = await DuckDBInstance.create(':memory:', { threads: String(THREADS) });
const db = await instance.connect();
await db.run(`CREATE TABLE t AS SELECT * FROM read_parquet('${ours}')`);
const count = Number((await db.runAndReadAll('SELECT count(*) AS n FROM t')).getRowObjectsJson()[0].n);
const duck = path.join(dir, 'duck.parquet');
t = performance.now();
c = cpuMs();
await db.run(`COPY t TO '${duck}' (FORMAT parquet, COMPRESSION ${CODEC}, ROW_GROUP_SIZE 10000)`);
const duckMs = performance.now() - t;
const duckCpuMs = cpuMs() - c;
const duckBytes = statSync(duck).size;
db.closeSync();
instance.closeSync();

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
  target_le_2x: oursMs / duckMs <= 2,
  ours_mb_s: fmt(mb / (oursMs / 1000)),
  ours_mb: fmt(mb),
  duckdb_mb: fmt(duckBytes / 1e6),
  generate_s: fmt(genMs / 1000),
  peak_rss_mb: peakRssMb,
  load: os.loadavg()[0].toFixed(1),
};
console.log(`BENCH parquet ${Object.entries(line).map(([k, v]) => `${k}=${v}`).join(' ')}`);
if (count !== N) process.exitCode = 1;
