import type { SourceDocument } from './chunker';
import { builderKeys, buildersFor, buildDocumentRecords, isPairsCandidate, type BuilderOutput } from './documentRecords';
import { minhashSignature } from './minhash';
import { recordText } from './quality';
import type { RecordSettings } from './settings';
import type { RecordStore } from './store';
import type { TextTokenizer } from './tokenizer';
import type { BuilderName, CompletionRecord } from './types';

/** An extracted document of the project: its content hash, the source path it was added as, its source's size in bytes, and its format when known. */
export interface ProjectDocument {
  id: string;
  sourcePath: string;
  size: number;
  format?: string;
}

/** What a build needs of one document: its builders' storage keys, and which of them have no stored records. */
export interface DocumentPlan {
  d: ProjectDocument;
  keys: Record<BuilderName, string>;
  builders: BuilderName[];
  missing: Set<BuilderName>;
  /** The format is unknown and neither set of files is complete: the document must be loaded to decide. */
  unknownFormat: boolean;
}

/**
 * Which builders' records a document lacks (one `fs.access` per builder). The builders and keys depend on whether
 * the document is a pairs candidate, i.e. on its format (sources.json `extracted.format`).
 */
export async function planDocument(store: RecordStore, settings: RecordSettings, d: ProjectDocument): Promise<DocumentPlan> {
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
 * One document's share of a records build, wherever it runs (a pool process through recordsTask.ts, or this
 * thread with `inProcess`): plans it with its real format, runs only the builders whose record file is missing
 * (template builders reuse the stored chunk records when the chunk file is current) and writes each builder's
 * file (RecordStore.writeDocument: atomic, meta line first). Returns the plan (the parent assembles by it) and
 * what was written.
 */
export async function storeDocumentRecords(store: RecordStore, source: SourceDocument, d: ProjectDocument, settings: RecordSettings, tok: TextTokenizer, signal?: AbortSignal): Promise<{ plan: DocumentPlan; outputs: BuilderOutput[] }> {
  const plan = await planDocument(store, settings, { ...d, format: source.doc.format });
  const outputs = plan.missing.size ? await buildMissing(store, source, plan, settings, tok, signal) : [];
  // dedupe "near": each record's MinHash signature is computed here (a records process, off the editor's thread)
  // and stored on its line; the build's QualityGate then only looks it up in the LSH bands.
  const near = settings.dedupe === 'near';
  for (const o of outputs) await store.writeDocument(source.doc.id, o.key, o.records, o.report, 'by-document', near ? o.records.map((r) => minhashSignature(recordText(r))) : undefined);
  return { plan, outputs };
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
