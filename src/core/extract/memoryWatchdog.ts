// The memory budget of an extraction process, enforced from inside it, and its tie to the pool. Over the budget,
// the process writes which budget it hit to stderr for the pool (LIMIT_MARKER) and stops itself at once; the pool
// fails that one file with RESOURCE_LIMIT and starts a fresh process for the next.
//
// The watchdog is a *thread*, started before anything else in the process (workerBoot.ts; before batch V8 flags
// are set, which would double its start-up cost: ~30 ms of CPU on another core instead of ~65): a parser may hold
// the main thread in a synchronous loop (a 40 MB CSV parses in one call; a damaged file can loop), and only
// another thread can still act then. Every INTERVAL_MS it reads the resident set (process.memoryUsage.rss():
// JavaScript, WebAssembly and native memory together) and checks that the pool is still there: a process whose
// parent has gone (the CLI killed with -9, the editor crashed) stops itself instead of spinning on as an orphan —
// the IPC 'disconnect' event cannot be delivered while the main thread is busy.
//
// Portability: rss() is the resident set on Linux, macOS and Windows alike, but memory that macOS compresses or
// Windows trims from the working set is not resident, so a file can commit somewhat more than its budget there
// before it is stopped (decompression bombs of zeros compress well); the JavaScript heap is bounded separately
// by V8's heap limit. The main thread samples too (cheap), so a budget lowered by a task takes effect at once.
import { writeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { LIMIT_MARKER, type HostOptions } from './workerProtocol';

/** Sampling interval, in ms. Touching 1 GB of fresh pages takes ~300 ms, so a file is stopped within ~100 MB of its budget. */
const INTERVAL_MS = 25;

const WATCHDOG_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const peak = new Int32Array(workerData.peak);
const parent = workerData.parent;
let limit = workerData.limit;
let ticks = 0;
parentPort.on('message', (bytes) => { limit = bytes; });
function parentGone() {
  if (!parent) return false;
  if (process.ppid !== parent) return true; // POSIX: an orphan is adopted by init or a subreaper
  try { process.kill(parent, 0); return false; } catch (e) { return e.code === 'ESRCH'; } // Windows keeps the ppid
}
setInterval(() => {
  const rss = process.memoryUsage.rss();
  const mb = Math.round(rss / 1048576);
  if (mb > Atomics.load(peak, 0)) Atomics.store(peak, 0, mb);
  if (limit > 0 && rss > limit) {
    try {
      writeSync(2, '\\n' + ${JSON.stringify(LIMIT_MARKER)} + JSON.stringify({ budget: 'memory', usedMb: mb, limitMb: Math.round(limit / 1048576) }) + '\\n');
    } finally {
      process.kill(process.pid, 'SIGKILL');
    }
  }
  if (++ticks % 20 === 0 && parentGone()) process.kill(process.pid, 'SIGKILL');
}, ${INTERVAL_MS});
`;

export interface MemoryWatchdog {
  /** Changes the budget (a task's `maxMemoryMB`). */
  setLimitMb(mb: number): void;
  /** Peak resident set of the process so far, in MB (as sampled). */
  peakMb(): number;
}

/**
 * Starts the watchdog thread and the main-thread sampler; neither keeps the process alive. `limitMb` 0 or
 * undefined: measure only. `parentPid`: the pool's process, watched so that an orphan stops itself.
 */
export function startMemoryWatchdog(limitMb: number | undefined, parentPid: number | undefined = process.ppid): MemoryWatchdog {
  const peak = new Int32Array(new SharedArrayBuffer(4));
  let limit = (limitMb ?? 0) * 1048576;
  const thread = new Worker(WATCHDOG_SOURCE, { eval: true, workerData: { limit, peak: peak.buffer, parent: parentPid ?? 0 } });
  thread.unref();
  // The watchdog failing must not take the process down with it (an uncaught 'error' would): the main-thread
  // sampler goes on, and the pool's time budget still applies.
  thread.on('error', (err) => void writeSync(2, `memory watchdog thread failed: ${String(err)}\n`));
  setInterval(() => {
    const rss = process.memoryUsage.rss();
    const mb = Math.round(rss / 1048576);
    if (mb > Atomics.load(peak, 0)) Atomics.store(peak, 0, mb);
    if (limit > 0 && rss > limit) stopForMemory(mb, limit);
  }, INTERVAL_MS).unref();
  return {
    setLimitMb(mb) {
      // Each task sets its budget; the thread hears only of a change (a message per small file cost ~5 % of its CPU).
      if (mb * 1048576 === limit) return;
      limit = mb * 1048576;
      thread.postMessage(limit);
    },
    peakMb: () => Atomics.load(peak, 0),
  };
}

function stopForMemory(usedMb: number, limitBytes: number): never {
  try {
    writeSync(2, `\n${LIMIT_MARKER}${JSON.stringify({ budget: 'memory', usedMb, limitMb: Math.round(limitBytes / 1048576) })}\n`);
  } finally {
    process.kill(process.pid, 'SIGKILL');
  }
  throw new Error('unreachable: the process was stopped');
}

/** The options the pool gave this process (its one command-line argument, JSON). */
export function hostOptions(argv: readonly string[] = process.argv): HostOptions {
  try {
    return JSON.parse(argv[2] ?? '{}') as HostOptions;
  } catch {
    return {};
  }
}

/** The budget a process reported on stderr before it stopped itself, if any. */
export function parseLimitMarker(stderr: string): { budget: 'memory'; usedMb: number; limitMb: number } | undefined {
  const at = stderr.lastIndexOf(LIMIT_MARKER);
  if (at < 0) return undefined;
  const line = stderr.slice(at + LIMIT_MARKER.length).split('\n', 1)[0]!;
  try {
    return JSON.parse(line) as { budget: 'memory'; usedMb: number; limitMb: number };
  } catch {
    return undefined;
  }
}
