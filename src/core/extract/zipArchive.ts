import { inflateRawSync } from 'node:zlib';
import { BrightRunError } from '../errors';
import { formatCount, resourceLimitError } from './limits';
import { DEFAULT_MAX_RATIO, DEFAULT_MAX_UNCOMPRESSED } from './types';
import { readZipDirectory, zipCorrupt, type ZipEntry } from './zipDirectory';

export type { ZipEntry } from './zipDirectory';

export interface ZipLimits {
  maxUncompressedBytes?: number;
  maxCompressionRatio?: number;
}

/**
 * A minimal, defensive ZIP reader for OOXML containers: reads the directory once (zipDirectory.ts refuses
 * archives whose records disagree), and inflates parts within the decompression budget of the file
 * (`maxUncompressedBytes`, setting extract.maxDecompressedMB: the sum of the declared sizes, and each part's
 * inflation capped at its declared size so a lying directory cannot get past it) and a per-entry compression
 * ratio cap. Libraries never read the archive's bytes themselves: they are handed parts read from here.
 */
export class ZipArchive {
  readonly entries: Map<string, ZipEntry>;

  private constructor(
    private readonly data: Buffer,
    entries: ZipEntry[],
    private readonly file: string,
    private readonly maxRatio = DEFAULT_MAX_RATIO,
  ) {
    this.entries = new Map(entries.map((e) => [e.name, e]));
  }

  static open(data: Buffer, file: string, limits: ZipLimits = {}): ZipArchive {
    const entries = readZipDirectory(data, file);
    const maxTotal = limits.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED;
    const total = entries.reduce((sum, e) => sum + e.uncompressedSize, 0);
    if (total > maxTotal) {
      throw resourceLimitError(file, 'decompressed', `its parts would expand to ${formatCount(total / 1048576)} MB`, `the ${formatCount(maxTotal / 1048576)} MB decompression budget`);
    }
    return new ZipArchive(data, entries, file, limits.maxCompressionRatio ?? DEFAULT_MAX_RATIO);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  /** Declared (and enforced) uncompressed size of a part, in bytes; 0 when absent. */
  size(name: string): number {
    return this.entries.get(name)?.uncompressedSize ?? 0;
  }

  read(name: string): Buffer {
    const e = this.entries.get(name);
    if (!e) throw zipCorrupt(this.file, `the part ${name} is missing`);
    if (e.encrypted) throw new BrightRunError({ code: 'ENCRYPTED_FILE', file: this.file, message: `${this.file} has encrypted parts.`, remedy: 'Save an unencrypted copy and add that instead.' });
    const raw = this.data.subarray(e.dataStart, e.dataStart + e.compressedSize);
    if (e.method === 0) {
      if (raw.length !== e.uncompressedSize) throw zipCorrupt(this.file, `the stored part ${name} has another size than declared`);
      return raw;
    }
    if (e.method !== 8) throw zipCorrupt(this.file, `${name} uses unsupported compression method ${e.method}`);
    let out: Buffer;
    try {
      out = inflateRawSync(raw, { maxOutputLength: Math.max(e.uncompressedSize, 1) });
    } catch (err) {
      if (err instanceof RangeError) throw bomb(this.file, `${name} inflates beyond its declared size`);
      throw zipCorrupt(this.file, `${name} cannot be decompressed`);
    }
    if (out.length !== e.uncompressedSize) throw zipCorrupt(this.file, `${name} inflates to another size than declared`);
    return out;
  }

  /** Inflates every entry once, proving the archive is whole and honest before any part is parsed. */
  /**
   * Inflates every part once (checking each against its declared size and CRC). The per-part compression-ratio
   * cap is checked here, after the budgets (ZipArchive.open, OoxmlPackage.precheckBodies), so a part too large
   * for a budget is reported as that (RESOURCE_LIMIT, naming the setting), not as a zip bomb.
   */
  verifyAll(): void {
    for (const e of this.entries.values()) {
      const ratio = e.uncompressedSize / Math.max(1, e.compressedSize);
      if (e.uncompressedSize > 1 << 20 && ratio > this.maxRatio) throw bomb(this.file, `${e.name} expands ${formatCount(ratio)}×`, this.maxRatio);
    }
    for (const name of this.entries.keys()) if (!name.endsWith('/')) this.read(name);
  }
}

function bomb(file: string, what: string, maxRatio = DEFAULT_MAX_RATIO): BrightRunError {
  return new BrightRunError({
    code: 'ZIP_BOMB',
    file,
    message: `${file} looks like a zip bomb: ${what}.`,
    remedy: `Do not open this file. Office never compresses a part more than ${maxRatio}× (the cap, option maxCompressionRatio) or inflates it beyond its declared size; if you trust the file, open it in Office and save it again.`,
  });
}
