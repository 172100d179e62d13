import { BrightRunError, throwIfAborted } from '../errors';
import type { ExtractedDocument } from '../extract/types';
import type { OperationOptions } from '../progress';
import { canonicalJson, recordId, shortHash } from './ids';
import { roleOfShareGptFrom } from './templates';
import type { ChatMessage, ChatRecord, InstructionRecord, RecordLineage } from './types';

/**
 * Import of existing training pairs from extracted CSV / TSV, JSON and JSON Lines documents (issue #10).
 *
 * Rows come from the ExtractedDocument, not from the source file: CSV rows are the lines of `text` (one row a
 * line, cells joined by tabs; the table block's `rows` when it has them, which are exact even if a cell held a
 * tab), JSON records are the `record` blocks' spans, parsed one by one. So every record's span is a span of
 * the stored text, the import needs no second decoding of the file, and it works when the source has moved.
 * The cost: a newline inside a CSV cell was turned into a space by extraction (docs/records.md).
 */

/** Which fields hold what. Field names are matched case-insensitively; CSV without a header uses "1", "2", …. */
export type PairMapping =
  | { kind: 'instruction'; instruction: string; input?: string; output: string; system?: string }
  | { kind: 'chat'; messages: string; system?: string };

export interface SkippedRow {
  /** 1-based: CSV row (the header is row 1), JSON array element, JSON Lines line. */
  row: number;
  reason: string;
}

export interface PairImportResult {
  records: Array<InstructionRecord | ChatRecord>;
  mapping: PairMapping;
  /** Rows (records) seen, header excluded. */
  total: number;
  /** Rows that did not fit the mapping: counted and reported, never dropped silently. */
  skipped: SkippedRow[];
}

export interface PairImportOptions extends OperationOptions {
  /** An explicit mapping; otherwise detected from the columns / fields (detectMapping). */
  mapping?: PairMapping;
}

const INSTRUCTION_KEYS = ['instruction', 'question', 'prompt', 'query', 'user'];
const OUTPUT_KEYS = ['output', 'answer', 'response', 'completion', 'assistant', 'chosen'];
const INPUT_KEYS = ['input', 'context'];
const MESSAGES_KEYS = ['messages', 'conversations', 'conversation', 'dialogue'];
const SYSTEM_KEYS = ['system', 'system_prompt'];

/**
 * The mapping for common shapes, from the column or field names: messages / conversations (role + content or
 * from + value), instruction / input / output (Alpaca), question / answer, prompt / completion or response.
 * Undefined when none fits.
 */
export function detectMapping(fields: readonly string[]): PairMapping | undefined {
  const find = (names: string[], exclude?: string) => {
    for (const n of names) {
      const hit = fields.find((f) => f.trim().toLowerCase() === n && f !== exclude);
      if (hit !== undefined) return hit;
    }
    return undefined;
  };
  const system = find(SYSTEM_KEYS);
  const messages = find(MESSAGES_KEYS);
  if (messages !== undefined) return { kind: 'chat', messages, ...(system !== undefined ? { system } : {}) };
  const instruction = find(INSTRUCTION_KEYS);
  const output = find(OUTPUT_KEYS);
  if (instruction !== undefined && output !== undefined) {
    const input = find(INPUT_KEYS);
    return { kind: 'instruction', instruction, output, ...(input !== undefined ? { input } : {}), ...(system !== undefined ? { system } : {}) };
  }
  // {input, output} alone: the input is the instruction.
  const input = find(INPUT_KEYS);
  if (input !== undefined && output !== undefined) return { kind: 'instruction', instruction: input, output, ...(system !== undefined ? { system } : {}) };
  return undefined;
}

/** Imports the pairs of one CSV / TSV / JSON / JSONL document. */
export function importPairs(doc: ExtractedDocument, opts: PairImportOptions = {}): PairImportResult {
  throwIfAborted(opts.signal);
  const rows = doc.format === 'csv' ? csvRows(doc) : doc.format === 'json' || doc.format === 'jsonl' ? jsonRows(doc) : undefined;
  if (!rows) {
    throw new BrightRunError({ code: 'PAIRS_UNMAPPED', file: doc.source.path, message: `${doc.source.name} is ${doc.format}; pairs are imported from CSV, TSV, JSON and JSON Lines only.`, remedy: 'Use the chunk, instruction or chat builder for this document.' });
  }
  const mapping = opts.mapping ?? detectMapping(rows.fields);
  if (!mapping) {
    throw new BrightRunError({
      code: 'PAIRS_UNMAPPED', file: doc.source.path,
      message: `No training-pair columns found in ${doc.source.name} (fields: ${rows.fields.slice(0, 12).join(', ') || 'none'}).`,
      remedy: 'Name the columns instruction/input/output, question/answer, prompt/completion or messages — or give the mapping in records.pairs.mapping.',
    });
  }
  const paramsHash = shortHash(canonicalJson({ builder: 'pairs', mapping }));
  const records: Array<InstructionRecord | ChatRecord> = [];
  const skipped: SkippedRow[] = [];
  let total = 0;
  for (const row of rows.items) {
    if (total % 1000 === 0) throwIfAborted(opts.signal);
    total++;
    if (row.error) {
      skipped.push({ row: row.row, reason: row.error });
      continue;
    }
    const lineage: RecordLineage = { documentId: doc.id, sourcePath: doc.source.path, span: row.span, headingPath: [], builder: 'pairs', paramsHash, row: row.row };
    const made = mapping.kind === 'instruction' ? instructionOf(row.value, mapping) : chatOf(row.value, mapping);
    if (typeof made === 'string') {
      skipped.push({ row: row.row, reason: made });
      continue;
    }
    records.push({ id: recordId(lineage, 0), lineage, ...made } as InstructionRecord | ChatRecord);
    if (total % 1000 === 0) opts.onProgress?.({ done: total, total: rows.count, unit: 'records' });
  }
  opts.onProgress?.({ done: total, total: rows.count, unit: 'records' });
  return { records, mapping, total, skipped };
}

