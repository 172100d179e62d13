// The memory budget of an extraction process, enforced from inside it. process.memoryUsage.rss() is the whole
// process's resident set — JavaScript, WebAssembly and native memory (pdf.js, tesseract, the canvas) — with the
// same meaning on Linux, macOS and Windows. Over the budget, the process writes which budget it hit to stderr for
// the pool (LIMIT_MARKER) and stops itself at once; the pool fails that one file with RESOURCE_LIMIT and starts a
// fresh process for the next.
//
// Two samplers: one on the main thread from the start (cheap; it sees memory grown by OCR workers, pdf.js and
// anything else that yields to the event loop), and a watchdog *thread*, which keeps sampling while a parser holds
// the main thread in a synchronous loop (a 40 MB CSV parses in one synchronous call). The thread starts with the
// first file of THREAD_FOR_BYTES or more, or once a file has run THREAD_AFTER_MS — not up front, because it costs
// 30–65 ms of CPU to start (measured; more once batch V8 flags are set), which a run over many small files would
// pay once per process for nothing. A small file whose parser blocks the main thread from its first millisecond
// and grows only the JavaScript heap is stopped by V8's heap limit instead (reported as the same budget;
// extractionProcess.ts raises the limit to the budget when the budget is larger).
import { writeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { LIMIT_MARKER, type HostOptions } from './workerProtocol';

/** Sampling interval of both samplers, in ms. Touching 1 GB of fresh pages takes ~300 ms, so a file is stopped within ~100 MB of its budget. */
const INTERVAL_MS = 25;
/** A task running this long, or on a file this large, gets the watchdog thread (once per process). */
export const THREAD_AFTER_MS = 250;
export const THREAD_FOR_BYTES = 1024 * 1024;

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
  /** A task on a file of `bytes` starts: the watchdog thread starts now for a large file, or if it runs THREAD_AFTER_MS. */
  taskStarted(bytes?: number): void;
  taskEnded(): void;
}

/** Starts the main-thread sampler; it does not keep the process alive. `limitMb` 0 or undefined: measure only. */
export function startMemoryWatchdog(limitMb: number | undefined): MemoryWatchdog {
  const peak = new Int32Array(new SharedArrayBuffer(4));
  let limit = (limitMb ?? 0) * 1048576;
  let thread: Worker | undefined;
  let pending: NodeJS.Timeout | undefined;
  const sample = () => {
    const rss = process.memoryUsage.rss();
    const mb = Math.round(rss / 1048576);
    if (mb > Atomics.load(peak, 0)) Atomics.store(peak, 0, mb);
    if (limit > 0 && rss > limit) stopForMemory(mb, limit);
  };
  setInterval(sample, INTERVAL_MS).unref();
  return {
    setLimitMb(mb) {
      limit = mb * 1048576;
      thread?.postMessage(limit);
    },
    peakMb: () => Atomics.load(peak, 0),
    taskStarted(bytes = 0) {
      if (thread) return;
      const start = () => {
        clearTimeout(pending);
        pending = undefined;
        thread = new Worker(WATCHDOG_SOURCE, { eval: true, workerData: { limit, peak: peak.buffer } });
        thread.unref();
      };
      if (bytes >= THREAD_FOR_BYTES) return start();
      pending ??= setTimeout(start, THREAD_AFTER_MS);
      pending.unref();
    },
    taskEnded() {
      clearTimeout(pending);
      pending = undefined;
    },
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
