import { BrightRunError } from '../../errors';
import { kindColumns, LINEAGE_COLUMNS, naturalRow } from '../rows';
import { readDataLines } from './fileSink';
import type { ExportContext, FormatWriter, VerifyFinding, WrittenFile } from '../types';
import { compileFieldMapping, JSON_MAPPING_SETTING, type FieldMapping } from './fieldMapping';
import { otherKinds } from './perKind';
import { countFinding, fileIn, problem, writeSplitFiles } from './splitFiles';

/** `export.json` options: pretty (2-space indent) or compact, and a field mapping (fieldMapping.ts). */
export interface JsonOptions {
  pretty?: boolean;
  mapping?: FieldMapping;
}

/**
 * JSON: one array per split, `<split>.json[.gz]`, streamed element by element (never built in memory). Layout,
 * which verify relies on: `[` on the first line, then each element (compact: on one line; pretty: indented
 * by 2, its closing brace alone at indent 2), elements separated by `,\n`, and `]` on the last line.
 */
export const jsonWriter: FormatWriter = {
  format: 'json',
  // One kind per call; in a mixed build ctx.kinds names the others (the runner's per-kind folders).
  write: writeKind,
  async verify(dir, files, signal) {
    const findings: VerifyFinding[] = [];
    for (const file of files) findings.push(...(await verifyJsonArray(dir, file, signal)));
    return findings;
  },
};

/** One kind's JSON files; a mapping name only the build's other kinds have (ctx.kinds) is skipped for this kind. */
function writeKind(ctx: ExportContext): Promise<WrittenFile[]> {
  const options = jsonOptions(ctx);
  const kind = ctx.kind === 'mixed' ? undefined : ctx.kind;
  const lineage = ctx.lineageColumns ? LINEAGE_COLUMNS : [];
  const columns = [...(kind ? kindColumns(kind, ctx.chatFormat) : []), ...lineage];
  const others = otherKinds(ctx).flatMap((k) => kindColumns(k, ctx.chatFormat));
  const map = kind ? compileFieldMapping(options.mapping, columns, JSON_MAPPING_SETTING, others) : (row: Record<string, unknown>) => row;
  const element = (row: Record<string, unknown>) => (options.pretty ? indent(JSON.stringify(row, null, 2)) : JSON.stringify(row));
  return writeSplitFiles(ctx, 'json', {
    extension: 'json',
    header: () => '[\n',
    encode: (r, i) => (i ? ',\n' : '') + element(map(naturalRow(r, ctx.lineageColumns, ctx.chatFormat) as unknown as Record<string, unknown>)),
    footer: (_split, count) => (count ? '\n]\n' : ']\n'),
  });
}

/** Indents every line by 2 spaces. Split on '\n' only: a /^/m regex would also match after U+2028 and U+2029, which JSON leaves unescaped inside strings. */
function indent(text: string): string {
  return '  ' + text.split('\n').join('\n  ');
}

function jsonOptions(ctx: ExportContext): JsonOptions {
  const o = ctx.options as JsonOptions;
  if (o.pretty !== undefined && typeof o.pretty !== 'boolean') throw new BrightRunError({ code: 'CONFIG_INVALID', message: 'export.json.pretty must be true or false.', remedy: 'Set "pretty": true for indented JSON, false for one element a line.' });
  return o;
}

/** Re-reads a JSON array written by jsonWriter, one element at a time (memory bounded by one element). */
async function verifyJsonArray(dir: string, file: WrittenFile, signal?: AbortSignal): Promise<VerifyFinding[]> {
  let n = 0;
  let lineNo = 0;
  let element: string[] = [];
  let closed = false;
  try {
    for await (const line of readDataLines(fileIn(dir, file), signal)) {
      lineNo++;
      if (closed) return [problem(file.path, `text after the closing bracket at line ${lineNo}`)];
      if (lineNo === 1) {
        if (line !== '[') return [problem(file.path, 'does not start with "[" on its own line')];
        continue;
      }
      if (line === ']' && !element.length) {
        closed = true;
        continue;
      }
      // An element is one line (compact, or an empty object), or starts with "  {" alone and ends at "  }".
      element.push(line);
      const end = element[0] !== '  {' || (element.length > 1 && /^ {2}\},?$/.test(line));
      if (!end) continue;
      const text = element.join('\n').replace(/,$/, '');
      element = [];
      const value = JSON.parse(text) as unknown;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return [problem(file.path, `element ${n + 1} is not a JSON object`)];
      n++;
    }
  } catch (err) {
    return [problem(file.path, `cannot be read back at line ${lineNo}: ${(err as Error).message}`)];
  }
  if (!closed) return [problem(file.path, 'the array is not closed (truncated file)')];
  return countFinding(file, n);
}
