import { BrightRunError } from '../../errors';
import { kindColumns, LINEAGE_COLUMNS, naturalRow } from '../rows';
import { readDataChunks } from './fileSink';
import type { FormatWriter, VerifyFinding, WrittenFile } from '../types';
import { byteOrderMark, CSV_ENCODINGS, csvDecoder, encodeCsvText, type CsvEncoding } from './csvEncoding';
import { countFinding, fileIn, problem, writeSplitFiles } from './splitFiles';

/** `export.csv` options. */
export interface CsvOptions {
  /** One character, not the quote, CR or LF (default ","). */
  delimiter?: string;
  /** One character (default '"'). */
  quote?: string;
  encoding?: CsvEncoding;
  /** Write the header row (default true). */
  header?: boolean;
}

interface CsvSettings {
  delimiter: string;
  quote: string;
  encoding: CsvEncoding;
  header: boolean;
}

/**
 * CSV after RFC 4180: CRLF line ends, a header row of column names, a field quoted when it holds the delimiter,
 * the quote, CR or LF (the quote doubled inside), every record the same columns. Chat `messages` is one column
 * holding the messages as a JSON string (`[{"role":…,"content":…}]`): CSV has no nested values, and JSON is what
 * a reader can turn back into the list. Lineage columns are numbers written in decimal.
 */
export const csvWriter: FormatWriter = {
  format: 'csv',
  write(ctx) {
    const s = csvSettings(ctx.options as CsvOptions);
    if (ctx.kind === 'mixed') throw new BrightRunError({ code: 'INTERNAL', message: 'The CSV writer needs records of one kind.', remedy: 'Export through runExport, which writes each kind on its own.' });
    const columns = [...kindColumns(ctx.kind, ctx.chatFormat), ...(ctx.lineageColumns ? LINEAGE_COLUMNS : [])];
    const line = (fields: readonly string[]) => fields.map((f) => quoteField(f, s)).join(s.delimiter) + '\r\n';
    return writeSplitFiles(ctx, 'csv', {
      extension: 'csv',
      header: () => Buffer.concat([byteOrderMark(s.encoding), s.header ? encodeCsvText(line(columns), s.encoding, '(header)') : Buffer.alloc(0)]),
      encode: (r) => {
        const row = naturalRow(r, ctx.lineageColumns, ctx.chatFormat) as unknown as Record<string, unknown>;
        return encodeCsvText(line(columns.map((c) => cell(row[c]))), s.encoding, r.id);
      },
    }).then((files) => files.map((f) => ({ ...f, details: { delimiter: s.delimiter, quote: s.quote, encoding: s.encoding, header: s.header, columns: columns.length } })));
  },
  async verify(dir, files, signal) {
    const findings: VerifyFinding[] = [];
    for (const file of files) findings.push(...(await verifyCsv(dir, file, signal)));
    return findings;
  },
};

