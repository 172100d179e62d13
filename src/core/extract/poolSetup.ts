import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_MAX_MEMORY_MB } from './limits';

// The pool's setup and diagnosis: where its processes' script and code cache are, how many run, and what a
// process's death means for its task (processDeath.ts). Kept apart from processPool.ts, which schedules.

/** Why the pool stopped a process on purpose. */
export type StopReason = { budget: 'time'; what: string; limit: string } | { cancelled: true } | { retired: true };

/**
 * PDFs of this size or more are split into page ranges of at least MIN_PAGES_PER_PART pages each, run by several
 * processes at once, while the calling thread hashes the file.
 */
export const SPLIT_BYTES = 8 * 1024 * 1024;
export const MIN_PAGES_PER_PART = 40;
/**
 * Page ranges go to several processes only on pools of 4+: on 2 cores, two parts measured slower than one (each
 * process boots and warms up its own JIT, and the hashing competes with them for the cores).
 */
export const MIN_THREADS_TO_SPLIT = 4;
/**
 * A process whose resident set peaked over this share of its budget is replaced after its file: V8 and malloc
 * return memory lazily, and the next file should start with its whole budget.
 */
export const RECYCLE_SHARE = 0.5;
/** Files under this size may wait in a process's pipe behind another small one (ExtractionPool: Slot.next). */
export const PIPELINE_BYTES = 256 * 1024;

/** Where processes keep their V8 code cache: the user's cache directory (never a shared temp directory). */
export function defaultCodeCacheDir(): string | undefined {
  const base = process.env.XDG_CACHE_HOME || (process.platform === 'win32' ? process.env.LOCALAPPDATA : path.join(os.homedir(), process.platform === 'darwin' ? 'Library/Caches' : '.cache'));
  return base ? path.join(base, 'brightrun', 'code-cache') : undefined;
}

export const DEFAULT_STALL_MS = 3 * 60_000;

/**
 * V8 flags for extraction processes, applied by each process's boot loader (workerBoot.ts) before it loads the
 * bundle. V8 optimises a function with TurboFan once it has used up an "interrupt budget" of bytecode (66 KB by
 * default on Node 20); a run over a folder of small documents is over before most of that optimised code pays
 * back (the corpus's 14 text PDFs spent 360 ms in TurboFan, several functions compiled 3–4 times after
 * deoptimising). A 600 KB budget measured ~20 % faster there and 0–4 % slower on a 100 MB PDF
 * (docs/decisions.md). The processes are the pool's own, so the flag touches nobody else's code; only on V8 11
 * (Node 20), where it was measured and the flag exists (newer V8 tiers up through Maglev by invocation counts),
 * and never under Electron.
 */
export function batchV8Flags(versions: NodeJS.ProcessVersions = process.versions): string | undefined {
  if (versions.electron) return undefined;
  return versions.v8.split('.')[0] === '11' ? '--interrupt-budget=600000' : undefined;
}

/** The process's script: the bundled build starts through a loader that keeps a V8 code cache (workerBoot.ts). */
export function workerScript(): string {
  const boot = path.join(__dirname, 'extractWorkerBoot.js');
  return existsSync(boot) ? boot : path.join(__dirname, 'extractWorker.js');
}

export function defaultOcrWorkers(size: number): number {
  return Math.max(1, Math.floor((os.availableParallelism?.() ?? os.cpus().length) / size));
}

/**
 * Processes for extraction. In an editor, one per core less one, so the UI keeps a core; headless (the CLI), one
 * per core — and no more than three quarters of the machine's memory holds at `memoryBudgetMb` each, so that
 * every process can use its whole budget at once (a 16-core laptop with 16 GB gets 4 processes at 3 GB each).
 */
export function defaultPoolSize(interactive = true, memoryBudgetMb = DEFAULT_MAX_MEMORY_MB, totalMemoryBytes = os.totalmem()): number {
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  const byMemory = Math.floor((totalMemoryBytes * 0.75) / (memoryBudgetMb * 1048576));
  return Math.max(1, Math.min(interactive ? cores - 1 : cores, byMemory));
}

export const mb = (bytes: number) => `${Math.round(bytes / 1048576).toLocaleString('en-US')} MB`;
/** "2 MB", "340 KB", "12 bytes": a file's size in messages. */
export const fileSize = (bytes: number) => (bytes >= 1048576 ? mb(bytes) : bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} bytes`);
