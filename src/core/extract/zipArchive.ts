import { inflateRawSync } from 'node:zlib';
import { BrightRunError } from '../errors';
import { DEFAULT_MAX_RATIO, DEFAULT_MAX_UNCOMPRESSED } from './types';

export interface ZipEntry {
  name: string;
  method: number;
  encrypted: boolean;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

export interface ZipLimits {
  maxUncompressedBytes?: number;
  maxCompressionRatio?: number;
}

/**
 * A minimal, defensive ZIP reader for OOXML containers: parses the central directory (ZIP64 included),
 * refuses truncated archives and zip bombs (total size and compression ratio caps, checked against the
 * declared sizes and again while inflating, so a lying directory cannot get past them).
 */
export class ZipArchive {
  readonly entries: Map<string, ZipEntry>;

  private constructor(
    private readonly data: Buffer,
    entries: ZipEntry[],
    private readonly file: string,
  ) {
    this.entries = new Map(entries.map((e) => [e.name, e]));
  }

  static open(data: Buffer, file: string, limits: ZipLimits = {}): ZipArchive {
    const entries = readCentralDirectory(data, file);
    const maxTotal = limits.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED;
    const maxRatio = limits.maxCompressionRatio ?? DEFAULT_MAX_RATIO;
    let total = 0;
    for (const e of entries) {
      total += e.uncompressedSize;
      const ratio = e.uncompressedSize / Math.max(1, e.compressedSize);
      if (e.uncompressedSize > 1 << 20 && ratio > maxRatio) throw bomb(file, `${e.name} expands ${Math.round(ratio)}×`);
    }
    if (total > maxTotal) throw bomb(file, `its contents would expand to ${Math.round(total / 1048576)} MB`);
    return new ZipArchive(data, entries, file);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  read(name: string): Buffer {
    const e = this.entries.get(name);
    if (!e) throw corrupt(this.file, `the part ${name} is missing`);
    if (e.encrypted) throw new BrightRunError({ code: 'ENCRYPTED_FILE', file: this.file, message: `${this.file} has encrypted parts.`, remedy: 'Save an unencrypted copy and add that instead.' });
    const h = e.localHeaderOffset;
    if (h + 30 > this.data.length || this.data.readUInt32LE(h) !== 0x04034b50) throw corrupt(this.file, `the local header of ${name} is damaged`);
    const start = h + 30 + this.data.readUInt16LE(h + 26) + this.data.readUInt16LE(h + 28);
    const end = start + e.compressedSize;
    if (end > this.data.length) throw corrupt(this.file, `${name} is cut short (the file is truncated)`);
    const raw = this.data.subarray(start, end);
    if (e.method === 0) return raw;
    if (e.method !== 8) throw corrupt(this.file, `${name} uses unsupported compression method ${e.method}`);
    try {
      return inflateRawSync(raw, { maxOutputLength: Math.max(e.uncompressedSize, 1) });
    } catch (err) {
      if (err instanceof RangeError) throw bomb(this.file, `${name} inflates beyond its declared size`);
      throw corrupt(this.file, `${name} cannot be decompressed (${(err as Error).message})`);
    }
  }

  readText(name: string): string {
    return this.read(name).toString('utf8');
  }

  /** Inflates every entry once, proving the archive is whole and honest before a library reads it. */
  verifyAll(): void {
    for (const name of this.entries.keys()) if (!name.endsWith('/')) this.read(name);
  }
}

function readCentralDirectory(data: Buffer, file: string): ZipEntry[] {
  const minEocd = 22;
  if (data.length < minEocd) throw corrupt(file, 'it is too short to be a ZIP container (the file is truncated)');
  let eocd = -1;
  for (let i = data.length - minEocd; i >= Math.max(0, data.length - 65557); i--) {
    if (data.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw corrupt(file, 'its ZIP central directory is missing (the file is truncated or damaged)');
  let count = data.readUInt16LE(eocd + 10);
  let cdSize = data.readUInt32LE(eocd + 12);
  let cdOffset = data.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || data.readUInt32LE(loc) !== 0x07064b50) throw corrupt(file, 'its ZIP64 directory locator is missing');
    const z64 = Number(data.readBigUInt64LE(loc + 8));
    if (z64 + 56 > data.length || data.readUInt32LE(z64) !== 0x06064b50) throw corrupt(file, 'its ZIP64 directory is damaged');
    count = Number(data.readBigUInt64LE(z64 + 32));
    cdSize = Number(data.readBigUInt64LE(z64 + 40));
    cdOffset = Number(data.readBigUInt64LE(z64 + 48));
  }
  if (cdOffset + cdSize > data.length) throw corrupt(file, 'its ZIP central directory points past the end of the file (truncated)');
  const entries: ZipEntry[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > data.length || data.readUInt32LE(p) !== 0x02014b50) throw corrupt(file, 'its ZIP central directory is damaged');
    const flags = data.readUInt16LE(p + 8);
    const method = data.readUInt16LE(p + 10);
    let compressedSize = data.readUInt32LE(p + 20);
    let uncompressedSize = data.readUInt32LE(p + 24);
    const nameLen = data.readUInt16LE(p + 28);
    const extraLen = data.readUInt16LE(p + 30);
    const commentLen = data.readUInt16LE(p + 32);
    let localHeaderOffset = data.readUInt32LE(p + 42);
    const name = data.toString('utf8', p + 46, p + 46 + nameLen);
    if (compressedSize === 0xffffffff || uncompressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
      // ZIP64 extended information extra field (id 0x0001): only the fields that overflowed are present, in order.
      let q = p + 46 + nameLen;
      const extraEnd = q + extraLen;
      while (q + 4 <= extraEnd) {
        const id = data.readUInt16LE(q);
        const size = data.readUInt16LE(q + 2);
        if (id === 0x0001) {
          let r = q + 4;
          if (uncompressedSize === 0xffffffff) {
            uncompressedSize = Number(data.readBigUInt64LE(r));
            r += 8;
          }
          if (compressedSize === 0xffffffff) {
            compressedSize = Number(data.readBigUInt64LE(r));
            r += 8;
          }
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = Number(data.readBigUInt64LE(r));
          break;
        }
        q += 4 + size;
      }
    }
    entries.push({ name, method, encrypted: (flags & 1) === 1, compressedSize, uncompressedSize, localHeaderOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

function corrupt(file: string, what: string): BrightRunError {
  return new BrightRunError({ code: 'CORRUPT_FILE', file, message: `${file} is damaged: ${what}.`, remedy: 'Open it in the program that made it and save it again, or restore a good copy.' });
}

function bomb(file: string, what: string): BrightRunError {
  return new BrightRunError({
    code: 'ZIP_BOMB',
    file,
    message: `${file} looks like a zip bomb: ${what}.`,
    remedy: 'Do not open this file. If you trust it, raise the limits (maxUncompressedBytes / maxCompressionRatio) and try again.',
  });
}
