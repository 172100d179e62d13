// `npm test`: every check and suite, then one summary line "N passed, N failed".
//   lint (layering rule included) · type-check · build · unit tests under c8 (src/core lines ≥ 90%) · tests inside real VS Code
// The unit and VS Code suites build their own inputs; nothing outside the repository is read.
// Options: --only unit|vscode   run one suite (still builds first).
//          --only corpus        `npm run test:corpus`: compile, build, then the tests over the public extraction corpus
//                               (../shared/corpus beside the repository, or BRIGHTRUN_CORPUS). Without the corpus it
//                               says so in one line and passes, unless BRIGHTRUN_REQUIRE_CORPUS=1 (CI), when it fails.
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const bin = (name) => path.join(repo, 'node_modules', '.bin', name);
const CORE_LINE_COVERAGE = 90;

/** Runs a command, echoing its output; resolves with exit code and captured output. */
function run(cmd, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let output = '';
    child.stdout.on('data', (d) => { output += d; process.stdout.write(d); });
    child.stderr.on('data', (d) => { output += d; process.stderr.write(d); });
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

const rows = [];
let passed = 0;
let failed = 0;
function record(name, p, f, note = '') {
  passed += p;
  failed += f;
  rows.push({ name, p, f, note });
}
async function step(name, cmd, args) {
  console.log(`\n── ${name} ──`);
  const { code } = await run(cmd, args);
  record(name, code === 0 ? 1 : 0, code === 0 ? 0 : 1);
  return code === 0;
}

const started = Date.now();
const corpusDir = process.env.BRIGHTRUN_CORPUS ? path.resolve(process.env.BRIGHTRUN_CORPUS) : path.resolve(repo, '..', 'shared', 'corpus');
const corpusRequired = process.env.BRIGHTRUN_REQUIRE_CORPUS === '1';
if (only === 'corpus' && !existsSync(path.join(corpusDir, 'MANIFEST.tsv'))) {
  // One line, and a pass, unless the corpus is required.
  console.log(`corpus suite: no corpus at ${corpusDir} (set BRIGHTRUN_CORPUS)${corpusRequired ? ' — required (BRIGHTRUN_REQUIRE_CORPUS=1): failed' : ' — skipped'}`);
  console.log(corpusRequired ? '0 passed, 1 failed' : '0 passed, 0 failed');
  process.exit(corpusRequired ? 1 : 0);
}
rmSync(path.join(repo, 'out'), { recursive: true, force: true });
if (only !== 'corpus') {
  await step('lint (eslint; src/core never imports vscode)', bin('eslint'), ['.']);
  await step('type-check webview', bin('tsc'), ['-p', 'webview/tsconfig.json']);
}
const compiled = await step('compile (tsc → out/)', bin('tsc'), ['-p', 'tsconfig.json']);
const built = await step('build (esbuild → dist/)', process.execPath, ['esbuild.mjs']);

if (!only || only === 'unit') {
  // The export tests read our files with Python readers (datasets, PyYAML, protobuf): installed once if missing.
  await step('python readers for the export tests (test/support/setup-python.sh)', 'bash', ['test/support/setup-python.sh']);
  console.log('\n── unit tests (mocha, c8 over src/core) ──');
  if (!compiled || !built) {
    record('unit tests', 0, 1, 'not run: compile or build failed');
  } else {
    const { code, output } = await run(bin('c8'), [
      '--all', '--src', 'out/src/core', '--include', 'out/src/core/**', '--include', 'src/core/**', '--exclude-after-remap',
      '--reporter', 'text-summary', '--reporter', 'html', '--report-dir', 'coverage',
      '--check-coverage', '--lines', String(CORE_LINE_COVERAGE),
      bin('mocha'), '--forbid-only', '--forbid-pending', '--timeout', '20000', 'out/test/unit/**/*.test.js',
    ]);
    const p = Number(/(\d+) passing/.exec(output)?.[1] ?? 0);
    const f = Number(/(\d+) failing/.exec(output)?.[1] ?? 0);
    const lines = /Lines\s*:\s*([\d.]+)%/.exec(output)?.[1];
    record('unit tests', p, f);
    const coverageOk = lines !== undefined && Number(lines) >= CORE_LINE_COVERAGE;
    record(`src/core line coverage ≥ ${CORE_LINE_COVERAGE}%`, coverageOk ? 1 : 0, coverageOk ? 0 : 1, `${lines ?? '?'}%`);
    if (code !== 0 && f === 0 && coverageOk) record('unit test runner', 0, 1, `exit code ${code}`);
  }
}

if (only === 'corpus') {
  console.log(`\n── corpus tests (mocha over ${corpusDir}) ──`);
  if (!compiled || !built) {
    record('corpus tests', 0, 1, 'not run: compile or build failed');
  } else {
    const { code, output } = await run(bin('mocha'), ['--forbid-only', '--forbid-pending', '--timeout', '20000', 'out/test/corpus/**/*.test.js'], { env: { ...process.env, BRIGHTRUN_CORPUS: corpusDir } });
    const p = Number(/(\d+) passing/.exec(output)?.[1] ?? 0);
    const f = Number(/(\d+) failing/.exec(output)?.[1] ?? 0);
    record('corpus tests', p, f + (code !== 0 && f === 0 ? 1 : 0));
  }
}

if (!only || only === 'vscode') {
  console.log('\n── tests inside VS Code (code-server + headless Chromium) ──');
  if (!compiled || !built) {
    record('VS Code tests', 0, 1, 'not run: compile or build failed');
  } else {
    const { code, output } = await run(process.execPath, ['test/vscode/run.mjs']);
    const m = /VSCODE passed=(\d+) failed=(\d+)/.exec(output);
    if (m) record('VS Code tests', Number(m[1]), Number(m[2]) + (code !== 0 && Number(m[2]) === 0 ? 1 : 0));
    else record('VS Code tests', 0, 1, `harness failed (exit ${code})`);
  }
}

console.log('\n── summary ──');
for (const r of rows) console.log(`${r.f ? '✘' : '✔'} ${r.name}: ${r.p} passed, ${r.f} failed${r.note ? ` (${r.note})` : ''}`);
console.log(`took ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