interface Row {
  row: number;
  span: { start: number; end: number };
  value: Record<string, unknown>;
  error?: string;
}

function csvRows(doc: ExtractedDocument): { fields: string[]; count: number; items: Iterable<Row> } {
  const text = doc.text;
  const table = doc.blocks.find((b) => b.type === 'table');
  // The extractor's header guess needs numbers or longer cells below; all-text pair files can miss it, so a
  // first row whose names map to a known shape is taken as the header too.
  const firstLine = text.slice(0, text.indexOf('\n') < 0 ? text.length : text.indexOf('\n'));
  const firstCells = table?.rows?.[0] ?? firstLine.split('\t');
  const header = doc.metadata.hasHeader ? doc.metadata.columns ?? [] : detectMapping(firstCells) ? firstCells : [];
  const fields = header.length ? header : Array.from({ length: widthOf(text, table?.rows) }, (_, i) => String(i + 1));
  const count = Math.max(0, (doc.metadata.rowCount ?? 0) - (header.length && !doc.metadata.hasHeader ? 1 : 0));
  function* items(): Generator<Row> {
    let start = 0;
    let index = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const cells = table?.rows?.[index] ?? text.slice(start, end).split('\t');
      index++;
      const span = { start, end };
      start = end + 1;
      if (index === 1 && header.length) continue;
      const value: Record<string, unknown> = {};
      fields.forEach((f, i) => (value[f] = cells[i] ?? ''));
      const error = cells.length > fields.length ? `has ${cells.length} cells, the header ${fields.length}` : undefined;
      yield { row: index, span, value, ...(error ? { error } : {}) };
    }
  }
  return { fields, count, items: items() };
}

function widthOf(text: string, rows: string[][] | undefined): number {
  if (rows?.[0]) return rows[0].length;
  const first = text.slice(0, Math.max(0, text.indexOf('\n')) || text.length);
  return first ? first.split('\t').length : 0;
}

function jsonRows(doc: ExtractedDocument): { fields: string[]; count: number; items: Iterable<Row> } {
  const text = doc.text;
  const blocks = doc.blocks.filter((b) => b.type === 'record');
  const lines = doc.format === 'jsonl';
  const fields = doc.metadata.recordFields ?? [];
  function* items(): Generator<Row> {
    let line = 1;
    let at = 0;
    let n = 0;
    for (const b of blocks) {
      n++;
      if (lines) {
        for (let i = text.indexOf('\n', at); i >= 0 && i < b.start; i = text.indexOf('\n', i + 1)) line++;
        at = b.start;
      }
      const row = lines ? line : n;
      const span = { start: b.start, end: b.end };
      let value: unknown;
      try {
        value = JSON.parse(text.slice(b.start, b.end));
      } catch (err) {
        yield { row, span, value: {}, error: `is not valid JSON (${(err as Error).message})` };
        continue;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) yield { row, span, value: {}, error: `is ${Array.isArray(value) ? 'an array' : typeof value}, not an object` };
      else yield { row, span, value: value as Record<string, unknown> };
    }
  }
  return { fields, count: blocks.length, items: items() };
}

/** A field's value as a string: strings as they are, numbers and booleans written out, objects as JSON; missing → undefined. */
export function fieldText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

function get(row: Record<string, unknown>, field: string): unknown {
  if (field in row) return row[field];
  const lower = field.toLowerCase();
  const key = Object.keys(row).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : row[key];
}

function instructionOf(row: Record<string, unknown>, m: Extract<PairMapping, { kind: 'instruction' }>): Pick<InstructionRecord, 'kind' | 'instruction' | 'input' | 'output'> | string {
  const instruction = fieldText(get(row, m.instruction))?.trim();
  const output = fieldText(get(row, m.output))?.trim();
  if (!instruction) return `has no ${m.instruction}`;
  if (!output) return `has no ${m.output}`;
  const input = m.input ? fieldText(get(row, m.input))?.trim() ?? '' : '';
  return { kind: 'instruction', instruction, input, output };
}

function chatOf(row: Record<string, unknown>, m: Extract<PairMapping, { kind: 'chat' }>): Pick<ChatRecord, 'kind' | 'messages'> | string {
  let turns = get(row, m.messages);
  if (typeof turns === 'string') {
    try {
      turns = JSON.parse(turns); // a CSV cell holding the JSON list
    } catch {
      return `${m.messages} is not a list of messages`;
    }
  }
  if (!Array.isArray(turns) || turns.length === 0) return `${m.messages} is not a non-empty list of messages`;
  const messages: ChatMessage[] = [];
  const system = m.system ? fieldText(get(row, m.system))?.trim() : undefined;
  if (system) messages.push({ role: 'system', content: system });
  for (let i = 0; i < turns.length; i++) {
    const t = turns[i] as Record<string, unknown> | null;
    if (typeof t !== 'object' || t === null) return `message ${i + 1} is not an object`;
    const roleText = fieldText(get(t, 'role') ?? get(t, 'from'));
    const content = fieldText(get(t, 'content') ?? get(t, 'value'));
    const role = roleText === undefined ? undefined : roleOfShareGptFrom(roleText);
    if (!role) return `message ${i + 1} has role "${roleText ?? ''}" (expected system, user/human or assistant/gpt)`;
    if (content === undefined) return `message ${i + 1} has no content`;
    messages.push({ role, content });
  }
  if (!messages.some((x) => x.role === 'assistant')) return 'has no assistant message';
  return { kind: 'chat', messages };
}
