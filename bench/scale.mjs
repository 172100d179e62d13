// npm run bench:scale — does the cost of a project grow linearly with its size? (issue #13)
// For generated projects of 1,000 and 10,000 small Markdown documents (2.3 KB each; 100,000 too with
// SCALE_FULL=1; SCALE_SIZES=2000,10000 to choose), and a mixed set of 10,000 files — 60 % Markdown, 20 %
// two-page text PDFs, 20 % DOCX (SCALE_MIXED=0 leaves it out, SCALE_MIXED=n sizes it): `brightrun add`,
// `extract`, `add` again with nothing changed, and `status`. Prints wall seconds, CPU seconds (user + system,
// extraction processes included), files/s and peak RSS per size, and the growth factor between sizes of the
// Markdown sets (target: ≤ 1.3× the size ratio; peak RSS should grow far less than the size).
// Wall and CPU come from GNU time (/usr/bin/time) when present; the machine's load is printed with them,
// since a shared VM's absolute figures vary: compare ratios.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { smallDocx, smallPdf } from './generate.mjs';
import { CLI, ensureBuilt, fmt, tmpDir } from './lib.mjs';

if (!process.env.BENCH_NO_BUILD) ensureBuilt();
const sizes = process.env.SCALE_SIZES ? process.env.SCALE_SIZES.split(',').map(Number) : [1000, 10000, ...(process.env.SCALE_FULL ? [100000] : [])];
const mixed = process.env.SCALE_MIXED === undefined ? 10000 : Number(process.env.SCALE_MIXED);
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** A 2.3 KB Markdown document, different for each i (so each has its own content hash). */
function markdown(i) {
  const para = `Section ${i} of the generated handbook explains how the team handles request ${i * 7919 % 100003}: who reviews it, which checks run, and where the results are kept for audit. `;
  let text = `# Document ${i}\n\n`;
  while (text.length < 2300) text += para + '\n\n';
  return text.slice(0, 2300) + '\n';
}

/** `count` files in folders of 500; `mix`: every fifth a PDF and every fifth (offset) a DOCX, the rest Markdown. */
function generate(dir, count, mix = false) {
  for (let i = 0; i < count; i++) {
    const sub = path.join(dir, `d${String(Math.floor(i / 500)).padStart(3, '0')}`);
    if (i % 500 === 0) mkdirSync(sub, { recursive: true });
    const name = path.join(sub, `doc-${String(i).padStart(6, '0')}`);
    if (mix && i % 5 === 1) writeFileSync(`${name}.pdf`, smallPdf(i));
    else if (mix && i % 5 === 3) writeFileSync(`${name}.docx`, smallDocx(i));
    else writeFileSync(`${name}.md`, markdown(i));
  }
}

/** Runs the CLI under GNU time: {ms, cpuS, rssMb, code}. */
function cli(args, cwd) {
  return new Promise((resolve) => {
    const statsFile = path.join(tmpDir('time'), 'stats');
    const cmd = GNU_TIME ? GNU_TIME : process.execPath;
    const argv = GNU_TIME ? ['-o', statsFile, '-f', '%e %U %S %M', process.execPath, CLI, ...args] : [CLI, ...args];
    const started = process.hrtime.bigint();
    const child = spawn(cmd, argv, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
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
      if (code !== 0) console.log(`  ${args.join(' ')} exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
      resolve({ ms, cpuS, rssMb, code });
    });
  });
}

const steps = ['add', 'extract', 'readd', 'status'];
const results = {};
console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.availableParallelism?.() ?? os.cpus().length} cores`);
const sets = [...sizes.map((n) => ({ key: String(n), n, mix: false })), ...(mixed > 0 ? [{ key: `mixed_${mixed}`, n: mixed, mix: true }] : [])];
for (const { key, n, mix } of sets) {
  const root = tmpDir(`scale-${key}`);
  generate(path.join(root, 'docs'), n, mix);
  await cli(['init', '--name', `scale-${n}`], root);
  const r = {};
  r.add = await cli(['add', 'docs'], root);
  r.extract = await cli(['extract'], root);
  r.readd = await cli(['add', 'docs'], root);
  r.status = await cli(['status'], root);
  results[key] = r;
  for (const s of steps) {
    const x = r[s];
    console.log(`${key.padStart(12)} ${s.padEnd(8)} ${fmt(x.ms / 1000, 2).padStart(7)} s wall  ${fmt(x.cpuS, 2).padStart(7)} s CPU  ${fmt(n / (x.ms / 1000), 0).padStart(7)} files/s  peak RSS ${x.rssMb} MB`);
  }
}
const line = {};
for (const { key, n } of sets) {
  for (const s of steps) {
    line[`${s}_${key}_s`] = fmt(results[key][s].ms / 1000, 2);
    line[`${s}_${key}_cpu_s`] = fmt(results[key][s].cpuS, 2);
    line[`${s}_${key}_rss_mb`] = results[key][s].rssMb;
  }
  line[`extract_${key}_files_per_s`] = fmt(n / (results[key].extract.ms / 1000), 0);
  line[`extract_${key}_cpu_ms_per_file`] = fmt((results[key].extract.cpuS * 1000) / n, 2);
}
for (let i = 1; i < sizes.length; i++) {
  const [a, b] = [sizes[i - 1], sizes[i]];
  console.log(`growth ${a} → ${b} (${b / a}× the files):`);
  for (const s of steps) {
    const wall = results[b][s].ms / results[a][s].ms;
    const cpu = results[b][s].cpuS / results[a][s].cpuS;
    const rss = results[b][s].rssMb / results[a][s].rssMb;
    console.log(`  ${s.padEnd(8)} wall ${fmt(wall, 1)}×  CPU ${fmt(cpu, 1)}×  peak RSS ${fmt(rss, 1)}×`);
    line[`${s}_growth_${a}_${b}`] = fmt(wall, 2);
    line[`${s}_cpu_growth_${a}_${b}`] = fmt(cpu, 2);
    line[`${s}_rss_growth_${a}_${b}`] = fmt(rss, 2);
  }
}
// The mixed set against the Markdown set of the same size, when both ran: what PDFs and DOCX cost on top.
if (mixed > 0 && results[String(mixed)]) {
  const cpu = results[`mixed_${mixed}`].extract.cpuS / results[String(mixed)].extract.cpuS;
  console.log(`mixed ${mixed} vs Markdown ${mixed}: extract CPU ${fmt(cpu, 1)}×`);
  line[`extract_mixed_cpu_ratio_vs_md_${mixed}`] = fmt(cpu, 2);
}
line.load = fmt(os.loadavg()[0], 1);
console.log(`BENCH scale ${Object.entries(line).map(([k, v]) => `${k}=${v}`).join(' ')}`);
