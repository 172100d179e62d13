import { createReadStream, promises as fs } from 'node:fs';
import { BrightRunError } from '../../errors';
import { FileSink } from './fileSink';

/**
 * safetensors files written from Node, streamed (huggingface/safetensors, README "Format"; /work/shared/api C):
 *
 *     8 bytes   N, little-endian u64: the header's length
 *     N bytes   UTF-8 JSON {"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}, …}
 *               (padded with spaces to a multiple of 8, as the reference writer does, so buffers stay aligned)
 *     rest      the tensors' raw little-endian bytes, back to back; offsets are relative to the end of the header
 *
 * The header comes first but the tensors' sizes are known only at the end, so each tensor is appended to its
 * own temporary file (`<file>.<name>.tmp`) and the final file is assembled from them: memory is one chunk per
 * tensor, never the dataset. No pickle: loading runs no code.
 */

export type TensorDtype = 'I32' | 'I64' | 'U8';

const BYTES: Record<TensorDtype, number> = { I32: 4, I64: 8, U8: 1 };
const CHUNK = 1 << 16; // elements buffered per tensor before a write

class TensorColumn {
  private chunk: Int32Array | BigInt64Array | Uint8Array;
  private used = 0;
  length = 0;

  constructor(readonly name: string, readonly dtype: TensorDtype, readonly sink: FileSink) {
    this.chunk = dtype === 'I32' ? new Int32Array(CHUNK) : dtype === 'I64' ? new BigInt64Array(CHUNK) : new Uint8Array(CHUNK);
  }

  async push(values: readonly number[] | number): Promise<void> {
    const list = typeof values === 'number' ? [values] : values;
    for (const v of list) {
      if (this.chunk instanceof BigInt64Array) this.chunk[this.used++] = BigInt(v);
      else this.chunk[this.used++] = v;
      if (this.used === CHUNK) await this.flush();
    }
    this.length += list.length;
  }

  async flush(): Promise<void> {
    if (!this.used) return;
    // Typed arrays are in the platform's byte order; every platform Node supports is little-endian.
    await this.sink.write(new Uint8Array(this.chunk.buffer, 0, this.used * BYTES[this.dtype]));
    this.used = 0;
  }
}

/** A safetensors file of 1-D tensors, written by appending values and assembled by `close`. */
export class SafetensorsWriter {
  private constructor(private readonly file: string, private readonly columns: TensorColumn[]) {}

  static async open(file: string, tensors: readonly { name: string; dtype: TensorDtype }[]): Promise<SafetensorsWriter> {
    const columns: TensorColumn[] = [];
    for (const t of tensors) columns.push(new TensorColumn(t.name, t.dtype, await FileSink.open(`${file}.${t.name}.tmp`)));
    return new SafetensorsWriter(file, columns);
  }

  /** Appends values to a tensor (numbers must fit its dtype). */
  push(name: string, values: readonly number[] | number): Promise<void> {
    const column = this.columns.find((c) => c.name === name);
    if (!column) throw new Error(`no tensor "${name}"`);
    return column.push(values);
  }

  length(name: string): number {
    return this.columns.find((c) => c.name === name)?.length ?? 0;
  }

  /** Writes the header and the tensors' bytes into the file, removes the temporary files; returns size and sha256. */
  async close(metadata: Record<string, string>): Promise<{ bytes: number; sha256: string }> {
    const header: Record<string, unknown> = { __metadata__: metadata };
    let offset = 0;
    for (const c of this.columns) {
      await c.flush();
      await c.sink.close();
      const size = c.length * BYTES[c.dtype];
      header[c.name] = { dtype: c.dtype, shape: [c.length], data_offsets: [offset, offset + size] };
      offset += size;
    }
    let json = JSON.stringify(header);
    json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
    const out = await FileSink.open(this.file);
    try {
      const length = Buffer.alloc(8);
      length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
      await out.write(length);
      await out.write(json);
      for (const c of this.columns) {
        for await (const piece of createReadStream(c.sink.file, { highWaterMark: 1 << 20 })) await out.write(piece as Buffer);
      }
      return await out.close();
    } catch (err) {
      await out.discard();
      throw err;
    } finally {
      await this.removeTemporaries();
    }
  }

  async discard(): Promise<void> {
    for (const c of this.columns) await c.sink.discard();
    await fs.rm(this.file, { force: true });
  }

  private async removeTemporaries(): Promise<void> {
    for (const c of this.columns) await fs.rm(c.sink.file, { force: true });
  }
}

export interface SafetensorsHeader {
  metadata: Record<string, string>;
  tensors: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
}

/**
 * Reads and checks a safetensors file's header: the length field fits the file, the JSON parses, every
 * tensor's byte range matches its dtype × shape, the ranges tile the data area with no gap or overlap and
 * end exactly at the end of the file. Throws CORRUPT_FILE naming what is wrong.
 */
export async function readSafetensorsHeader(file: string): Promise<SafetensorsHeader> {
  const bad = (why: string) => new BrightRunError({ code: 'CORRUPT_FILE', file, message: `${file} is not a valid safetensors file: ${why}.`, remedy: 'Export again; if it recurs, report it.' });
  const handle = await fs.open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    const head = Buffer.alloc(8);
    if (size < 8 || (await handle.read(head, 0, 8, 0)).bytesRead !== 8) throw bad('shorter than its 8-byte length field');
    const n = Number(head.readBigUInt64LE());
    if (n > size - 8 || n > 100 * 1024 * 1024) throw bad(`header length ${n} exceeds the file`);
    const json = Buffer.alloc(n);
    await handle.read(json, 0, n, 8);
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(json.toString('utf8')) as Record<string, unknown>;
    } catch (err) {
      throw bad(`header is not JSON (${(err as Error).message})`);
    }
    const { __metadata__: metadata = {}, ...tensors } = parsed as { __metadata__?: Record<string, string> } & SafetensorsHeader['tensors'];
    const ranges = Object.entries(tensors).map(([name, t]) => {
      const width = BYTES[t.dtype as TensorDtype];
      if (!width) throw bad(`tensor ${name} has unsupported dtype ${t.dtype}`);
      const [begin, end] = t.data_offsets;
      const elements = t.shape.reduce((a, b) => a * b, 1);
      if (end - begin !== elements * width) throw bad(`tensor ${name}: ${end - begin} bytes for shape [${t.shape.join(', ')}] of ${t.dtype}`);
      return { name, begin, end };
    });
    ranges.sort((a, b) => a.begin - b.begin);
    let at = 0;
    for (const r of ranges) {
      if (r.begin !== at) throw bad(`tensor ${r.name} starts at ${r.begin}, expected ${at} (gap or overlap)`);
      at = r.end;
    }
    if (8 + n + at !== size) throw bad(`data ends at byte ${8 + n + at}, the file has ${size}`);
    return { metadata, tensors };
  } finally {
    await handle.close();
  }
}
