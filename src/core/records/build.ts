import { BrightRunError, cancelledError, isCancellation, throwIfAborted, type ErrorInfo } from '../errors';
import { DocumentStore } from '../extract/documentStore';
import { defaultPoolSize, ExtractionPool } from '../extract/extractionPool';
import { extractOptionsFromConfig } from '../extract/limits';
import type { Project } from '../project/project';
import type { ProgressCallback } from '../progress';
import { chunkDocument, type SourceDocument } from './chunker';
import { paramsHash } from './ids';
import { applyLengthLimits, duplicateKey } from './quality';
import { recordSettings, type RecordSettings } from './settings';
import { splitOf, SPLITS } from './splits';
import { RecordStore, type RecordsManifest, type SplitStats } from './store';
import { loadTokenizer } from './tokenizer';
import type { CompletionRecord, SplitName } from './types';

export interface BuildOptions {
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

export interface ProjectBuildOptions extends BuildOptions {
  /**
   * The process pool that builds the documents' records (extract/extractionPool.ts, the `records` stage), e.g.
   * the extension's; by default the build starts its own, of `concurrency` processes, when it has documents to
   * build. It is not closed here.
   */
  pool?: ExtractionPool;
  /** Processes of the build's own pool (default: defaultPoolSize(), one per core less one). */
  concurrency?: number;
  /** Build every document's records in this thread instead (tests compare the two; a handful of documents). */
  inProcess?: boolean;
}

/**
 * One document's records: the per-document builder, pure (same document and settings, same records and ids; no
 * I/O, no shared state but the tokenizer loaded once per process). Runs in pool processes (records/recordsTask.ts)
 * and in-process (dry runs, `inProcess` builds) alike, so both give the same records.
 */
export function buildDocumentRecords(source: SourceDocument, settings: RecordSettings): CompletionRecord[] {
  return chunkDocument(source, settings.chunk, loadTokenizer(settings.chunk.tokenizer));
}

/**
 * The per-document builder over a stream of documents, in this thread: yields each document's records as it is
 * done; cancellable, with progress.
 */
export async function* chunkDocuments(docs: AsyncIterable<SourceDocument>, settings: RecordSettings, opts: BuildOptions = {}): AsyncGenerator<{ source: SourceDocument; records: CompletionRecord[] }> {
  let done = 0;
  for await (const source of docs) {
    throwIfAborted(opts.signal);
    const records = buildDocumentRecords(source, settings);
    done++;
    opts.onProgress?.({ done, unit: 'files', current: source.sourcePath });
    yield { source, records };
    await new Promise((resolve) => setImmediate(resolve)); // let cancellation and progress through
  }
}

export interface BuildResult {
  manifest: RecordsManifest;
  /** Documents chunked in this build (the others' records were reused from by-document/). */
  processed: number;
  reused: number;
  /** Documents whose records could not be built (a worker process crashed on one, say): left out of the build. */
  failed: Array<{ sourcePath: string; error: ErrorInfo }>;
}

/** An extracted document of the project: its id, the source path it was added as, and that source's size in bytes. */
export interface ProjectDocument {
  id: string;
  sourcePath: string;
  size: number;
}

/** The project's extracted documents (sources done), one per content hash, in source-path order. */
export async function projectDocuments(project: Project): Promise<ProjectDocument[]> {
  const seen = new Set<string>();
  const out: ProjectDocument[] = [];
  for (const s of (await project.readSources()).filter((x) => x.status === 'done').sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    if (seen.has(s.sha256)) continue;
    seen.add(s.sha256);
    out.push({ id: s.sha256, sourcePath: s.path, size: s.size });
  }
  return out;
}

/**
 * Builds and stores the records of `missing` documents in the pool's processes (the `records` stage): document
 * ids stream out, a few per process at a time, and counts come back; each process writes its document's record
 * file itself. A task that fails (its process crashed, a budget) fails that document only. `onDone` runs per
 * document, in completion order.
 */
async function buildInPool(project: Project, pool: ExtractionPool, missing: readonly ProjectDocument[], settings: RecordSettings, hash: string, opts: BuildOptions, onDone: (d: ProjectDocument, error?: ErrorInfo) => void): Promise<void> {
  const budgets = extractOptionsFromConfig(project.config.extract);
  const window = Math.max(2, pool.concurrency * 2);
  const running = new Set<Promise<void>>();
  let firstError: unknown;
  for (const d of missing) {
    if (opts.signal?.aborted || firstError) break;
    const task = pool
      .run('records', { documentsDir: project.paths.documents, recordsDir: project.paths.records, documentId: d.id, sourcePath: d.sourcePath, settings, paramsHash: hash }, {
        subject: d.sourcePath,
        size: d.size,
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(budgets.maxMemoryMB ? { maxMemoryMB: budgets.maxMemoryMB } : {}),
        ...(budgets.timeLimitSeconds ? { timeLimitSeconds: budgets.timeLimitSeconds } : {}),
      })
      .then(
        () => onDone(d),
        (err: unknown) => {
          // A document's own failure is reported with it; cancellation or a closed pool stops the build.
          if (err instanceof BrightRunError && !isCancellation(err)) onDone(d, err.toJSON());
          else firstError ??= err;
        },
      )
      .finally(() => running.delete(task));
    running.add(task);
    if (running.size >= window) await Promise.race(running);
  }
  await Promise.all(running);
  throwIfAborted(opts.signal);
  if (firstError) throw firstError;
}

async function* loadDocuments(project: Project, list: ReadonlyArray<{ id: string; sourcePath: string }>): AsyncGenerator<SourceDocument> {
  const store = new DocumentStore(project.paths.documents);
  for (const d of list) {
    const doc = await store.load(d.id);
    if (doc) yield { doc, sourcePath: d.sourcePath };
  }
}

/**
 * `brightrun records build`: chunks the documents whose records are not stored for the current parameters,
 * then streams every document's records through de-duplication, length limits and split assignment into a new
 * build folder, and publishes it atomically (RecordStore.publish). Never holds all records in memory: only the
 * duplicate keys (16 bytes each) and one document's records at a time.
 */
export async function buildProjectRecords(project: Project, opts: ProjectBuildOptions = {}): Promise<BuildResult> {
  const settings = recordSettings(project.config);
  const hash = paramsHash({ builder: 'chunk', ...settings.chunk });
  const store = new RecordStore(project.paths.records);
  const docs = await projectDocuments(project);
  const missing: typeof docs = [];
  for (const d of docs) if (!(await store.hasDocument(d.id, hash))) missing.push(d);
  const total = missing.length + docs.length;
  let step = 0;
  const failed: BuildResult['failed'] = [];
  if (opts.inProcess) {
    for await (const { source, records } of chunkDocuments(loadDocuments(project, missing), settings, { ...(opts.signal ? { signal: opts.signal } : {}) })) {
      await store.writeDocument(source.doc.id, hash, records);
      opts.onProgress?.({ done: ++step, total, unit: 'files', current: source.sourcePath });
    }
  } else if (missing.length) {
    // Tokenising and chunking run in the pool's processes, off this thread (the editor's, in the extension).
    const pool = opts.pool ?? new ExtractionPool(Math.max(1, Math.min(opts.concurrency ?? defaultPoolSize(), missing.length)));
    try {
      await buildInPool(project, pool, missing, settings, hash, opts, (d, error) => {
        if (error) failed.push({ sourcePath: d.sourcePath, error });
        opts.onProgress?.({ done: ++step, total, unit: 'files', current: d.sourcePath });
      });
    } finally {
      if (!opts.pool) await pool.close();
    }
  }
  throwIfAborted(opts.signal);

  const tok = loadTokenizer(settings.chunk.tokenizer);
  const build = await store.startBuild();
  try {
    const stats = emptyStats();
    const seen = new Set<string>();
    const dropped = { duplicates: 0, tooShort: 0 };
    const used = new Set<string>();
    for (const d of docs) {
      if (opts.signal?.aborted) throw cancelledError();
      if (!(await store.hasDocument(d.id, hash))) continue; // a document whose extraction vanished meanwhile
      used.add(`${d.id}.${hash}.jsonl`);
      const split = splitOf(d.id, settings.splits);
      let any = false;
      for await (const raw of store.readDocument(d.id, hash)) {
        let r = { ...raw, lineage: { ...raw.lineage, sourcePath: d.sourcePath } };
        if (settings.dedupe !== 'none') {
          const key = duplicateKey(r);
          if (seen.has(key)) {
            dropped.duplicates++;
            continue;
          }
          seen.add(key);
        }
        const verdict = applyLengthLimits(r, tok, { minTokens: settings.minTokens, maxTokens: settings.chunk.maxTokens, overLength: settings.overLength });
        if (verdict.action === 'drop') {
          if (verdict.reason === 'too-short') dropped.tooShort++;
          else stats[split].overLength.dropped++;
          continue;
        }
        if (verdict.action === 'truncated') {
          r = verdict.record as typeof r;
          stats[split].overLength.truncated++;
        }
        r.split = split;
        await build.write(split, r);
        stats[split].records++;
        stats[split].tokens += r.tokens ?? 0;
        any = true;
      }
      if (any) stats[split].documents++;
      opts.onProgress?.({ done: ++step, total, unit: 'files', current: d.sourcePath });
    }
    const manifest: RecordsManifest = { formatVersion: 1, build: build.id, builtAt: new Date().toISOString(), builder: 'chunk', paramsHash: hash, settings, documents: docs.length, splits: stats, dropped };
    await store.publish(build, manifest, used);
    return { manifest, processed: missing.length - failed.length, reused: docs.length - missing.length, failed };
  } catch (err) {
    await build.abandon();
    throw err;
  }
}

/** `records build --dry-run N`: the records the first N documents would give, writing nothing. */
export async function dryRunRecords(project: Project, n: number, opts: BuildOptions = {}): Promise<Array<{ sourcePath: string; records: CompletionRecord[] }>> {
  const settings = recordSettings(project.config);
  const docs = (await projectDocuments(project)).slice(0, n);
  const out: Array<{ sourcePath: string; records: CompletionRecord[] }> = [];
  for await (const { source, records } of chunkDocuments(loadDocuments(project, docs), settings, opts)) {
    for (const r of records) r.split = splitOf(source.doc.id, settings.splits);
    out.push({ sourcePath: source.sourcePath, records });
  }
  return out;
}

function emptyStats(): Record<SplitName, SplitStats> {
  return Object.fromEntries(SPLITS.map((s) => [s, { records: 0, tokens: 0, documents: 0, overLength: { truncated: 0, dropped: 0 } }])) as Record<SplitName, SplitStats>;
}
