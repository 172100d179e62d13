// Entry of an extraction process (extractionPool.ts starts it with child_process.fork): extracts files sent by
// the pool one at a time, with OCR in this process's own tesseract workers, and replies with the document or the
// error's {code, message, remedy, file}. A parser that aborts the runtime (V8 fatal error, out of memory, a native
// crash) or hangs takes only this process down; the pool sees the death and fails that one file.
import { toBrightRunError } from '../errors';
import { openRegular } from '../fs/openRegular';
import { extract } from './extract';
import { pdfPageCount } from './pdf/textLayer';
import { createOcrService } from './ocr/tesseractOcr';
import { hostOptions, startMemoryWatchdog, type MemoryWatchdog } from './memoryWatchdog';
import type { WorkerRequest, WorkerResponse } from './workerProtocol';

if (!process.send) throw new Error('extractWorker must run in a child process started with an IPC channel');
const send = (msg: WorkerResponse) => process.send!(msg);
const options = hostOptions();
// Started by the boot loader in the bundled build (before V8 flags are set); here when run from source.
const g = globalThis as { brightrunWatchdog?: MemoryWatchdog };
const watchdog = (g.brightrunWatchdog ??= startMemoryWatchdog(options.memoryLimitMb));
let ocr: ReturnType<typeof createOcrService> | undefined;
const PROGRESS_INTERVAL_MS = 50;

/** Tells the boot loader (workerBoot.ts) that a file is done, once: it then writes its code cache. */
function firstTaskDone(): void {
  const g = globalThis as { brightrunFirstTaskDone?: () => void };
  const hook = g.brightrunFirstTaskDone;
  g.brightrunFirstTaskDone = undefined;
  hook?.();
}
let lastProgress = 0;
let lastTotal = -1;

// The pool going away (the CLI ended, the editor closed) ends this process too. Ctrl-C in a terminal reaches the
// whole process group: the pool decides what a cancelled file means, so this process does not die of it.
process.on('disconnect', () => process.exit(0));
process.on('SIGINT', () => undefined);

// Files run one after the other: the pool may send a small file while another runs (pipelining); it waits here.
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

async function handle(msg: Exclude<WorkerRequest, { type: 'shutdown' } | { type: 'drop' }>): Promise<void> {
  if (msg.options.maxMemoryMB) watchdog.setLimitMb(msg.options.maxMemoryMB);
  if (msg.type === 'count') {
    let pages: number | undefined;
    try {
      const { handle } = await openRegular(msg.file);
      try {
        pages = pdfPageCount(await handle.readFile());
      } finally {
        await handle.close();
      }
    } catch {
      pages = undefined; // the extraction itself reports the problem
    }
    send({ type: 'count', id: msg.id, pages });
    return;
  }
  lastTotal = -1;
  try {
    if (msg.options.ocr !== false) ocr ??= createOcrService(msg.options.ocrLanguages ?? ['eng'], options.ocrWorkers ?? 1);
    const doc = await extract(msg.file, msg.options, {
      ...(ocr ? { ocr } : {}),
      onUnit: (done, total) => {
        // At most ~20 progress messages a second: a 400-page PDF would otherwise post one per page.
        // A new page count always goes through: the pool's time budget grows with it.
        const now = Date.now();
        if (done < total && total === lastTotal && now - lastProgress < PROGRESS_INTERVAL_MS) return;
        lastProgress = now;
        lastTotal = total;
        send({ type: 'progress', id: msg.id, done, total });
      },
    });
    firstTaskDone(); // before replying, so a process ended right after its first file has written its cache
    send({ type: 'done', id: msg.id, doc, peakRssMb: watchdog.peakMb() });
  } catch (err) {
    send({ type: 'failed', id: msg.id, error: toBrightRunError(err, msg.file).toJSON(), peakRssMb: watchdog.peakMb() });
  }
}

send({ type: 'ready' });
