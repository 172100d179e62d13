// The stage handlers of a pool process (workerProtocol.ts StageTypes): what each kind of task does inside the
// process. The pool around them — budgets, crashes, cancellation, progress — is the same for all.
import { runExportTask, runVerifyTask } from '../export/exportTask';
import { openRegular } from '../fs/openRegular';
import type { Progress } from '../progress';
import { runRecordsTask } from '../records/recordsTask';
import { summarize } from './documentFile';
import { DocumentStore } from './documentStore';
import { extract, readCheckedSync } from './extract';
import type { OcrService } from './ocr/ocrService';
import { pdfPageCount } from './pdf/textLayer';
import type { StageName, StageTypes, StoredDocument } from './workerProtocol';

/** What a handler gets besides its input: progress (units done of total, or a whole Progress) and the process's OCR service. */
export interface StageContext {
  onUnit: (done: number, total: number) => void;
  /** A whole Progress (records, bytes, ETA, phase), passed to the pool's `onProgress` as it is. */
  onProgress: (progress: Progress) => void;
  /** The process's OCR workers, started on first use. */
  ocr: (languages: string[]) => OcrService;
}

export type StageHandler<S extends StageName> = (input: StageTypes[S]['input'], ctx: StageContext) => Promise<StageTypes[S]['result']>;

export const STAGES: { [S in StageName]: StageHandler<S> } = {
  async extract(input, ctx) {
    const { file, options } = input;
    // Read in blocking calls: this process does one thing at a time, and for small files the thread-pool round
    // trips of asynchronous reads cost more than the reads (issue #13).
    const data = readCheckedSync(file, options);
    const doc = await extract(file, options, { data, ...(options.ocr !== false ? { ocr: ctx.ocr(options.ocrLanguages ?? ['eng']) } : {}), onUnit: ctx.onUnit });
    if (!input.store) return doc;
    const stored = { ...doc, source: { ...doc.source, path: input.store.sourcePath } };
    const written: StoredDocument = { stored: true, id: doc.id, size: doc.source.size, file: new DocumentStore(input.store.dir).saveUnsyncedSync(stored), extracted: summarize(stored) };
    return written;
  },

  async count(input) {
    try {
      const { handle } = await openRegular(input.file);
      try {
        return pdfPageCount(await handle.readFile());
      } finally {
        await handle.close();
      }
    } catch {
      return undefined; // the extraction itself reports the problem
    }
  },

  records: (input, ctx) => runRecordsTask(input, ctx.onUnit),

  export: (input, ctx) => runExportTask(input, ctx.onProgress),

  verify: (input, ctx) => runVerifyTask(input, ctx.onProgress),
};
