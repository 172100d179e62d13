import { DocumentStore } from '../extract/documentStore';
import { storeDocumentRecords } from './documentPlan';
import type { RecordSettings } from './settings';
import { RecordStore } from './store';
import { loadTokenizer } from './tokenizer';

/**
 * One document's share of a records build, as a pool task (the `records` stage, extract/workerStages.ts): read
 * the extracted document, run the builders whose record files are missing (documentPlan.ts storeDocumentRecords →
 * documentRecords.ts buildDocumentRecords — the same functions the in-process build runs, so the output is the
 * same) and write their per-document record files (atomic). Only counts go back to the parent, which streams the
 * quality steps, splits and publishing.
 */
export interface RecordsTaskInput {
  /** .brightrun/documents (DocumentStore) and .brightrun/records (RecordStore) of the project. */
  documentsDir: string;
  recordsDir: string;
  /** The document (sha256 of its source's bytes), the source path it was added as, and its source's size. */
  documentId: string;
  sourcePath: string;
  size: number;
  /** Plain data: template files already read (settings.ts loadRecordSettings). */
  settings: RecordSettings;
}

export interface RecordsTaskResult {
  documentId: string;
  /** The document's format (decides whether it is a pairs candidate, hence its builders and keys). */
  format?: string;
  /** Records written (all builders run), and their tokens together (as counted by the builders). */
  records: number;
  tokens: number;
  /** The document is no longer stored (its extraction vanished meanwhile): nothing was written. */
  missing?: true;
}

/** Runs one records task (in a pool process, or in-process): units are records, reported once, at the end. */
export async function runRecordsTask(input: RecordsTaskInput, onUnit?: (done: number, total: number) => void): Promise<RecordsTaskResult> {
  const doc = await new DocumentStore(input.documentsDir).load(input.documentId);
  if (!doc) return { documentId: input.documentId, records: 0, tokens: 0, missing: true };
  const tok = loadTokenizer(input.settings.chunk.tokenizer);
  const d = { id: input.documentId, sourcePath: input.sourcePath, size: input.size };
  const { outputs } = await storeDocumentRecords(new RecordStore(input.recordsDir), { doc, sourcePath: input.sourcePath }, d, input.settings, tok);
  let records = 0;
  let tokens = 0;
  for (const o of outputs) {
    records += o.records.length;
    for (const r of o.records) tokens += r.tokens ?? 0;
  }
  onUnit?.(records, records);
  return { documentId: input.documentId, format: doc.format, records, tokens };
}
