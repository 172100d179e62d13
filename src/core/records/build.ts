import { BrightRunError, cancelledError, isCancellation, throwIfAborted, type ErrorInfo } from '../errors';
import { DocumentStore } from '../extract/documentStore';
import { defaultPoolSize, ExtractionPool } from '../extract/extractionPool';
import { extractOptionsFromConfig } from '../extract/limits';
import type { Project } from '../project/project';
import type { ProgressCallback } from '../progress';
import { BuildTally } from './buildStats';
import type { SourceDocument } from './chunker';
import { planDocument, storeDocumentRecords, type DocumentPlan, type ProjectDocument } from './documentPlan';
import { builderKeys, buildDocumentRecords, type BuilderOutput } from './documentRecords';
import { recordText } from './quality';
import { QualityGate } from './qualityGate';
import { loadRecordSettings, type RecordSettings } from './settings';
import type { RecordsTaskResult } from './recordsTask';
import { splitOf } from './splits';
import { needsMetadata, StrataCounter, stratumOf } from './strata';
import { RecordStore, type RecordArea, type RecordsManifest } from './store';
import { loadTokenizer } from './tokenizer';
import type { BuilderName, TrainingRecord } from './types';

export type { ProjectDocument } from './documentPlan';

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
 * The configured builders over a stream of documents, in this thread: yields each document's outputs (per builder)
 * as it is done (buildDocumentRecords, pure per document); cancellable, with progress. Dry runs use it; a build
 * runs the same function per document in the pool (recordsTask.ts).
 */
