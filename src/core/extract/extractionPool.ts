import { promises as fs } from 'node:fs';
import { sha256File } from '../fs/hash';
import { mergeParts } from './mergeParts';
import { MIN_PAGES_PER_PART, MIN_THREADS_TO_SPLIT, SPLIT_BYTES } from './poolSetup';
import { summarize } from './documentFile';
import { DocumentStore } from './documentStore';
import type { TaskFacts, TaskOptions } from './poolTypes';
import { ProcessPool } from './processPool';
import { DEFAULT_MAX_BYTES, type ExtractedDocument, type ExtractOptions } from './types';
import type { ExtractTaskInput, StoredDocument } from './workerProtocol';

export { batchV8Flags, defaultPoolSize } from './poolSetup';
export { ProcessPool } from './processPool';
export type { StageName, StageTypes, StoredDocument } from './workerProtocol';
export type { PoolOptions, RunOptions, TaskOptions } from './poolTypes';

/**
 * The process pool (processPool.ts: every stage's tasks, budgets, crashes, cancellation, progress) with
 * extraction's own scheduling on top: a large PDF split into page ranges run by several processes at once while
 * this thread hashes the file, and documents written into a document store by the process that extracted them.
 * The one pool class callers create (`run` serves the other stages).
 */
export class ExtractionPool extends ProcessPool {
  /**
   * Queues a file; `onStart` fires when a process takes it (not when it is queued). A large PDF is split into
   * page ranges run by several processes at once when the pool has 4 or more.
   */
  async extract(file: string, options: ExtractOptions, opts: TaskOptions = {}): Promise<ExtractedDocument> {
    return (await this.extractTracked(file, options, undefined, opts)) as ExtractedDocument;
  }

  /**
   * Extracts a file into a document store folder: the process writes `<sha256>.json` itself (atomic, not yet
   * fsynced — DocumentStore.adopt + publish make a batch durable) and only a summary comes back (issue #13: the
   * document's text is not cloned through the pipe and parsed again here). A PDF split into page ranges is
   * merged and written here.
   */
  extractToStore(file: string, options: ExtractOptions, store: { dir: string; sourcePath: string }, opts: TaskOptions = {}): Promise<StoredDocument> {
    return this.extractTracked(file, options, store, opts) as Promise<StoredDocument>;
  }

  private extractTracked(file: string, options: ExtractOptions, store: ExtractTaskInput['store'], opts: TaskOptions): Promise<ExtractedDocument | StoredDocument> {
    return this.tracked(this.budgetMb(options), () => this.extractFile(file, options, store, opts));
  }

  private extractTask(file: string, options: ExtractOptions, size: number | undefined, store?: ExtractTaskInput['store']): { input: ExtractTaskInput; task: TaskFacts } {
    const input: ExtractTaskInput = { file, options, ...(size !== undefined ? { size } : {}), ...(store ? { store } : {}) };
    const task: TaskFacts = { subject: file, memoryMb: this.budgetMb(options), size, ocr: options.ocr !== false, ...(options.timeLimitSeconds !== undefined ? { timeLimitSeconds: options.timeLimitSeconds } : {}) };
    return { input, task };
  }

  private async extractFile(file: string, options: ExtractOptions, store: ExtractTaskInput['store'], opts: TaskOptions): Promise<ExtractedDocument | StoredDocument> {
    const size = opts.size ?? (await fs.stat(file).then((st) => st.size, () => undefined));
    const whole = () => {
      const { input, task } = this.extractTask(file, options, size, store);
      return this.enqueue<ExtractedDocument | StoredDocument>('extract', input, opts, task);
    };
    if (options.pageRange || this.size < MIN_THREADS_TO_SPLIT || size === undefined || size < SPLIT_BYTES || size > (options.maxBytes ?? DEFAULT_MAX_BYTES)) return whole();
    const pages = await this.enqueue<number | undefined>('count', { file }, { ...(opts.signal ? { signal: opts.signal } : {}) }, { subject: file, memoryMb: this.budgetMb(options), size, ocr: false });
    const parts = pages ? Math.min(this.size, Math.floor(pages / MIN_PAGES_PER_PART)) : 1;
    if (!pages || parts < 2) return whole();
    // The parts skip hashing; this thread hashes the file meanwhile (streamed, on libuv's threads).
    const hashing = options.skipHash ? Promise.resolve('') : sha256File(file, opts.signal);
    hashing.catch(() => undefined);
    const merged = await this.extractInParts(file, { ...options, skipHash: true }, opts, pages, parts, size);
    const doc: ExtractedDocument = { ...merged, id: await hashing };
    if (!store) return doc;
    const stored: ExtractedDocument = { ...doc, source: { ...doc.source, path: store.sourcePath } };
    return { stored: true, id: doc.id, size: doc.source.size, file: await new DocumentStore(store.dir).saveUnsynced(stored), extracted: summarize(stored) };
  }

  private async extractInParts(file: string, options: ExtractOptions, opts: TaskOptions, pages: number, parts: number, size: number): Promise<ExtractedDocument> {
    const started = Date.now();
    const per = Math.ceil(pages / parts);
    const done = new Array<number>(parts).fill(0);
    let startedOnce = false;
    const results = await Promise.all(
      Array.from({ length: parts }, (_, i) => {
        const { input, task } = this.extractTask(file, { ...options, pageRange: { first: i * per + 1, last: Math.min(pages, (i + 1) * per) } }, size);
        return this.enqueue<ExtractedDocument>(
          'extract',
          input,
          {
            ...(opts.signal ? { signal: opts.signal } : {}),
            onStart: () => {
              if (!startedOnce) opts.onStart?.();
              startedOnce = true;
            },
            onUnit: (d) => {
              done[i] = d;
              opts.onUnit?.(done.reduce((a, b) => a + b, 0), pages);
            },
          },
          task,
        );
      }),
    );
    return mergeParts(results, Date.now() - started);
  }
}
