// Worker-thread entry: extracts files sent by ExtractionPool, one at a time, with OCR in this thread's own
// tesseract worker. Replies with the document, or the error's {code, message, remedy, file}.
import { parentPort, workerData } from 'node:worker_threads';
import { toBrightRunError } from '../errors';
import { extract } from './extract';
import { pdfPageCount } from './pdf/textLayer';
import { createOcrService } from './ocr/tesseractOcr';
import type { WorkerRequest, WorkerResponse } from './workerProtocol';

if (!parentPort) throw new Error('extractWorker must run in a worker thread');
const port = parentPort;
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

port.on('message', async (msg: WorkerRequest) => {
  if (msg.type === 'shutdown') {
    await ocr?.dispose();
    port.close();
    return;
  }
  if (msg.type === 'count') {
    const pages = msg.data ? pdfPageCount(msg.data) : undefined;
    port.postMessage({ type: 'count', id: msg.id, pages } satisfies WorkerResponse);
    return;
  }
  try {
    if (msg.options.ocr !== false) ocr ??= createOcrService(msg.options.ocrLanguages ?? ['eng'], (workerData as { ocrWorkers?: number } | undefined)?.ocrWorkers ?? 1);
    const doc = await extract(msg.file, msg.options, {
      ...(ocr ? { ocr } : {}),
      ...(msg.data ? { data: Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength) } : {}),
      onUnit: (done, total) => {
        // At most ~20 progress messages a second: a 400-page PDF would otherwise post one per page.
        const now = Date.now();
        if (done < total && now - lastProgress < PROGRESS_INTERVAL_MS) return;
        lastProgress = now;
        port.postMessage({ type: 'progress', id: msg.id, done, total } satisfies WorkerResponse);
      },
    });
    firstTaskDone(); // before replying, so a thread ended right after its first file has written its cache
    port.postMessage({ type: 'done', id: msg.id, doc } satisfies WorkerResponse);
  } catch (err) {
    port.postMessage({ type: 'failed', id: msg.id, error: toBrightRunError(err, msg.file).toJSON() } satisfies WorkerResponse);
  }
});

port.postMessage({ type: 'ready' } satisfies WorkerResponse);
