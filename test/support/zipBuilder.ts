import { crc32, deflateRawSync } from 'node:zlib';

/**
 * ZIP archives written byte by byte for tests (APPNOTE.TXT §4.3): local headers, a central directory and end
 * records built separately, so a test can splice hostile variants (a second directory, ZIP64 records that point
 * elsewhere, extra fields that run past their record).
 */
export interface ZipPart {
  name: string;
  data: Buffer | string;
  /** 8 = deflate (default), 0 = stored. */
  method?: 0 | 8;
  /** Raw extra field of the central record (and its length), e.g. a damaged ZIP64 field. */
  centralExtra?: Buffer;
  /** Overrides of the central record's 32-bit sizes (e.g. 0xFFFFFFFF to defer to a ZIP64 field). */
  centralUncompressed?: number;
  /** Name written in the local header (default: the same as the central one). */
  localName?: string;
}

export type Parts = Record<string, Buffer | string> | ZipPart[];

function toParts(parts: Parts): ZipPart[] {
  return Array.isArray(parts) ? parts : Object.entries(parts).map(([name, data]) => ({ name, data }));
}

/** Local headers + data, and the central directory records for them (offsets from `base`). */
export function zipBody(parts: Parts, base = 0): { local: Buffer; central: Buffer; count: number } {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = base;
  const list = toParts(parts);
  for (const part of list) {
    const raw = Buffer.isBuffer(part.data) ? part.data : Buffer.from(part.data);
    const method = part.method ?? 8;
    const data = method === 8 ? deflateRawSync(raw) : raw;
    const nameBuf = Buffer.from(part.name);
    const localNameBuf = Buffer.from(part.localName ?? part.name);
    const crc = crc32(raw);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(localNameBuf.length, 26);
    const extra = part.centralExtra ?? Buffer.alloc(0);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(45, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(part.centralUncompressed ?? raw.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt16LE(extra.length, 30);
    central.writeUInt32LE(offset, 42);
    locals.push(local, localNameBuf, data);
    centrals.push(central, nameBuf, extra);
    offset += local.length + localNameBuf.length + data.length;
  }
  return { local: Buffer.concat(locals), central: Buffer.concat(centrals), count: list.length };
}

/** End of central directory record (§4.3.16). */
export function eocd(count: number, cdSize: number, cdOffset: number): Buffer {
  const b = Buffer.alloc(22);
  b.writeUInt32LE(0x06054b50, 0);
  b.writeUInt16LE(count, 8);
  b.writeUInt16LE(count, 10);
  b.writeUInt32LE(cdSize, 12);
  b.writeUInt32LE(cdOffset, 16);
  return b;
}

/** ZIP64 end of central directory record (§4.3.14) followed by its locator (§4.3.15), written at `at`. */
export function zip64End(count: number, cdSize: number, cdOffset: number, at: number): Buffer {
  const rec = Buffer.alloc(56);
  rec.writeUInt32LE(0x06064b50, 0);
  rec.writeBigUInt64LE(44n, 4);
  rec.writeUInt16LE(45, 12);
  rec.writeUInt16LE(45, 14);
  rec.writeBigUInt64LE(BigInt(count), 24);
  rec.writeBigUInt64LE(BigInt(count), 32);
  rec.writeBigUInt64LE(BigInt(cdSize), 40);
  rec.writeBigUInt64LE(BigInt(cdOffset), 48);
  const loc = Buffer.alloc(20);
  loc.writeUInt32LE(0x07064b50, 0);
  loc.writeBigUInt64LE(BigInt(at), 8);
  loc.writeUInt32LE(1, 16);
  return Buffer.concat([rec, loc]);
}

/** A well-formed archive of the parts. */
export function buildZip(parts: Parts): Buffer {
  const { local, central, count } = zipBody(parts);
  return Buffer.concat([local, central, eocd(count, central.length, local.length)]);
}

/** A well-formed archive of deflated entries (DOCX/PPTX test inputs). */
export function zipEntries(entries: Record<string, Buffer | string>): Buffer {
  return buildZip(entries);
}