function cell(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

function quoteField(field: string, s: CsvSettings): string {
  if (!field.includes(s.delimiter) && !field.includes(s.quote) && !field.includes('\r') && !field.includes('\n')) return field;
  return s.quote + field.split(s.quote).join(s.quote + s.quote) + s.quote;
}

/** Validated CSV settings; errors name the setting and the fix. */
export function csvSettings(o: CsvOptions): CsvSettings {
  const fail = (what: string, remedy: string) => new BrightRunError({ code: 'CONFIG_INVALID', message: `export.csv.${what}.`, remedy });
  const delimiter = o.delimiter ?? ',';
  const quote = o.quote ?? '"';
  const encoding = o.encoding ?? 'utf-8';
  if ([...delimiter].length !== 1 || delimiter === '\r' || delimiter === '\n') throw fail(`delimiter must be one character other than CR or LF (found ${JSON.stringify(delimiter)})`, 'Use e.g. ",", ";" or "\\t".');
  if ([...quote].length !== 1 || quote === '\r' || quote === '\n' || quote === delimiter) throw fail(`quote must be one character, not CR, LF or the delimiter (found ${JSON.stringify(quote)})`, 'Use \'"\' (the RFC 4180 quote) or "\'".');
  if (!CSV_ENCODINGS.includes(encoding)) throw fail(`encoding ${JSON.stringify(encoding)} is not supported`, `Use one of: ${CSV_ENCODINGS.join(', ')}.`);
  return { delimiter, quote, encoding, header: o.header ?? true };
}

/**
 * Re-reads a CSV file in its encoding with an RFC 4180 parser (streaming; memory bounded by one record): every
 * record has the header's number of fields, and the count matches.
 */
async function verifyCsv(dir: string, file: WrittenFile, signal?: AbortSignal): Promise<VerifyFinding[]> {
  const d = (file.details ?? {}) as Partial<CsvSettings> & { columns?: number };
  const s = csvSettings({ delimiter: d.delimiter, quote: d.quote, encoding: d.encoding, header: d.header });
  const parser = new CsvParser(s.delimiter, s.quote);
  const decoder = csvDecoder(s.encoding);
  let first = true;
  try {
    for await (const chunk of readDataChunks(fileIn(dir, file), signal)) {
      let text = decoder.write(chunk);
      if (first && text.length) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      parser.push(text);
    }
    parser.push(decoder.end());
    parser.end();
  } catch (err) {
    return [problem(file.path, `cannot be read back as ${s.encoding} CSV: ${(err as Error).message}`)];
  }
  const widths = parser.widths;
  const expected = d.columns ?? widths.values().next().value;
  if (widths.size > 1 || (expected !== undefined && widths.size === 1 && !widths.has(expected))) return [problem(file.path, `records have ${[...widths.keys()].join(' / ')} fields; ${expected} expected`)];
  return countFinding(file, parser.rows - (s.header ? 1 : 0));
}

/** An RFC 4180 record counter: fields per record, quoted fields with doubled quotes and embedded line breaks. */
class CsvParser {
  rows = 0;
  readonly widths = new Set<number>();
  private fields = 0;
  private inQuotes = false;
  private quoteSeen = false;
  private atFieldStart = true;
  private pendingCR = false;
  private any = false;

  constructor(
    private readonly delimiter: string,
    private readonly quote: string,
  ) {}

  push(text: string): void {
    for (const ch of text) this.char(ch);
  }

  private char(ch: string): void {
    if (this.inQuotes) {
      if (this.quoteSeen) {
        this.quoteSeen = false;
        if (ch === this.quote) return; // doubled quote
        this.inQuotes = false; // the closing quote; fall through to handle ch outside quotes
      } else {
        if (ch === this.quote) this.quoteSeen = true;
        return;
      }
    }
    if (this.pendingCR) {
      this.pendingCR = false;
      if (ch !== '\n') throw new Error(`a bare CR in record ${this.rows + 1}`);
      this.endRecord();
      return;
    }
    this.any = true;
    if (ch === this.quote) {
      if (!this.atFieldStart) throw new Error(`a quote inside an unquoted field in record ${this.rows + 1}`);
      this.inQuotes = true;
      this.atFieldStart = false;
    } else if (ch === this.delimiter) {
      this.fields++;
      this.atFieldStart = true;
    } else if (ch === '\r') {
      this.pendingCR = true;
    } else if (ch === '\n') {
      throw new Error(`a bare LF in record ${this.rows + 1} (records end with CRLF)`);
    } else {
      this.atFieldStart = false;
    }
  }

  private endRecord(): void {
    this.widths.add(this.fields + 1);
    this.rows++;
    this.fields = 0;
    this.atFieldStart = true;
    this.any = false;
  }

  end(): void {
    if (this.quoteSeen) {
      this.quoteSeen = false;
      this.inQuotes = false;
    }
    if (this.inQuotes) throw new Error('a quoted field is not closed (truncated file)');
    if (this.pendingCR) throw new Error('the file ends in a bare CR');
    if (this.any) throw new Error('the last record does not end with CRLF (truncated file)');
  }
}
