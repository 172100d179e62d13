// The memory budget of an extraction process, enforced from inside it by a watchdog thread. A parser that
// allocates without end — in JavaScript, WebAssembly or native code (pdf.js, tesseract, the canvas) — may keep
// the process's main thread busy for good, so the check cannot run there; a thread of its own keeps reading the
// process's resident set (process.memoryUsage.rss(): the whole process, native memory included, on Linux, macOS
// and Windows alike) and stops the process the moment it goes over, after writing which budget it hit to stderr
// for the pool (LIMIT_MARKER). The pool then fails that one file with RESOURCE_LIMIT and starts a fresh process.
import { Worker } from 'node:worker_threads';
import { LIMIT_MARKER, type HostOptions } from './workerProtocol';

/** How often the resident set is read, in ms. Touching 1 GB of fresh pages takes ~300 ms, so a file is stopped within ~100 MB of its budget. */
const INTERVAL_MS = 25;

const WATCHDOG_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const peak = new Int32Array(workerData.peak);
let limit = workerData.limit;
parentPort.on('message', (bytes) => { limit = bytes; });
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
}, ${INTERVAL_MS});
`;

export interface MemoryWatchdog {
  /** Changes the budget (a task's `maxMemoryMB`). */
  setLimitMb(mb: number): void;
  /** Peak resident set of the process so far, in MB (as sampled). */
  peakMb(): number;
}

/** Starts the watchdog thread; it does not keep the process alive. `limitMb` 0 or undefined: measure only. */
export function startMemoryWatchdog(limitMb: number | undefined): MemoryWatchdog {
  const peak = new Int32Array(new SharedArrayBuffer(4));
  let current = limitMb ?? 0;
  const worker = new Worker(WATCHDOG_SOURCE, { eval: true, workerData: { limit: current * 1048576, peak: peak.buffer } });
  worker.unref();
  return {
    setLimitMb(mb) {
      if (mb === current) return;
      current = mb;
      worker.postMessage(mb * 1048576);
    },
    peakMb: () => Atomics.load(peak, 0),
  };
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
