import { BrightRunError } from '../../errors';
import { jsonErrorLocation } from '../../jsonPosition';
import type { BackendResult } from '../backendTypes';
import type { Block, ExtractionWarning } from '../types';

const MAX_RECORD_BLOCKS = 100_000;
/**
 * Above this many characters, JSON is checked with a scanner and only sampled records are parsed, instead of
 * JSON.parse building the whole object graph (several times the text's memory).
 */
const LARGE_JSON_CHARS = 16 * 1024 * 1024;
/** Markdown shows at most this much of a JSON file (the text holds all of it). */
const MAX_MARKDOWN_CHARS = 1024 * 1024;

/**
 * JSON: the text is the JSON itself (pretty or not, as written). A top-level array's elements become
 * `record` blocks with their spans; objects' keys across records are reported as `recordFields` (so arrays
 * of {instruction, output} are recognised as training pairs).
 */
export function extractJson(source: string, file: string): Pick<BackendResult, 'text' | 'markdown' | 'blocks' | 'metadata' | 'warnings'> {
  const text = source.replace(/\r\n?/g, '\n');
  const large = text.length > LARGE_JSON_CHARS;
  let value: unknown;
  if (large) {
    const at = jsonErrorLocation(text);
    if (at) throw invalidJson(file, text, new SyntaxError(`unexpected character at offset ${at.offset}`));
  } else {
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw invalidJson(file, text, err);
    }
  }
  const blocks: Block[] = [];
  const fields = new Set<string>();
  let recordCount: number | undefined;
  if (large ? text.trimStart().startsWith('[') : Array.isArray(value)) {
    const spans = topLevelElementSpans(text);
    recordCount = spans.length;
    for (const span of spans.slice(0, 1000)) {
      const v: unknown = large ? JSON.parse(text.slice(span.start, span.end)) : undefined;
      if (large && isPlainObject(v)) for (const k of Object.keys(v)) fields.add(k);
    }
    if (!large) for (const v of (value as unknown[]).slice(0, 1000)) if (isPlainObject(v)) for (const k of Object.keys(v)) fields.add(k);
    for (const span of spans) {
      if (blocks.length >= MAX_RECORD_BLOCKS) break;
      blocks.push({ type: 'record', ...span });
    }
  } else if (large && text.trim()) {
    const start = text.length - text.trimStart().length;
    blocks.push({ type: 'record', start, end: text.trimEnd().length });
  } else if (text.trim()) {
    if (isPlainObject(value)) for (const k of Object.keys(value)) fields.add(k);
    const start = text.length - text.trimStart().length;
    blocks.push({ type: 'record', start, end: text.trimEnd().length });
  }
  return {
    text,
    markdown: fencedJson(text),
    blocks,
    metadata: { ...(recordCount !== undefined ? { recordCount } : {}), ...(fields.size ? { recordFields: [...fields] } : {}) },
    warnings: [],
  };
}

function fencedJson(text: string): string {
  const shown = text.length > MAX_MARKDOWN_CHARS ? text.slice(0, text.lastIndexOf('\n', MAX_MARKDOWN_CHARS) + 1 || MAX_MARKDOWN_CHARS) : text;
  const more = text.length - shown.length;
  return '```json\n' + shown.trimEnd() + '\n```\n' + (more > 0 ? `\n*… ${more.toLocaleString('en')} more characters in the plain text.*\n` : '');
}

/** JSON Lines: one JSON value per line; lines that do not parse are reported and skipped. */
export function extractJsonLines(source: string): Pick<BackendResult, 'text' | 'markdown' | 'blocks' | 'metadata' | 'warnings'> {
  const text = source.replace(/\r\n?/g, '\n');
  const blocks: Block[] = [];
  const fields = new Set<string>();
  const warnings: ExtractionWarning[] = [];
  let bad = 0;
  let offset = 0;
  let lineNo = 0;
  let firstBad = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    const start = offset;
    offset += line.length + 1;
    if (!line.trim()) continue;
    try {
      const v = JSON.parse(line) as unknown;
      if (isPlainObject(v) && fields.size < 200) for (const k of Object.keys(v)) fields.add(k);
      if (blocks.length < MAX_RECORD_BLOCKS) blocks.push({ type: 'record', start, end: start + line.length });
    } catch {
      bad++;
      firstBad ||= lineNo;
    }
  }
  if (bad) warnings.push({ code: 'MALFORMED_ROWS', message: `${bad} line(s) are not valid JSON (first at line ${firstBad}); they were skipped as records.` });
  return {
    text,
    markdown: fencedJson(text),
    blocks,
    metadata: { recordCount: blocks.length, ...(fields.size ? { recordFields: [...fields] } : {}) },
    warnings,
  };
}

/** True when every non-empty line (at least two) parses as a JSON object or array. */
export function looksLikeJsonLines(sample: string, complete: boolean): boolean {
  const lines = sample.split(/\r?\n/).filter((l) => l.trim());
  if (!complete) lines.pop(); // the last line of a sample may be cut
  if (lines.length < 2) return false;
  return lines.every((l) => {
    const t = l.trim();
    if (!(t.startsWith('{') || t.startsWith('['))) return false;
    try {
      JSON.parse(t);
      return true;
    } catch {
      return false;
    }
  });
}

/** Spans of the elements of a top-level JSON array, found by a string-aware bracket scan. */
export function topLevelElementSpans(text: string): Array<{ start: number; end: number }> {
  const spans: Array<{ start: number; end: number }> = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash escape
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) {
      inString = true;
      if (depth === 1 && start < 0) start = i;
    } else if (c === 91 || c === 123) {
      if (depth === 1 && start < 0) start = i;
      depth++;
    } else if (c === 93 || c === 125) {
      depth--;
      if (depth === 0) {
        if (start >= 0) spans.push({ start, end: trimEnd(text, start, i) });
        break;
      }
    } else if (c === 44 && depth === 1) {
      if (start >= 0) spans.push({ start, end: trimEnd(text, start, i) });
      start = -1;
    } else if (depth === 1 && start < 0 && c > 32) {
      start = i;
    }
  }
  return spans;
}

function trimEnd(text: string, start: number, end: number): number {
  let e = end;
  while (e > start && /\s/.test(text[e - 1]!)) e--;
  return e;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function invalidJson(file: string, text: string, err: unknown): BrightRunError {
  const at = jsonErrorLocation(text);
  const where = at ? ` at line ${at.line}, column ${at.column}` : '';
  return new BrightRunError(
    { code: 'CORRUPT_FILE', file, message: `${file} is not valid JSON${where}: ${(err as Error).message}.`, remedy: 'Fix the JSON there (a validator or your editor will point at it), or rename the file to .txt to extract it as plain text.' },
    { cause: err },
  );
}
