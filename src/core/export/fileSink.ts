import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import * as path from 'node:path';
import { createGunzip, createGzip, type Gzip } from 'node:zlib';
import { throwIfAborted } from '../errors';
import type { StreamCompression } from './types';

/** Bytes collected before one write to the stream: big enough to amortise stream overhead, small next to memory. */
const FLUSH_BYTES = 256 * 1024;

/**
 * One output file written by streaming: text or bytes in, optionally gzip-compressed, with the size and sha256
 * of the bytes as they land on disk (after compression). Memory is bounded by FLUSH_BYTES plus the stream's
 * high-water marks: `write` waits for `drain` when the file falls behind (back-pressure). The gzip stream has
 * no name and mtime 0 in its header, so the same input always gives the same bytes.
 */
export class FileSink {
  private readonly out: WriteStream;
  private readonly gzip?: Gzip;
  private readonly hash = createHash('sha256');
  private pending: (string | Uint8Array)[] = [];
  private pendingSize = 0;
  private failure: Error | undefined;
  private finished: Promise<void>;
  bytes = 0;
  /** Uncompressed bytes given to the sink (for progress). */
  rawBytes = 0;

  constructor(
    readonly file: string,
    compression: StreamCompression = 'none',
    private readonly signal?: AbortSignal,
  ) {
    this.out = createWriteStream(file, { flags: 'wx' });
    this.out.on('error', (err) => (this.failure ??= err));
    if (compression === 'gzip') {
      this.gzip = createGzip({ level: 6 });
      this.gzip.on('error', (err) => (this.failure ??= err));
      this.gzip.on('data', (chunk: Buffer) => {
        this.count(chunk);
        if (!this.out.write(chunk)) {
          this.gzip!.pause();
          this.out.once('drain', () => this.gzip!.resume());
        }
      });
    }
    this.finished = new Promise<void>((resolve, reject) => {
      this.out.once('close', () => (this.failure ? reject(this.failure) : resolve()));
      this.out.once('error', reject);
    });
    this.finished.catch(() => undefined);
  }

  /** The file name with `.gz` appended when compressed. */
  static fileName(base: string, compression: StreamCompression): string {
    return compression === 'gzip' ? `${base}.gz` : base;
  }

  async write(data: string | Uint8Array): Promise<void> {
    this.pending.push(data);
    this.pendingSize += data.length;
    if (this.pendingSize >= FLUSH_BYTES) await this.flush();
  }

  private count(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
  }

  private async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    throwIfAborted(this.signal);
    if (!this.pending.length) return;
    const buf = Buffer.concat(this.pending.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
    this.pending = [];
    this.pendingSize = 0;
    this.rawBytes += buf.length;
    const head: NodeJS.WritableStream = this.gzip ?? this.out;
    if (!this.gzip) this.count(buf);
    if (!head.write(buf)) await this.drained(this.gzip ?? this.out);
    if (this.gzip && this.out.writableNeedDrain) await this.drained(this.out);
  }

  private drained(stream: NodeJS.EventEmitter): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      stream.once('error', onError);
      stream.once('drain', () => {
        stream.off('error', onError);
        resolve();
      });
      this.finished.catch(reject);
    });
  }

  /** Flushes, ends the file, fsyncs nothing (the runner syncs the version once); returns size and sha256 as written. */
  async close(): Promise<{ bytes: number; sha256: string }> {
    await this.flush();
    if (this.gzip) {
      const gz = this.gzip;
      await new Promise<void>((resolve, reject) => {
        gz.once('end', resolve);
        gz.once('error', reject);
        gz.end();
      });
    }
    this.out.end();
    await this.finished;
    if (this.failure) throw this.failure;
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  /** Stops writing (cancelled or failed run); the file is left for the runner to remove with its temp folder. */
  destroy(): void {
    this.gzip?.destroy();
    this.out.destroy();
  }
}

/** The bytes of a written file, decompressed when it ends in `.gz`, in chunks. */
export async function* readDataChunks(file: string, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const input = createReadStream(file, { highWaterMark: 1 << 20 });
  const stream = path.extname(file) === '.gz' ? input.pipe(createGunzip()) : input;
  input.on('error', (err) => stream.destroy(err));
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      throwIfAborted(signal);
      yield chunk;
    }
  } finally {
    input.destroy();
    stream.destroy();
  }
}

/** Lines of a UTF-8 text file (decompressed when `.gz`), without their line breaks; a last empty line is not yielded. */
export async function* readDataLines(file: string, signal?: AbortSignal): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let rest = '';
  for await (const chunk of readDataChunks(file, signal)) {
    const text = rest + decoder.decode(chunk, { stream: true });
    const lines = text.split('\n');
    rest = lines.pop()!;
    for (const line of lines) yield line;
  }
  rest += decoder.decode();
  if (rest) yield rest;
}

/** sha256 and size of a file as stored, streamed. */
export async function hashStoredFile(file: string, signal?: AbortSignal): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    throwIfAborted(signal);
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { bytes, sha256: hash.digest('hex') };
}