export async function* buildDocuments(docs: AsyncIterable<SourceDocument>, settings: RecordSettings, opts: BuildOptions & { only?: (source: SourceDocument) => ReadonlySet<BuilderName> | undefined } = {}): AsyncGenerator<{ source: SourceDocument; outputs: BuilderOutput[] }> {
  const tok = loadTokenizer(settings.chunk.tokenizer);
  let done = 0;
  for await (const source of docs) {
    throwIfAborted(opts.signal);
    const only = opts.only?.(source);
    const outputs = buildDocumentRecords(source, settings, tok, { ...(only ? { only } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
    opts.onProgress?.({ done: ++done, unit: 'files', current: source.sourcePath });
    yield { source, outputs };
    await new Promise((resolve) => setImmediate(resolve)); // let cancellation and progress through
  }
}

export interface BuildResult {
  manifest: RecordsManifest;
  /** Documents with at least one builder run in this build (the others' records were reused from by-document/). */
  processed: number;
  reused: number;
  /** Documents whose records could not be built (a worker process crashed on one, say): left out of the build. */
  failed: Array<{ sourcePath: string; error: ErrorInfo }>;
  /** dedupe "near": MinHash signatures computed by this process (not stored by the records processes). */
  signaturesComputed: number;
}

/** The project's extracted documents (sources done), one per content hash, in source-path order. */
export async function projectDocuments(project: Project): Promise<ProjectDocument[]> {
  const seen = new Set<string>();
  const out: ProjectDocument[] = [];
  for (const s of (await project.readSources()).filter((x) => x.status === 'done').sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    if (seen.has(s.sha256)) continue;
    seen.add(s.sha256);
    out.push({ id: s.sha256, sourcePath: s.path, size: s.size, ...(s.extracted?.format ? { format: s.extracted.format } : {}) });
  }
  return out;
}

/** Errors of one document's task that stop the whole build: they would fail every document alike (a template, the settings). */
const BUILD_STOPPERS = new Set(['TEMPLATE_INVALID', 'TEMPLATE_LIMIT', 'CONFIG_INVALID', 'PAIRS_UNMAPPED']);

/**
 * Builds and stores the records of `stale` documents in the pool's processes (the `records` stage): document ids
 * stream out, a few per process at a time, and counts come back; each process writes its document's record files
 * itself. A task that fails (its process crashed, a budget) fails that document only; a template or settings error
 * stops the build (it would fail every document). `onDone` runs per document, in completion order.
 */
async function buildInPool(
  project: Project,
  pool: ExtractionPool,
  stale: readonly ProjectDocument[],
  settings: RecordSettings,
  opts: BuildOptions,
  onDone: (d: ProjectDocument, outcome: RecordsTaskResult | { error: ErrorInfo }) => Promise<void>,
): Promise<void> {
  const budgets = extractOptionsFromConfig(project.config.extract);
  const window = Math.max(2, pool.concurrency * 2);
  const running = new Set<Promise<void>>();
  let firstError: unknown;
  for (const d of stale) {
    if (opts.signal?.aborted || firstError) break;
    const task = pool
      .run('records', { documentsDir: project.paths.documents, recordsDir: project.paths.records, documentId: d.id, sourcePath: d.sourcePath, size: d.size, settings }, {
        subject: d.sourcePath,
        size: d.size,
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(budgets.maxMemoryMB ? { maxMemoryMB: budgets.maxMemoryMB } : {}),
        ...(budgets.timeLimitSeconds ? { timeLimitSeconds: budgets.timeLimitSeconds } : {}),
      })
      .then(
        (result) => onDone(d, result),
        (err: unknown) => {
          // A document's own failure is reported with it; cancellation, a closed pool or a template error stops the build.
          if (err instanceof BrightRunError && !isCancellation(err) && !BUILD_STOPPERS.has(err.code)) return onDone(d, { error: err.toJSON() });
          firstError ??= err;
        },
      )
      .catch((err: unknown) => {
        firstError ??= err;
      })
      .finally(() => running.delete(task));
    running.add(task);
    if (running.size >= window) await Promise.race(running);
  }
  await Promise.all(running);
  throwIfAborted(opts.signal);
  if (firstError) throw firstError;
}

/** Loads the extracted documents of a list, skipping any that vanished. */
export async function* loadDocuments(project: Project, list: Iterable<ProjectDocument>): AsyncGenerator<SourceDocument> {
  const store = new DocumentStore(project.paths.documents);
  for (const d of list) {
    const doc = await store.load(d.id);
    if (doc) yield { doc, sourcePath: d.sourcePath };
  }
}

/**
 * `brightrun records build`: runs the configured builders (chunk, instruction, chat, pairs) over the documents
 * whose records are not stored for the current parameters of each builder — a template edit reruns only that
 * builder — then streams every document's records (generated records of `records generate` included, never a
 * model call) through the quality steps (QualityGate: PII, exact duplicates, length limits, near-duplicates —
 * across all builders, documents in source-path order, builders in BUILD_BUILDERS order) and split assignment
 * into a new build folder, and publishes it atomically (RecordStore.publish). Never holds all records in
 * memory: only the gate's duplicate keys and MinHash signatures (qualityGate.ts) and one document's records.
 * Throws RUN_IN_PROGRESS when a build or generation of the project runs already (another window or process).
 */
export function buildProjectRecords(project: Project, opts: ProjectBuildOptions = {}): Promise<BuildResult> {
  // One build or generation at a time per project (RUN_IN_PROGRESS otherwise): two would redo the same work and race to publish.
  return project.withRunLock('records', () => buildUnlocked(project, opts));
}

async function buildUnlocked(project: Project, opts: ProjectBuildOptions): Promise<BuildResult> {
  const settings = await loadRecordSettings(project.config, project.root);
  const tok = loadTokenizer(settings.chunk.tokenizer);
  const store = new RecordStore(project.paths.records);
  const docs = await projectDocuments(project);
  const plans: DocumentPlan[] = [];
  for (const d of docs) plans.push(await planDocument(store, settings, d));
  const stale = plans.filter((p) => p.missing.size > 0 || p.unknownFormat);
  const total = stale.length + docs.length;
  let step = 0;

  const byId = new Map(stale.map((p) => [p.d.id, p]));
  const failed: BuildResult['failed'] = [];
  if (opts.inProcess) {
    for await (const source of loadDocuments(project, stale.map((p) => p.d))) {
      throwIfAborted(opts.signal);
      const { plan } = await storeDocumentRecords(store, source, byId.get(source.doc.id)!.d, settings, tok, opts.signal);
      byId.set(source.doc.id, plan);
      opts.onProgress?.({ done: ++step, total, unit: 'files', current: source.sourcePath });
      await new Promise((resolve) => setImmediate(resolve));
    }
  } else if (stale.length) {
    // Tokenising and the builders run in the pool's processes, off this thread (the editor's, in the extension).
    const pool = opts.pool ?? new ExtractionPool(Math.max(1, Math.min(opts.concurrency ?? defaultPoolSize(), stale.length)));
    try {
      await buildInPool(project, pool, stale.map((p) => p.d), settings, opts, async (d, outcome) => {
        if ('error' in outcome) failed.push({ sourcePath: d.sourcePath, error: outcome.error });
        else if (byId.get(d.id)!.unknownFormat && !outcome.missing) byId.set(d.id, await planDocument(store, settings, { ...d, ...(outcome.format ? { format: outcome.format } : {}) }));
        opts.onProgress?.({ done: ++step, total, unit: 'files', current: d.sourcePath });
      });
    } finally {
      if (!opts.pool) await pool.close();
    }
  }
  throwIfAborted(opts.signal);

  const generate = settings.generate !== undefined;
  const tally = new BuildTally(Object.fromEntries([...settings.builders.map((b) => [b, builderKeys(settings, false)[b]]), ...(generate ? [['generate', builderKeys(settings, false).generate]] : [])]));
  const build = await store.startBuild();
  try {
    const gate = new QualityGate(settings, tok);
    const furniture = { lines: 0, documents: 0 };
    const field = settings.splits.stratifyBy;
    const strata = field ? new StrataCounter(field) : undefined;
    const mustLoad = (d: ProjectDocument) => !!field && (needsMetadata(field) || (field === 'format' && !d.format));
    const documents = plans.some((p) => mustLoad(p.d)) ? new DocumentStore(project.paths.documents) : undefined; // metadata strata read each document
    const used = new Set<string>();
    const generation = { documents: 0, pending: 0 };
    for (const original of plans) {
      if (opts.signal?.aborted) throw cancelledError();
      const plan = byId.get(original.d.id) ?? original;
      const d = plan.d;
      const split = splitOf(d.id, settings.splits);
      let stratum = '';
      if (field) {
        const doc = documents && mustLoad(d) ? await documents.load(d.id) : undefined;
        const format = d.format ?? doc?.format;
        stratum = stratumOf(field, { sourcePath: d.sourcePath, ...(format ? { format } : {}), ...(doc ? { metadata: doc.metadata } : {}) });
      }
      const keptBy = new Set<BuilderName>();
      let furnitureLines = 0;
      const sources: Array<{ builder: BuilderName; area: RecordArea }> = plan.builders.map((builder) => ({ builder, area: 'by-document' }));
      if (generate) sources.push({ builder: 'generate', area: 'generated' });
      for (const { builder, area } of sources) {
        const key = plan.keys[builder];
        if (!(await store.hasDocument(d.id, key, area))) {
          if (builder === 'generate') generation.pending++;
          continue; // generate: not run yet for this document; others: its extraction vanished meanwhile
        }
        if (area === 'by-document') used.add(`${d.id}.${key}.jsonl`);
        let generated = false;
        for await (const { record: raw, signature } of store.readDocumentEntries(d.id, key, { area, onMeta: (meta) => {
          tally.report(d.sourcePath, meta);
          furnitureLines = Math.max(furnitureLines, meta.furnitureLines ?? 0);
          generated = builder === 'generate' && !meta.notApplied;
        } })) {
          const { record: r, outcome } = gate.judge({ ...raw, lineage: { ...raw.lineage, sourcePath: d.sourcePath } } as TrainingRecord, split, signature);
          if (outcome === 'duplicate') tally.duplicate(builder);
          else if (outcome === 'near-duplicate') tally.nearDuplicate(builder);
          else if (outcome === 'too-short') tally.tooShort(builder);
          else if (outcome === 'over-length') tally.overLength(builder, split, 'dropped');
          else if (outcome === 'truncated') tally.overLength(builder, split, 'truncated');
          if (!r) continue;
          r.split = split;
          await build.write(split, r);
          tally.kept(builder, split, r.tokens ?? 0);
          strata?.record(split, stratum, r.tokens ?? 0);
          keptBy.add(builder);
        }
        if (generated) generation.documents++;
      }
      if (furnitureLines) {
        furniture.lines += furnitureLines;
        furniture.documents++;
      }
      tally.documentDone(split, keptBy);
      if (keptBy.size) strata?.document(split, stratum);
      opts.onProgress?.({ done: ++step, total, unit: 'files', current: d.sourcePath });
    }
    const manifest: RecordsManifest = {
      formatVersion: 1, build: build.id, builtAt: new Date().toISOString(), builders: tally.builders, settings, documents: docs.length,
      splits: tally.splits, dropped: tally.dropped, problems: tally.problems, problemsTotal: tally.problemsTotal, ...(generate ? { generation } : {}),
      furniture,
      ...(settings.redactPii.length ? { pii: { ...gate.pii, records: gate.piiRecords } } : {}),
      ...(strata ? { strata: strata.toJSON() } : {}),
    };
    await store.publish(build, manifest, used);
    return { manifest, processed: stale.length - failed.length, reused: docs.length - stale.length, failed, signaturesComputed: gate.signaturesComputed };
  } catch (err) {
    await build.abandon();
    throw err;
  }
}

/** One document of a dry run: what each configured builder would make of it. */
export interface DryRunDocument {
  sourcePath: string;
  outputs: BuilderOutput[];
}

/** `records build --dry-run N`: the records every configured builder would make of the first N documents, writing nothing. */
export async function dryRunRecords(project: Project, n: number, opts: BuildOptions = {}): Promise<DryRunDocument[]> {
  const settings = await loadRecordSettings(project.config, project.root);
  const tok = loadTokenizer(settings.chunk.tokenizer);
  const docs = (await projectDocuments(project)).slice(0, n);
  const out: DryRunDocument[] = [];
  for await (const { source, outputs } of buildDocuments(loadDocuments(project, docs), settings, opts)) {
    const split = splitOf(source.doc.id, settings.splits);
    // What is shown is what would be written: PII redacted, length limits applied (too short left out, too long
    // truncated or left out); only de-duplication, which depends on the whole project, is not previewed.
    const gate = new QualityGate({ ...settings, dedupe: 'none' }, tok);
    for (const o of outputs) {
      o.records = o.records.flatMap((raw) => {
        const kept = gate.admit(raw, split);
        return kept ? [{ ...kept, split, tokens: kept.tokens ?? tok.count(recordText(kept)) }] : [];
      });
    }
    out.push({ sourcePath: source.sourcePath, outputs });
  }
  return out;
}
