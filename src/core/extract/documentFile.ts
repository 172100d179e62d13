import type { ExtractionSummary } from '../project/sources';
import type { ExtractedDocument } from './types';
import { openIfExists } from '../fs/openIfExists';

/**
 * The on-disk form of an extracted document, `.brightrun/documents/<sha256>.json`: the ExtractedDocument as
 * JSON, with three small members first — `id`, `extractor` and `summary` (the facts the source list keeps,
 * ExtractionSummary) — so that whether a stored document is current, and what it holds, is read from the
 * file's first bytes, never by reading and parsing a whole document (issue #13: reusing 100,000 stored
 * documents parsed every one of them). Still one JSON object: any reader may parse the whole file.
 */
export type StoredDocument = ExtractedDocument & { summary?: ExtractionSummary };

/** The first members of a stored document. */
export interface DocumentHeader {
  id: string;
  extractor: ExtractedDocument['extractor'];
  summary: ExtractionSummary;
}

/** Bytes read first for a header; a header longer than this (hundreds of warnings) is read in larger steps. */
const HEADER_READ = 4096;
/** A header is never longer than this: a file whose first members do not end before it is read whole instead. */
export const MAX_HEADER_BYTES = 256 * 1024;

/** The few facts about an extracted document that the source list keeps (ExtractionSummary). */
export function summarize(doc: ExtractedDocument): ExtractionSummary {
  let minOcr: number | undefined;
  for (const p of doc.pages ?? []) if (p.source === 'ocr' && p.ocrConfidence !== undefined) minOcr = Math.min(minOcr ?? Infinity, p.ocrConfidence);
  return {
    format: doc.format,
    ...(doc.pages ? { pages: doc.pages.length } : {}),
    ocrPages: doc.ocrPages,
    chars: doc.text.length,
    warnings: doc.warnings.map((w) => w.code),
    ...(doc.metadata.title ? { title: doc.metadata.title } : {}),
    durationMs: doc.timings.totalMs,
    ...(minOcr !== undefined ? { minOcrConfidence: minOcr } : {}),
  };
}

/** The file's content, header first (in parts, so a large text is not copied into one more string). */
export function documentFileContent(doc: ExtractedDocument): string[] {
  const { summary: _old, id, extractor, ...rest } = doc as StoredDocument;
  const ordered: StoredDocument = { id, extractor, summary: summarize(doc), ...rest };
  return [JSON.stringify(ordered), '\n'];
}

/** What reading a header cost (tests check that it does not grow with the document). */
export interface HeaderReadCounters {
  bytesRead: number;
  wholeParses: number;
}

/**
 * The header of the stored document in `file`, reading its first bytes only; `undefined` when the file does not
 * begin with one (a document stored before headers were written — the caller then reads it whole) or is missing
 * (ENOENT is returned as null). Errors other than a missing file are thrown.
 */
export async function readDocumentHeader(file: string, counters?: HeaderReadCounters): Promise<DocumentHeader | null | undefined> {
  const handle = await openIfExists(file);
  if (!handle) return null;
  try {
    let buf = Buffer.alloc(HEADER_READ);
    let have = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, have, buf.length - have, have);
      have += bytesRead;
      if (counters) counters.bytesRead += bytesRead;
      const end = endOfHeader(buf.subarray(0, have));
      if (end !== undefined) return end < 0 ? undefined : parseHeader(buf.subarray(0, end));
      if (bytesRead === 0 || have >= MAX_HEADER_BYTES) return undefined;
      const bigger = Buffer.alloc(Math.min(MAX_HEADER_BYTES, buf.length * 4));
      buf.copy(bigger, 0, 0, have);
      buf = bigger;
    }
  } finally {
    await handle.close();
  }
}

/**
 * Where the third top-level member of the JSON object in `bytes` ends (the offset of the comma after it), -1
 * when the text does not start as a header does (`{"id":`), or undefined when more bytes are needed. Walks the
 * bytes once, skipping strings (a quote or brace inside a string, escaped or not, is not structure).
 */
function endOfHeader(bytes: Buffer): number | undefined {
  const prefix = Buffer.from('{"id":');
  if (bytes.length < prefix.length) return bytes.equals(prefix.subarray(0, bytes.length)) ? undefined : -1;
  if (!bytes.subarray(0, prefix.length).equals(prefix)) return -1;
  let depth = 0;
  let members = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === 0x22) {
      // a string: skip to its closing quote
      for (i++; i < bytes.length && bytes[i] !== 0x22; i++) if (bytes[i] === 0x5c) i++;
      if (i >= bytes.length) return undefined;
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return -1; // the object ended within three members: not a header
    } else if (c === 0x2c && depth === 1 && ++members === 3) return i;
  }
  return undefined;
}

function parseHeader(bytes: Buffer): DocumentHeader | undefined {
  let parsed: Partial<DocumentHeader>;
  try {
    parsed = JSON.parse(bytes.toString('utf8') + '}') as Partial<DocumentHeader>;
  } catch {
    return undefined;
  }
  const keys = Object.keys(parsed);
  if (keys.join() !== 'id,extractor,summary' || typeof parsed.id !== 'string' || typeof parsed.extractor?.version !== 'string' || typeof parsed.summary?.format !== 'string') return undefined;
  return parsed as DocumentHeader;
}
