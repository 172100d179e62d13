import { cancelledError, throwIfAborted } from '../errors';
import { DocumentStore } from '../extract/documentStore';
import type { Project } from '../project/project';
import type { ProgressCallback } from '../progress';
import { BuildTally } from './buildStats';
import type { SourceDocument } from './chunker';
import { builderKeys, buildersFor, buildDocumentRecords, isPairsCandidate, type BuilderOutput } from './documentRecords';
import { redactRecord } from './pii';
import { recordText } from './quality';
import { QualityGate } from './qualityGate';
import { loadRecordSettings, type RecordSettings } from './settings';
import { splitOf } from './splits';
import { needsMetadata, StrataCounter, stratumOf } from './strata';
import { RecordStore, type RecordArea, type RecordsManifest } from './store';
import { loadTokenizer, type TextTokenizer } from './tokenizer';
import type { BuilderName, CompletionRecord, TrainingRecord } from './types';

export interface BuildOptions {
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

/** A document of the project: its content hash, the source path it was added as, and its format when known. */
export interface ProjectDocument {
  id: string;
  sourcePath: string;
  format?: string;
}

/**
 * The configured builders over a stream of documents: yields each document's outputs (per builder) as it is done.
 * Pure per document (buildDocumentRecords), async and cancellable, so it can move into a worker pool unchanged.
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
}

/** The project's extracted documents (sources done), one per content hash, in source-path order. */
export async function projectDocuments(project: Project): Promise<ProjectDocument[]> {
  const seen = new Set<string>();
  const out: ProjectDocument[] = [];
  for (const s of (await project.readSources()).filter((x) => x.status === 'done').sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    if (seen.has(s.sha256)) continue;
    seen.add(s.sha256);
    out.push({ id: s.sha256, sourcePath: s.path, ...(s.extracted?.format ? { format: s.extracted.format } : {}) });
  }
  return out;
}

/** Loads the extracted documents of a list, skipping any that vanished. */
export async function* loadDocuments(project: Project, list: Iterable<ProjectDocument>): AsyncGenerator<SourceDocument> {
  const store = new DocumentStore(project.paths.documents);
  for (const d of list) {
    const doc = await store.load(d.id);
    if (doc) yield { doc, sourcePath: d.sourcePath };
  }
}

/** What a build needs of one document: its builders' storage keys, and which of them have no stored records. */
interface DocumentPlan {
  d: ProjectDocument;
  keys: Record<BuilderName, string>;
  builders: BuilderName[];
  missing: Set<BuilderName>;
  unknownFormat: boolean;
}

async function planDocument(store: RecordStore, settings: RecordSettings, d: ProjectDocument): Promise<DocumentPlan> {
  const plan = async (candidate: boolean): Promise<DocumentPlan> => {
    const keys = builderKeys(settings, candidate);
    const builders: BuilderName[] = buildersFor(settings, candidate);
    const missing = new Set<BuilderName>();
    for (const b of builders) if (!(await store.hasDocument(d.id, keys[b]))) missing.add(b);
    return { d, keys, builders, missing, unknownFormat: false };
  };
  if (d.format !== undefined) return plan(isPairsCandidate(d.sourcePath, d.format, settings));
  // A format sources.json does not know (older states): whichever complete set of files a build stored is right
  // (a document is a pairs candidate or not by its content); with neither, the document is loaded to find out.
  const asOther = await plan(false);
  if (!asOther.missing.size || !settings.builders.includes('pairs')) return asOther;
  const asCandidate = await plan(true);
  return asCandidate.missing.size ? { ...asOther, unknownFormat: true } : asCandidate;
}

/**
 * `brightrun records build`: runs the configured builders (chunk, instruction, chat, pairs) over the documents
 * whose records are not stored for the current parameters of each builder — a template edit reruns only that
 * builder — then streams every document's records (generated records of `records generate` included, never a
 * model call) through the quality steps (QualityGate: PII, exact duplicates, length limits, near-duplicates —
 * across all builders, documents in source-path order, builders in BUILD_BUILDERS order) and split assignment
 * into a new build folder, and publishes it atomically (RecordStore.publish). Never holds all records in
 * memory: only the gate's duplicate keys and MinHash signatures (qualityGate.ts) and one document's records.
 */
export async function buildProjectRecords(project: Project, opts: BuildOptions = {}): Promise<BuildResult> {
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
  for await (const source of loadDocuments(project, stale.map((p) => p.d))) {
    throwIfAborted(opts.signal);
    let plan = byId.get(source.doc.id)!;
    if (plan.unknownFormat) plan = await planDocument(store, settings, { ...plan.d, format: source.doc.format });
    const outputs = plan.missing.size ? await buildMissing(store, source, plan, settings, tok, opts.signal) : [];
    for (const o of outputs) await store.writeDocument(source.doc.id, o.key, o.records, o.report);
    byId.set(source.doc.id, plan);
    opts.onProgress?.({ done: ++step, total, unit: 'files', current: source.sourcePath });
    await new Promise((resolve) => setImmediate(resolve));
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
        for await (const raw of store.readDocument(d.id, key, { area, onMeta: (meta) => {
          tally.report(d.sourcePath, meta);
          furnitureLines = Math.max(furnitureLines, meta.furnitureLines ?? 0);
          generated = builder === 'generate' && !meta.notApplied;
        } })) {
          const { record: r, outcome } = gate.judge({ ...raw, lineage: { ...raw.lineage, sourcePath: d.sourcePath } } as TrainingRecord, split);
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
    return { manifest, processed: stale.length, reused: docs.length - stale.length };
  } catch (err) {
    await build.abandon();
    throw err;
  }
}

/** Runs the builders a document lacks; template builders reuse its stored chunks when the chunk builder's file is current. */
async function buildMissing(store: RecordStore, source: SourceDocument, plan: DocumentPlan, settings: RecordSettings, tok: TextTokenizer, signal?: AbortSignal): Promise<BuilderOutput[]> {
  let chunks: CompletionRecord[] | undefined;
  const templated = plan.missing.has('instruction') || plan.missing.has('chat');
  if (templated && !plan.missing.has('chunk') && plan.builders.includes('chunk')) {
    chunks = [];
    let applied = true;
    for await (const r of store.readDocument(source.doc.id, plan.keys.chunk, { onMeta: (m) => (applied = !m.notApplied) })) chunks.push(r as CompletionRecord);
    if (!applied) chunks = undefined;
  }
  return buildDocumentRecords(source, settings, tok, { only: plan.missing, ...(chunks ? { chunks } : {}), ...(signal ? { signal } : {}) });
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
    // PII is redacted in the preview too (what is shown is what would be written); no de-duplication here.
    for (const o of outputs) {
      o.records = o.records.map((raw) => {
        const r = settings.redactPii.length ? redactRecord(raw, settings.redactPii).record : raw;
        return { ...r, split, tokens: r.tokens ?? tok.count(recordText(r)) };
      });
    }
    out.push({ sourcePath: source.sourcePath, outputs });
  }
  return out;
}
