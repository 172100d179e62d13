import { DocumentStore } from '../extract/documentStore';
import { buildDocumentRecords } from './build';
import type { RecordSettings } from './settings';
import { RecordStore } from './store';

/**
 * One document's share of a records build, as a pool task (the `records` stage, extract/workerStages.ts): read
 * the extracted document, build its records (build.ts buildDocumentRecords — the same function the in-process
 * build runs, so the output is the same) and write its per-document record file (RecordStore.writeDocument,
 * atomic). Only counts go back to the parent, which streams de-duplication, splits and publishing as before.
 */
export interface RecordsTaskInput {
  /** .brightrun/documents (DocumentStore) and .brightrun/records (RecordStore) of the project. */
  documentsDir: string;
  recordsDir: string;
  /** The document (sha256 of its source's bytes) and the source path it was added as. */
  documentId: string;
  sourcePath: string;
  settings: RecordSettings;
  /** The builders' parameter hash the record file is named by (ids.ts paramsHash). */
  paramsHash: string;
}

export interface RecordsTaskResult {
  documentId: string;
  /** Records written, and their tokens together. */
  records: number;
  tokens: number;
  /** The document is no longer stored (its extraction vanished meanwhile): nothing was written. */
  missing?: true;
}

/** Runs one records task (in a pool process, or in-process): units are records, reported once, at the end. */
export async function runRecordsTask(input: RecordsTaskInput, onUnit?: (done: number, total: number) => void): Promise<RecordsTaskResult> {
  const doc = await new DocumentStore(input.documentsDir).load(input.documentId);
  if (!doc) return { documentId: input.documentId, records: 0, tokens: 0, missing: true };
  const records = buildDocumentRecords({ doc, sourcePath: input.sourcePath }, input.settings);
  await new RecordStore(input.recordsDir).writeDocument(input.documentId, input.paramsHash, records);
  onUnit?.(records.length, records.length);
  return { documentId: input.documentId, records: records.length, tokens: records.reduce((sum, r) => sum + (r.tokens ?? 0), 0) };
}
