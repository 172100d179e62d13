// Entry of a pool process (extractionPool.ts starts it with child_process.fork): runs the tasks the pool sends,
// one at a time, each by its stage's handler (workerStages.ts: extract a file, count a PDF's pages, build a
// document's records, write or verify an export), and replies with the result or the error's {code, message, remedy, file}. A parser that
// aborts the runtime (V8 fatal error, out of memory, a native crash) or hangs takes only this process down; the
// pool sees the death and fails that one task.
import { toBrightRunError } from '../errors';
import type { Progress } from '../progress';
import { createOcrService } from './ocr/tesseractOcr';
import { hostOptions, startMemoryWatchdog, type MemoryWatchdog } from './memoryWatchdog';
import { STAGES, type StageHandler } from './workerStages';
import type { StageName, WorkerRequest, WorkerResponse } from './workerProtocol';

if (!process.send) throw new Error('the pool worker must run in a child process started with an IPC channel');
const send = (msg: WorkerResponse) => process.send!(msg);
const options = hostOptions();
// Started by the boot loader in the bundled build (before V8 flags are set); here when run from source.
const g = globalThis as { brightrunWatchdog?: MemoryWatchdog };
const watchdog = (g.brightrunWatchdog ??= startMemoryWatchdog(options.memoryLimitMb));
let ocr: ReturnType<typeof createOcrService> | undefined;
const PROGRESS_INTERVAL_MS = 50;

/** Tells the boot loader (workerBoot.ts) that a task is done, once: it then writes its code cache. */
function firstTaskDone(): void {
  const g = globalThis as { brightrunFirstTaskDone?: () => void };
  const hook = g.brightrunFirstTaskDone;
  g.brightrunFirstTaskDone = undefined;
  hook?.();
}

// The pool going away (the CLI ended, the editor closed) ends this process too. Ctrl-C in a terminal reaches the
// whole process group: the pool decides what a cancelled task means, so this process does not die of it.
process.on('disconnect', () => process.exit(0));
process.on('SIGINT', () => undefined);

// Tasks run one after the other: the pool may send a small task while another runs (pipelining); it waits here.
let chain: Promise<void> = Promise.resolve();
const dropped = new Set<number>();

process.on('message', (msg: WorkerRequest) => {
  if (msg.type === 'shutdown') {
    void (async () => {
      await ocr?.dispose();
      process.exit(0);
    })();
    return;
  }
  if (msg.type === 'drop') {
    dropped.add(msg.id);
    return;
  }
  chain = chain.then(() => {
    if (dropped.delete(msg.id)) return;
    return handle(msg);
  });
});

async function handle(msg: Extract<WorkerRequest, { type: 'task' }>): Promise<void> {
  watchdog.setLimitMb(msg.maxMemoryMB);
  let lastProgress = 0;
  let lastTotal = -1;
  const onUnit = (done: number, total: number, progress?: Progress) => {
    // At most ~20 progress messages a second: a 400-page PDF would otherwise post one per page.
    // A new total always goes through: the pool's time budget grows with it.
    const now = Date.now();
    if (done < total && total === lastTotal && now - lastProgress < PROGRESS_INTERVAL_MS) return;
    lastProgress = now;
    lastTotal = total;
    send({ type: 'progress', id: msg.id, done, total, ...(progress ? { progress } : {}) });
  };
  const onProgress = (p: Progress) => onUnit(p.done, p.total ?? p.done + 1, p);
  try {
    const run = STAGES[msg.stage] as StageHandler<StageName>;
    const result = await run(msg.input, { onUnit, onProgress, ocr: (languages) => (ocr ??= createOcrService(languages, options.ocrWorkers ?? 1)) });
    firstTaskDone(); // before replying, so a process ended right after its first task has written its cache
    send({ type: 'done', id: msg.id, result, peakRssMb: watchdog.peakMb() });
  } catch (err) {
    const file = 'file' in msg.input ? msg.input.file : 'documentId' in msg.input ? msg.input.sourcePath : 'request' in msg.input ? msg.input.request.name : 'dir' in msg.input ? msg.input.dir : undefined;
    send({ type: 'failed', id: msg.id, error: toBrightRunError(err, file).toJSON(), peakRssMb: watchdog.peakMb() });
  }
}

send({ type: 'ready' });
