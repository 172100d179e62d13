// Shared helpers for the benchmarks: paths, running commands with timing and peak RSS, the corpus manifest.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CORPUS = process.env.BRIGHTRUN_CORPUS ?? path.resolve(REPO, '..', 'shared', 'corpus');
export const CLI = path.join(REPO, 'dist', 'cli.js');
const RSS_HOOK = path.join(REPO, 'bench', 'rss-hook.cjs');

export function ensureBuilt() {
  spawnSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: REPO, stdio: 'inherit' });
}

export function tmpDir(prefix) {
  return mkdtempSync(path.join(os.tmpdir(), `brightrun-bench-${prefix}-`));
}

export function have(tool) {
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
}

/** Runs a command; resolves with {code, ms, stdout, stderr}. */
export function run(cmd, args, options = {}) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, ms: Number(process.hrtime.bigint() - started) / 1e6, stdout, stderr }));
  });
}

const GNU_TIME = '/usr/bin/time';

/**
 * Runs the Bright Run CLI and reports its peak resident memory in MB: the largest of the CLI's process and its
 * extraction processes (GNU time's %M, the kernel's maximum over a process and the children it waited for), or,
 * without GNU time (`apt-get install time`), the CLI's own process only — then `peakRssScope` says so.
 */
export async function runCli(args, options = {}) {
  const rssFile = path.join(tmpDir('rss'), 'rss');
  const env = { ...process.env, ...(options.env ?? {}), BRIGHTRUN_RSS_FILE: rssFile };
  if (existsSync(GNU_TIME)) {
    const r = await run(GNU_TIME, ['-f', '%M', '-o', rssFile, process.execPath, CLI, ...args], { ...options, env });
    const kb = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : NaN;
    return { ...r, peakRssMb: Math.round(kb / 1024), peakRssScope: 'largest process' };
  }
  const r = await run(process.execPath, ['--require', RSS_HOOK, CLI, ...args], { ...options, env });
  const kb = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) : NaN;
  return { ...r, peakRssMb: Math.round(kb / 1024), peakRssScope: 'CLI process only' };
}

export function manifest() {
  const lines = readFileSync(path.join(CORPUS, "MANIFEST.tsv"), "utf8").trim().split(/\r?\n/);
  const header = lines.shift().split('\t');
  return lines.map((l) => Object.fromEntries(l.split('\t').map((v, i) => [header[i], v])));
}

/** The PDF password a manifest note gives ("user password "foo"" or "user password 1234"). */
export function passwordFromNotes(notes = '') {
  const m = /user password "*([^",\s]+)/.exec(notes);
  return m ? m[1] : undefined;
}

export function writeText(file, text) {
  writeFileSync(file, text);
}

export const fmt = (x, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
