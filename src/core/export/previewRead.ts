/**
 * Reads back the files a writer produced for an export sample (previewSample.ts) as a person should see them:
 * text formats as their decoded text, binary formats as the rows, columns or features they hold. Sample files are
 * small (a few records), but a record may be long: text is capped at `maxChars`, rows and token lists likewise.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { importModule } from '../extract/esmImport';
import { readDataChunks } from './formats/fileSink';
import { csvDecoder, CSV_ENCODINGS, type CsvEncoding } from './formats/csvEncoding';
import { parquetDecompressors } from './formats/parquetFile';
import { readSafetensorsHeader } from './formats/safetensors';
import { decodeExample, TfRecordReader } from './tfrecordCodec';
import type { WrittenFile } from './types';

/** A file of a sample, as shown. JSON-safe (int64 values become numbers or, past 2^53, strings). */
export interface SampleFile {
  /** Path inside the version folder, as the export names it (`<kind>/…` when the records mix kinds). */
  path: string;
  /** `data`: a file of the split's records; `meta`: a card, config fragment, loader script or dataset_info.json. */
  role: 'data' | 'meta';
  bytes: number;
  records?: number;
  /** Text formats: the text as written, decoded (gzip undone, CSV in its encoding). */
  text?: string;
  /** Binary formats: the columns (Parquet), features (TFRecord) or tensors (safetensors) … */
  columns?: Array<{ name: string; type: string }>;
  /** … and each record as the values it becomes. */
  rows?: unknown[];
  /** safetensors `__metadata__`. */
  metadata?: Record<string, string>;
  /** True when text, rows or a value list was cut to the caps. */
  truncated?: boolean;
}

/** Default cap of a sample file's text, in UTF-16 units. */
export const SAMPLE_MAX_CHARS = 50_000;
/** Most token ids shown per record and tensor of a safetensors sample. */
const MAX_TOKENS_SHOWN = 256;

export async function readSampleFile(dir: string, file: WrittenFile, maxChars = SAMPLE_MAX_CHARS): Promise<SampleFile> {
  const full = path.join(dir, ...file.path.split('/'));
  const base: SampleFile = { path: file.path, role: file.split ? 'data' : 'meta', bytes: file.bytes, ...(file.records !== undefined ? { records: file.records } : {}) };
  if (file.path.endsWith('.parquet')) return { ...base, ...(await readParquet(full)) };
  if (/\.tfrecord(\.gz)?$/.test(file.path)) return { ...base, ...(await readTfRecord(full)) };
  if (file.path.endsWith('.safetensors')) return { ...base, ...(await readSafetensors(full)) };
  const encoding = file.details?.encoding;
  const decoder = typeof encoding === 'string' && CSV_ENCODINGS.includes(encoding as CsvEncoding) ? csvDecoder(encoding as CsvEncoding) : csvDecoder('utf-8');
  let text = '';
  for await (const chunk of readDataChunks(full)) {
    text += decoder.write(chunk);
    if (text.length > maxChars) break;
  }
  if (text.length <= maxChars) text += decoder.end();
  return text.length > maxChars ? { ...base, text: text.slice(0, maxChars), truncated: true } : { ...base, text };
}

type Hyparquet = typeof import('hyparquet', { with: { 'resolution-mode': 'import' } });
type SchemaNode = { name: string; type?: string; converted_type?: string; logical_type?: { type: string }; num_children?: number };

