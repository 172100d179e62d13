import picomatch from 'picomatch';
import { BrightRunError, throwIfAborted } from '../errors';
import type { GenerationFailure } from './llm/generate';
import { promptHash } from './llm/generate';
import { chunkDocument, type SourceDocument } from './chunker';
import { pageFurniture, type TextSpan } from './furniture';
import { paramsHash } from './ids';
import { importPairs, type PairMapping, type SkippedRow } from './pairs';
import type { BuildBuilderName, PairsSettings, RecordSettings } from './settings';
import { buildChatRecords, buildInstructionRecords, type SourceChunk } from './templates';
import type { TextTokenizer } from './tokenizer';
import type { BuilderName, CompletionRecord, TrainingRecord } from './types';

/**
 * One document through the configured record builders: `(document, settings) → records per builder`. Pure (no
 * I/O, no shared state) and synchronous, so the build can run it in-process today and in a worker or child
 * process later (the settings are plain data). Which builders apply to a document (docs/records.md):
 * - a **pairs document** is a CSV / TSV / JSON / JSONL source (matching `pairs.include`) whose columns map to
 *   training pairs (detected, or the explicit `pairs.mapping`): the pairs builder makes its records, and the
 *   chunk, instruction and chat builders skip it unless `pairs.chunk` is true;
 * - every other document goes through chunk, instruction and chat (those configured); pairs skips it.
 */

/** At most this many skipped rows / empty chunks are kept per document and builder (the counts are exact). */
export const MAX_REPORTED_PER_DOCUMENT = 100;

/** What one builder did with one document: stored as the first line of its record file, summed into the manifest. */
export interface BuilderReport {
  builder: BuilderName;
  /** Records made (before de-duplication and length limits). */
  records: number;
  /** The builder does not apply to this document: a pairs document (chunk / instruction / chat), or not one (pairs). */
  notApplied?: 'pairs-document' | 'not-pairs';
  /** Pairs: rows seen (header excluded), the mapping used, rows skipped (first MAX_REPORTED_PER_DOCUMENT) and their count. */
  rows?: number;
  mapping?: PairMapping;
  skipped?: SkippedRow[];
  skippedCount?: number;
  /** Instruction / chat: indexes of chunks whose output rendered empty (no record), and their count. */
  empty?: number[];
  emptyCount?: number;
  /** Generate: chunks whose replies stayed malformed (counted; retried on the next run). */
  failed?: GenerationFailure[];
  model?: string;
  /**
   * Chunk / instruction / chat: lines of repeated page furniture left out of this document's chunks
   * (records.removeFurniture, furniture.ts); absent when none. Summed once per document into the manifest's
   * `furniture`.
   */
  furnitureLines?: number;
}

export interface BuilderOutput {
  builder: BuilderName;
  /** Storage key of this builder's records for this document (builderKeys). */
  key: string;
  records: TrainingRecord[];
  report: BuilderReport;
}

export interface DocumentRecordOptions {
  /** Builders to run (default: settings.builders). */
  only?: ReadonlySet<BuilderName>;
  /** The document's chunks when already known (the stored chunk records), so template builders need no re-chunking. */
  chunks?: readonly CompletionRecord[];
  signal?: AbortSignal;
}

const PAIR_FORMATS = new Set(['csv', 'json', 'jsonl']);

/** Whether a source may be a pairs document (format and `pairs.include`); whether it is one depends on its columns. */
export function isPairsCandidate(sourcePath: string, format: string | undefined, settings: Pick<RecordSettings, 'builders' | 'pairs'>): boolean {
  if (!settings.builders.includes('pairs') || format === undefined || !PAIR_FORMATS.has(format)) return false;
  return !settings.pairs.include || picomatch(settings.pairs.include, { dot: true, nocase: true })(sourcePath);
}

/**
 * Storage keys (first 16 hex of sha256 of canonical JSON) of each builder's records of one document: everything
 * that changes them. Chunk: the chunk parameters (the chunk lineage paramsHash, unchanged by this, for
 * non-candidates). Instruction / chat: their templates and the chunk parameters. Generate: model, prompts and
 * request parameters, and the chunk parameters. For pairs candidates, the pairs settings too (they decide whether
 * the document is chunked at all). Editing one template changes only that builder's key.
 */
export function builderKeys(settings: RecordSettings, candidate: boolean): Record<BuilderName, string> {
  const gate = candidate ? pairsGate(settings.pairs) : undefined;
  const chunk = paramsHash({ builder: 'chunk', ...settings.chunk, ...(gate ? { gate } : {}) });
  const g = settings.generate;
  return {
    chunk,
    instruction: paramsHash({ builder: 'instruction', templates: settings.templates.instruction, chunk }),
    chat: paramsHash({ builder: 'chat', templates: settings.templates.chat, chunk }),
    pairs: paramsHash({ builder: 'pairs', pairs: gate ?? pairsGate(settings.pairs) }),
    generate: g ? paramsHash({ builder: 'generate', model: g.model, n: g.questionsPerChunk, temperature: g.temperature, maxTokens: g.maxTokens, seed: g.seed ?? null, jsonMode: g.jsonMode, output: g.output, promptHash: promptHash(g.prompts), chunk }) : '',
  };
}

function pairsGate(p: PairsSettings): object {
  return { mapping: p.mapping ?? null, include: p.include ?? null, chunk: p.chunk };
}

