// `node bench/export-offthread.mjs` (issue #11, "must not run on the extension host's thread"): how long the
// caller's event loop is blocked while an export runs, in-process (`runExport`, what the CLI does) against in a
// pool process (`exportInPool`, what VS Code does), on the same generated records (BENCH_RECORDS, default 200,000
// completion passages) to JSONL + Parquet (BENCH_FORMATS). The caller's thread is the editor's in VS Code: its
// longest event-loop stall is the longest the editor cannot react. Reports the longest and p99 stall
// (perf_hooks.monitorEventLoopDelay, 10 ms resolution) and wall time of both; `lag_ratio` = pool ÷ in-process
// longest stall (target: ≪ 1, the stall in the pool case bounded by IPC and progress handling), `time_ratio` =
// pool ÷ in-process wall time (the price of the process: start-up and IPC; target ≤ 1.2).
// Needs the TypeScript build in out/ (`npx tsc -p tsconfig.json`).
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { REPO, tmpDir } from './lib.mjs';

const N = Number(process.env.BENCH_RECORDS ?? 200_000);
const FORMATS = (process.env.BENCH_FORMATS ?? 'jsonl,parquet').split(',');
const core = path.join(REPO, 'out', 'src', 'core', 'export', 'index.js');
if (!existsSync(core)) throw new Error('out/ is missing: run "npx tsc -p tsconfig.json" first');
const require = createRequire(import.meta.url);
const { runExport, exportInPool } = require(core);
const { projectPaths } = require(path.join(REPO, 'out', 'src', 'core', 'project', 'paths.js'));

const root = tmpDir('export-offthread');
const records = path.join(root, '.brightrun', 'records');
const build = path.join(records, 'builds', 'bench');
mkdirSync(build, { recursive: true });
const words = 'the of model data training record export lineage page span token passage document Übersicht café 日本 données'.split(' ');
let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const lines = { train: [], validation: [], test: [] };
for (let i = 0; i < N; i++) {
  const split = i % 20 === 0 ? 'test' : i % 20 === 1 ? 'validation' : 'train';
  let text = '';
  for (let w = 40 + Math.floor(rand() * 100); w > 0; w--) text += words[Math.floor(rand() * words.length)] + ' ';
  const doc = String(i % 50).padStart(64, '0');
  lines[split].push(JSON.stringify({ id: `r${i}`, kind: 'completion', split, text, tokens: 60, lineage: { documentId: doc, sourcePath: `docs/d${i % 50}.md`, span: { start: 0, end: text.length }, headingPath: [], builder: 'chunk', paramsHash: '0123456789abcdef' } }));
}
const splits = {};
for (const [s, l] of Object.entries(lines)) {
  writeFileSync(path.join(build, `${s}.jsonl`), l.join('\n') + '\n');
  splits[s] = { records: l.length, tokens: l.length * 60, documents: 50, overLength: { truncated: 0, dropped: 0 } };
}
writeFileSync(path.join(records, 'manifest.json'), JSON.stringify({ formatVersion: 1, build: 'bench', builtAt: '2026-01-01T00:00:00.000Z', builders: { chunk: { paramsHash: '0123456789abcdef', records: N, tokens: 0, documents: 50, dropped: { duplicates: 0, tooShort: 0, overLength: 0 }, problems: 0 } }, settings: {}, documents: 50, splits, dropped: { duplicates: 0, tooShort: 0 }, problems: [], problemsTotal: 0 }));
const project = { paths: projectPaths(root) };

async function measure(label, work) {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const started = performance.now();
  await work();
  const ms = performance.now() - started;
  h.disable();
  const r = { ms, maxLagMs: h.max / 1e6, p99LagMs: h.percentile(99) / 1e6 };
  console.log(`${label}: ${(ms / 1000).toFixed(1)} s, longest event-loop stall ${r.maxLagMs.toFixed(0)} ms, p99 ${r.p99LagMs.toFixed(0)} ms`);
  return r;
}

console.log(`${N.toLocaleString('en')} records → ${FORMATS.join(', ')}`);
const inProcess = await measure('in-process (runExport)', () => runExport(project, { name: 'inproc', formats: FORMATS }));
const pooled = await measure('pool process (exportInPool)', () => exportInPool(project, { name: 'pooled', formats: FORMATS }));
rmSync(root, { recursive: true, force: true });
const f = (x) => x.toFixed(2);
console.log(`BENCH export-offthread records=${N} formats=${FORMATS.join('+')} inproc_s=${f(inProcess.ms / 1000)} pool_s=${f(pooled.ms / 1000)} time_ratio=${f(pooled.ms / inProcess.ms)} inproc_max_lag_ms=${inProcess.maxLagMs.toFixed(0)} pool_max_lag_ms=${pooled.maxLagMs.toFixed(0)} inproc_p99_lag_ms=${inProcess.p99LagMs.toFixed(0)} pool_p99_lag_ms=${pooled.p99LagMs.toFixed(0)} lag_ratio=${f(pooled.maxLagMs / inProcess.maxLagMs)}`);
