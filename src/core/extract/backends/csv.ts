import Papa from 'papaparse';
import type { BackendResult } from '../backendTypes';
import { markdownTable } from '../documentBuilder';
import type { ExtractionWarning } from '../types';

/** Rows kept as structured cells on the table block and in the Markdown; beyond that, rows live only in `text`. */
const MAX_STRUCTURED_ROWS = 2000;

/**
 * CSV/TSV with papaparse: the delimiter is detected (comma, semicolon, tab, pipe), quoted cells with
 * delimiters and newlines are kept whole, and the header row is recognised. Text is one line per row with
 * cells separated by tabs; Markdown is a table.
 */
export function extractCsv(source: string, hintDelimiter?: string): Pick<BackendResult, 'text' | 'markdown' | 'blocks' | 'metadata' | 'warnings'> {
  const warnings: ExtractionWarning[] = [];
  const lines: string[] = [];
  const structured: string[][] = [];
  let width = 0;
  let rowCount = 0;
  let malformed = 0;
  let first: string[] | undefined;
  const parsed = Papa.parse<string[]>(source, {
    delimiter: hintDelimiter ?? '',
    delimitersToGuess: [',', ';', '\t', '|'],
    skipEmptyLines: 'greedy',
    step: (row) => {
      if (row.errors.length) malformed++;
      const cells = row.data.map((c) => c.replace(/\r?\n/g, ' ').trim());
      if (!first) first = cells;
      width = Math.max(width, cells.length);
      rowCount++;
      lines.push(cells.join('\t'));
      if (rowCount <= MAX_STRUCTURED_ROWS) structured.push(cells);
    },
  });
  const delimiter = parsed.meta.delimiter;
  if (malformed) warnings.push({ code: 'MALFORMED_ROWS', message: `${malformed} row(s) have quoting or field-count problems; they were kept as parsed.` });
  const text = lines.join('\n');
  const hasHeader = first !== undefined && rowCount > 1 && looksLikeHeader(first, structured.slice(1, 50));
  // A Markdown table of a million rows helps nobody and doubles memory: large files show their first rows.
  const more = rowCount - structured.length;
  const markdown = structured.length ? markdownTable(structured) + '\n' + (more > 0 ? `\n*… ${more} more row(s) in the plain text.*\n` : '') : '';
  return {
    text,
    markdown,
    blocks: text ? [{ type: 'table', start: 0, end: text.length, ...(rowCount <= MAX_STRUCTURED_ROWS ? { rows: structured } : {}) }] : [],
    metadata: { delimiter, hasHeader, rowCount: hasHeader ? rowCount - 1 : rowCount, ...(hasHeader && first ? { columns: first } : {}) },
    warnings,
  };
}

function looksLikeHeader(first: string[], rest: string[][]): boolean {
  if (first.some((c) => !c) || first.some(isNumeric)) return false;
  if (new Set(first).size !== first.length) return false;
  if (rest.length === 0) return true;
  // A column that is numeric below a text cell is the classic sign of a header.
  for (let col = 0; col < first.length; col++) {
    const below = rest.map((r) => r[col] ?? '').filter(Boolean);
    if (below.length && below.every(isNumeric)) return true;
  }
  // Otherwise: header cells are shorter than the values under them, and never repeated below.
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const firstLen = avg(first.map((c) => c.length));
  const restLen = avg(rest.flat().map((c) => c.length));
  const repeated = rest.some((r) => r.join('\u0000') === first.join('\u0000'));
  return !repeated && firstLen <= restLen * 1.5;
}

function isNumeric(s: string): boolean {
  return /^[-+]?[\d.,\s%$\u20ac\u00a3]+$/.test(s) && /\d/.test(s);
}