/** The builders of `settings.builders` that have records to store for a document (pairs only for candidates). */
export function buildersFor(settings: RecordSettings, candidate: boolean): BuildBuilderName[] {
  return settings.builders.filter((b) => b !== 'pairs' || candidate);
}

/**
 * Runs the requested builders over one document. Throws TEMPLATE_INVALID / TEMPLATE_LIMIT (a template fails alike
 * on every chunk, so the build stops) and PAIRS_UNMAPPED only for an explicit mapping of a non-tabular document
 * (never: candidates are tabular); a document whose columns do not map is simply not a pairs document.
 */
export function buildDocumentRecords(source: SourceDocument, settings: RecordSettings, tok: TextTokenizer, opts: DocumentRecordOptions = {}): BuilderOutput[] {
  throwIfAborted(opts.signal);
  const { doc } = source;
  const candidate = isPairsCandidate(source.sourcePath, doc.format, settings);
  const keys = builderKeys(settings, candidate);
  const wanted = opts.only ?? new Set<BuilderName>(settings.builders);
  const out: BuilderOutput[] = [];

  let pairs: ReturnType<typeof importPairs> | undefined;
  if (candidate) {
    try {
      pairs = importPairs(doc, { ...(settings.pairs.mapping ? { mapping: settings.pairs.mapping } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
    } catch (err) {
      if (!(err instanceof BrightRunError && err.code === 'PAIRS_UNMAPPED')) throw err;
    }
  }
  const textBuilders = !pairs || settings.pairs.chunk;
  let chunks: readonly CompletionRecord[] | undefined = opts.chunks;
  let furniture: TextSpan[] | undefined;
  const furnitureOf = () => (furniture ??= documentFurniture(source, settings));
  const chunksOf = () => (chunks ??= chunkDocument(source, settings.chunk, tok, furnitureOf()));
  const withFurniture = (report: BuilderReport): BuilderReport => (furnitureOf().length ? { ...report, furnitureLines: furnitureOf().length } : report);
  const skipped = (builder: BuilderName, why: BuilderReport['notApplied']): BuilderOutput => ({ builder, key: keys[builder], records: [], report: { builder, records: 0, notApplied: why } });

  for (const builder of settings.builders) {
    if (!wanted.has(builder)) continue;
    throwIfAborted(opts.signal);
    if (builder === 'pairs') {
      if (!candidate) continue;
      if (!pairs) {
        out.push(skipped('pairs', 'not-pairs'));
        continue;
      }
      const records = pairs.records.map((r) => ({ ...r, lineage: { ...r.lineage, sourcePath: source.sourcePath } }));
      const report: BuilderReport = { builder, records: records.length, rows: pairs.total, mapping: pairs.mapping, skippedCount: pairs.skipped.length };
      if (pairs.skipped.length) report.skipped = pairs.skipped.slice(0, MAX_REPORTED_PER_DOCUMENT);
      out.push({ builder, key: keys.pairs, records, report });
      continue;
    }
    if (!textBuilders) {
      out.push(skipped(builder, 'pairs-document'));
      continue;
    }
    if (builder === 'chunk') {
      const records = [...chunksOf()];
      out.push({ builder, key: keys.chunk, records, report: withFurniture({ builder, records: records.length }) });
      continue;
    }
    const tpl = { limits: settings.templates.limits, ...(opts.signal ? { signal: opts.signal } : {}) };
    const sourceChunks = chunksOf().map(sourceChunkOf);
    const made = builder === 'instruction' ? buildInstructionRecords(doc, sourceChunks, settings.templates.instruction, tpl) : buildChatRecords(doc, sourceChunks, settings.templates.chat, tpl);
    const records = made.records.map((r) => ({ ...r, lineage: { ...r.lineage, sourcePath: source.sourcePath } }));
    const report: BuilderReport = withFurniture({ builder, records: records.length });
    if (made.empty.length) {
      report.empty = made.empty.slice(0, MAX_REPORTED_PER_DOCUMENT);
      report.emptyCount = made.empty.length;
    }
    out.push({ builder, key: keys[builder], records, report });
  }
  return out;
}

/** The page furniture the chunk builder leaves out of a document ([] when records.removeFurniture is false). */
export function documentFurniture(source: SourceDocument, settings: Pick<RecordSettings, 'chunk'>): TextSpan[] {
  return settings.chunk.removeFurniture ? pageFurniture(source.doc) : [];
}

/** A chunk record as the template and generation builders take it. */
export function sourceChunkOf(r: CompletionRecord): SourceChunk {
  const l = r.lineage;
  return { text: r.text, span: l.span, headingPath: l.headingPath, ...(l.page !== undefined ? { page: l.page } : {}), ...(l.slide !== undefined ? { slide: l.slide } : {}) };
}

/** The chunks the generate builder works on for a document: none for a pairs document (unless pairs.chunk). */
export function generationChunks(source: SourceDocument, settings: RecordSettings, tok: TextTokenizer, stored?: readonly CompletionRecord[]): readonly CompletionRecord[] {
  const candidate = isPairsCandidate(source.sourcePath, source.doc.format, settings);
  if (candidate && !settings.pairs.chunk) {
    try {
      importPairs(source.doc, settings.pairs.mapping ? { mapping: settings.pairs.mapping } : {});
      return [];
    } catch (err) {
      if (!(err instanceof BrightRunError && err.code === 'PAIRS_UNMAPPED')) throw err;
    }
  }
  return stored ?? chunkDocument(source, settings.chunk, tok, documentFurniture(source, settings));
}
