// npm run bench:records-view — can the Records view browse 100,000 records? (issue #10, item 7)
// Writes a build of RECORDS (100,000) completion records of ~1 KB through the store, then measures what the
// Records view's host does: index the build (RecordBrowser.open), answer a field filter, read pages of 100 rows
// at random positions (what a scroll asks for), and a full-text search. The reference, measured in the same
// run, is the least any reader must do: stream the split files and JSON.parse every line. Targets: indexing
// ≤ 2× the reference; a page ≤ 20 ms (p95), so a fast scroll never waits; heap held by the index ≤ 40 MB.
// Reads the compiled core in out/ (compiles it first when missing).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { REPO, tmpDir } from './lib.mjs';

if (!existsSync(path.join(REPO, 'out/src/core/records/recordBrowser.js'))) spawnSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: REPO, stdio: 'inherit' });
const require = createRequire(import.meta.url);
const { RecordStore } = require(path.join(REPO, 'out/src/core/records/store.js'));
const { RecordBrowser } = require(path.join(REPO, 'out/src/core/records/recordBrowser.js'));
const { RecordOverlay } = require(path.join(REPO, 'out/src/core/records/overlay.js'));
const { jsonlLines } = require(path.join(REPO, 'out/src/core/records/jsonlLines.js'));

const N = Number(process.env.RECORDS ?? 100_000);
const dir = tmpDir('records-view');
const words = ['pump', 'valve', 'pressure', 'seal', 'impeller', 'bearing', 'motor', 'flow', 'rate', 'casing', 'shaft', 'the', 'of', 'and'];
const text = (i) => Array.from({ length: 160 }, (_, k) => words[(i * 31 + k * 7) % words.length]).join(' ') + ` record ${i}.`;
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const gc = () => globalThis.gc?.();

try {
  const store = new RecordStore(path.join(dir, 'records'));
  const build = await store.startBuild();
  const splits = ['train', 'validation', 'test'];
  const stats = Object.fromEntries(splits.map((s) => [s, { records: 0, tokens: 0, documents: 0, overLength: { truncated: 0, dropped: 0 } }]));
  for (let i = 0; i < N; i++) {
    const split = i % 20 === 0 ? 'test' : i % 20 === 1 ? 'validation' : 'train';
    const id = i.toString(16).padStart(24, '0');
    await build.write(split, { id, kind: 'completion', text: text(i), split, tokens: 170, lineage: { documentId: (i % 1000).toString(16).padStart(64, '0'), sourcePath: `docs/d${i % 1000}.md`, span: { start: i, end: i + 900 }, headingPath: ['A', 'B'], builder: 'chunk', paramsHash: '0123456789abcdef' }, ...(i % 97 === 0 ? { flags: ['truncated'] } : {}) });
    stats[split].records++;
  }
  await store.publish(build, { formatVersion: 1, build: build.id, builtAt: new Date().toISOString(), builder: 'chunk', paramsHash: 'x', settings: {}, documents: 1000, splits: stats, dropped: { duplicates: 0, tooShort: 0 } }, new Set());

  // Reference: stream and parse every line.
  let t0 = process.hrtime.bigint();
  let parsed = 0;
  for (const s of splits) for await (const line of jsonlLines(path.join(store.builds, build.id, `${s}.jsonl`))) parsed += JSON.parse(line.text).id ? 1 : 0;
  const parseMs = ms(t0);

  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  t0 = process.hrtime.bigint();
  const browser = await RecordBrowser.open(store, new RecordOverlay());
  const indexMs = ms(t0);
  gc();
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1048576;

  t0 = process.hrtime.bigint();
  const fieldMatches = await browser.query({ split: 'train', flag: 'truncated' });
  const fieldMs = ms(t0);
  await browser.query({});
  const pageTimes = [];
  for (let k = 0; k < 300; k++) {
    const start = Math.floor(((k * 7919) % 1000) / 1000 * (N - 100));
    t0 = process.hrtime.bigint();
    const rows = await browser.page(start, 100);
    pageTimes.push(ms(t0));
    if (rows.length !== 100) throw new Error(`page at ${start}: ${rows.length} rows`);
  }
  pageTimes.sort((a, b) => a - b);
  const p95 = pageTimes[Math.floor(pageTimes.length * 0.95)];
  t0 = process.hrtime.bigint();
  const textMatches = await browser.query({ text: `record ${N - 1}.` });
  const searchMs = ms(t0);

  console.log(`records ${N} (${parsed} parsed by the reference) · reference stream+parse ${(parseMs / 1000).toFixed(2)} s`);
  console.log(`index ${(indexMs / 1000).toFixed(2)} s (${(indexMs / parseMs).toFixed(2)}× reference) · heap held ${heapMb.toFixed(1)} MB${globalThis.gc ? '' : ' (run with --expose-gc for an exact figure)'}`);
  console.log(`field filter ${fieldMs.toFixed(1)} ms (${fieldMatches} match) · page of 100: median ${pageTimes[150].toFixed(2)} ms, p95 ${p95.toFixed(2)} ms · text search ${(searchMs / 1000).toFixed(2)} s (${(searchMs / parseMs).toFixed(2)}× reference, ${textMatches} match)`);
  console.log(`BENCH records-view records=${N} index_s=${(indexMs / 1000).toFixed(2)} index_vs_parse=${(indexMs / parseMs).toFixed(2)} heap_mb=${heapMb.toFixed(1)} filter_ms=${fieldMs.toFixed(1)} page_p95_ms=${p95.toFixed(2)} search_vs_parse=${(searchMs / parseMs).toFixed(2)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