async function readParquet(file: string): Promise<Pick<SampleFile, 'columns' | 'rows'>> {
  const { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } = await importModule<Hyparquet>('hyparquet');
  const buffer = await asyncBufferFromFile(file);
  const metadata = await parquetMetadataAsync(buffer);
  const schema = metadata.schema as unknown as SchemaNode[];
  const columns: Array<{ name: string; type: string }> = [];
  let at = 1;
  // The flattened schema lists each element's children after it, depth first. A LIST group holds one repeated
  // group whose one child is the element (the three-level list of the Parquet spec).
  type Described = { name: string; type: string; children: Described[] };
  const describe = (): Described => {
    const node = schema[at++]!;
    const children = Array.from({ length: node.num_children ?? 0 }, () => describe());
    if (!node.num_children) return { name: node.name, type: leafType(node), children };
    if (node.converted_type === 'LIST' || node.logical_type?.type === 'LIST') {
      const element = children[0]?.children.length === 1 ? children[0].children[0]! : children[0];
      return { name: node.name, type: `list<${element?.type ?? '?'}>`, children };
    }
    return { name: node.name, type: `struct<${children.map((c) => `${c.name}: ${c.type}`).join(', ')}>`, children };
  };
  for (let c = 0; c < (schema[0]!.num_children ?? 0); c++) {
    const d = describe();
    columns.push({ name: d.name, type: d.type });
  }
  const rows = await parquetReadObjects({ file: buffer, metadata, compressors: parquetDecompressors() as never });
  return { columns, rows: rows.map(jsonSafe) };
}

function leafType(node: SchemaNode): string {
  if (node.converted_type === 'UTF8' || node.logical_type?.type === 'STRING') return 'string';
  return (node.type ?? '?').toLowerCase();
}

async function readTfRecord(file: string): Promise<Pick<SampleFile, 'columns' | 'rows'>> {
  const reader = new TfRecordReader();
  const rows: Record<string, unknown>[] = [];
  const columns = new Map<string, string>();
  for await (const chunk of readDataChunks(file)) {
    for (const data of reader.push(chunk)) {
      const row: Record<string, unknown> = {};
      for (const [key, value] of decodeExample(data)) {
        if ('bytes' in value) {
          row[key] = value.bytes.map((b) => b.toString('utf8'));
          columns.set(key, 'bytes_list');
        } else if ('int64' in value) {
          row[key] = value.int64.map(jsonSafe);
          columns.set(key, 'int64_list');
        } else {
          row[key] = value.float;
          columns.set(key, 'float_list');
        }
      }
      rows.push(row);
    }
  }
  reader.end();
  return { columns: [...columns].map(([name, type]) => ({ name, type })), rows };
}

const WIDTH: Record<string, number> = { I64: 8, I32: 4, U8: 1 };

/** The tensors of a (sample-sized) safetensors file, and each record's slice of the flat token tensors (pytorch.ts layout). */
async function readSafetensors(file: string): Promise<Pick<SampleFile, 'columns' | 'rows' | 'metadata' | 'truncated'>> {
  const { metadata, tensors } = await readSafetensorsHeader(file);
  const bytes = await fs.readFile(file);
  const dataStart = 8 + Number(bytes.readBigUInt64LE(0));
  const values = (name: string): number[] => {
    const t = tensors[name];
    if (!t) return [];
    const width = WIDTH[t.dtype] ?? 1;
    const out: number[] = [];
    for (let at = dataStart + t.data_offsets[0]; at < dataStart + t.data_offsets[1]; at += width) {
      out.push(t.dtype === 'I64' ? Number(bytes.readBigInt64LE(at)) : t.dtype === 'I32' ? bytes.readInt32LE(at) : bytes.readUInt8(at));
    }
    return out;
  };
  const offsets = values('offsets');
  const flat = Object.fromEntries(['input_ids', 'labels', 'attention_mask'].map((n) => [n, values(n)]));
  let truncated = false;
  const rows = offsets.slice(0, -1).map((start, i) => {
    const end = offsets[i + 1]!;
    const row: Record<string, unknown> = { tokens: end - start };
    for (const [name, list] of Object.entries(flat)) {
      row[name] = list.slice(start, Math.min(end, start + MAX_TOKENS_SHOWN));
      if (end - start > MAX_TOKENS_SHOWN) truncated = true;
    }
    return row;
  });
  const columns = Object.entries(tensors).map(([name, t]) => ({ name, type: `${t.dtype}[${t.shape.join(', ')}]` }));
  return { columns, rows, metadata, ...(truncated ? { truncated } : {}) };
}

/** Values as JSON can hold them: bigint as a number when exact, else as a string; bytes as UTF-8 text. */
function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  return value;
}
