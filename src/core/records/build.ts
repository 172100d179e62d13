import { cancelledError, throwIfAborted } from '../errors';
import { DocumentStore } from '../extract/documentStore';
import type { Project } from '../project/project';
import type { ProgressCallback } from '../progress';
import { chunkDocument, type SourceDocument } from './chunker';
import { pageFurniture } from './furniture';
import { paramsHash } from './ids';
import { redactRecord } from './pii';
import { QualityGate } from './qualityGate';
import { recordSettings, type RecordSettings } from './settings';
import { splitOf, SPLITS } from './splits';
import { needsMetadata, StrataCounter, stratumOf } from './strata';
import { RecordStore, type DocumentSummary, type RecordsManifest, type SplitStats } from './store';
import { loadTokenizer, type TextTokenizer } from './tokenizer';
import type { CompletionRecord, SplitName } from './types';

export interface BuildOptions {
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

/**
 * The per-document step of a build, pure (no I/O, no shared state; the same document and settings give the
 * same result): page furniture detected and left out (when `chunk.removeFurniture`), then the chunk builder.
 * Returns the records and the figures stored beside them (RecordStore.writeDocument).
 */
export function documentRecords(source: SourceDocument, settings: RecordSettings, tok: TextTokenizer): { records: CompletionRecord[]; summary: DocumentSummary } {
  const furniture = settings.chunk.removeFurniture ? pageFurniture(source.doc) : [];
  const records = chunkDocument(source, settings.chunk, tok, furniture);
  return { records, summary: furniture.length ? { furnitureLines: furniture.length } : {} };
}

/**
 * The chunk builder over a stream of documents: yields each document's records as it is done (documentRecords).
 * Async and cancellable, so it can move into a worker pool unchanged (it runs in-process today).
 */
export async function* chunkDocuments(docs: AsyncIterable<SourceDocument>, settings: RecordSettings, opts: BuildOptions = {}): AsyncGenerator<{ source: SourceDocument; records: CompletionRecord[]; summary: DocumentSummary }> {
  const tok = loadTokenizer(settings.chunk.tokenizer);
  let done = 0;
  for await (const source of docs) {
    throwIfAborted(opts.signal);
    const { records, summary } = documentRecords(source, settings, tok);
    done++;
    opts.onProgress?.({ done, unit: 'files', current: source.sourcePath });
    yield { source, records, summary };
    await new Promise((resolve) => setImmediate(resolve)); // let cancellation and progress through
  }
}

export interface BuildResult {
  manifest: RecordsManifest;
  /** Documents chunked in this build (the others' records were reused from by-document/). */
  processed: number;
  reused: number;
}

/** The project's extracted documents (sources done), one per content hash, in source-path order, with their format when known. */
export async function projectDocuments(project: Project): Promise<Array<{ id: string; sourcePath: string; format?: string }>> {
  const seen = new Set<string>();
  const out: Array<{ id: string; sourcePath: string; format?: string }> = [];
  for (const s of (await project.readSources()).filter((x) => x.status === 'done').sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    if (seen.has(s.sha256)) continue;
    seen.add(s.sha256);
    out.push({ id: s.sha256, sourcePath: s.path, ...(s.extracted?.format ? { format: s.extracted.format } : {}) });
  }
  return out;
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
 * then streams every document's records through the quality steps (QualityGate: PII, duplicates, length
 * limits, near-duplicates) and split assignment into a new build folder, and publishes it atomically
 * (RecordStore.publish). Never holds all records in memory: only the gate's duplicate keys and MinHash
 * signatures (qualityGate.ts) and one document's records at a time. Records are seen in source-path order.
 */
export async function buildProjectRecords(project: Project, opts: BuildOptions = {}): Promise<BuildResult> {
  const settings = recordSettings(project.config);
  const hash = paramsHash({ builder: 'chunk', ...settings.chunk });
  const store = new RecordStore(project.paths.records);
  const docs = await projectDocuments(project);
  const missing: typeof docs = [];
  for (const d of docs) if (!(await store.hasDocument(d.id, hash))) missing.push(d);
  const total = missing.length + docs.length;
  let step = 0;
  for await (const { source, records, summary } of chunkDocuments(loadDocuments(project, missing), settings, { ...(opts.signal ? { signal: opts.signal } : {}) })) {
    await store.writeDocument(source.doc.id, hash, records, Object.keys(summary).length ? summary : undefined);
    opts.onProgress?.({ done: ++step, total, unit: 'files', current: source.sourcePath });
  }
  throwIfAborted(opts.signal);

  const tok = loadTokenizer(settings.chunk.tokenizer);
  const build = await store.startBuild();
  try {
    const stats = emptyStats();
    const gate = new QualityGate(settings, tok);
    const furniture = { lines: 0, documents: 0 };
    const field = settings.splits.stratifyBy;
    const strata = field ? new StrataCounter(field) : undefined;
    const mustLoad = (d: { format?: string }) => !!field && (needsMetadata(field) || (field === 'format' && !d.format));
    const documents = docs.some(mustLoad) ? new DocumentStore(project.paths.documents) : undefined; // metadata strata read each document
    const used = new Set<string>();
    for (const d of docs) {
      if (opts.signal?.aborted) throw cancelledError();
      if (!(await store.hasDocument(d.id, hash))) continue; // a document whose extraction vanished meanwhile
      used.add(`${d.id}.${hash}.jsonl`);
      const split = splitOf(d.id, settings.splits);
      const summary = await store.readSummary(d.id, hash);
      if (summary.furnitureLines) {
        furniture.lines += summary.furnitureLines;
        furniture.documents++;
      }
      let stratum = '';
      if (field) {
        const doc = documents && mustLoad(d) ? await documents.load(d.id) : undefined;
        const format = d.format ?? doc?.format;
        stratum = stratumOf(field, { sourcePath: d.sourcePath, ...(format ? { format } : {}), ...(doc ? { metadata: doc.metadata } : {}) });
      }
      let any = false;
      for await (const raw of store.readDocument(d.id, hash)) {
        const r = gate.admit({ ...raw, lineage: { ...raw.lineage, sourcePath: d.sourcePath } }, split);
        if (!r) continue;
        r.split = split;
        await build.write(split, r);
        stats[split].records++;
        stats[split].tokens += r.tokens ?? 0;
        strata?.record(split, stratum, r.tokens ?? 0);
        any = true;
      }
      if (any) {
        stats[split].documents++;
        strata?.document(split, stratum);
      }
      opts.onProgress?.({ done: ++step, total, unit: 'files', current: d.sourcePath });
    }
    for (const s of SPLITS) stats[s].overLength = gate.overLength[s];
    const manifest: RecordsManifest = {
      formatVersion: 1,
      build: build.id,
      builtAt: new Date().toISOString(),
      builder: 'chunk',
      paramsHash: hash,
      settings,
      documents: docs.length,
      splits: stats,
      dropped: gate.dropped,
      furniture,
      ...(settings.redactPii.length ? { pii: { ...gate.pii, records: gate.piiRecords } } : {}),
      ...(strata ? { strata: strata.toJSON() } : {}),
    };
    await store.publish(build, manifest, used);
    return { manifest, processed: missing.length, reused: docs.length - missing.length };
  } catch (err) {
    await build.abandon();
    throw err;
  }
}

/** `records build --dry-run N`: the records the first N documents would give (PII redacted when set), writing nothing. */
export async function dryRunRecords(project: Project, n: number, opts: BuildOptions = {}): Promise<Array<{ sourcePath: string; records: CompletionRecord[] }>> {
  const settings = recordSettings(project.config);
  const docs = (await projectDocuments(project)).slice(0, n);
  const out: Array<{ sourcePath: string; records: CompletionRecord[] }> = [];
  const tok = loadTokenizer(settings.chunk.tokenizer);
  for await (const { source, records } of chunkDocuments(loadDocuments(project, docs), settings, opts)) {
    // PII is redacted in the preview too (what is shown is what would be written); no de-duplication here.
    const shown = records.map((raw) => {
      const r = settings.redactPii.length ? redactRecord(raw, settings.redactPii).record : raw;
      return { ...r, tokens: r.tokens ?? tok.count(r.text), split: splitOf(source.doc.id, settings.splits) };
    });
    out.push({ sourcePath: source.sourcePath, records: shown });
  }
  return out;
}

function emptyStats(): Record<SplitName, SplitStats> {
  return Object.fromEntries(SPLITS.map((s) => [s, { records: 0, tokens: 0, documents: 0, overLength: { truncated: 0, dropped: 0 } }])) as Record<SplitName, SplitStats>;
}
