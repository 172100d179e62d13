import { BrightRunError } from '../errors';

/**
 * The directory of a ZIP archive, read once and checked for the disagreements that let two readers see two
 * different archives in the same bytes. Section numbers are PKWARE's APPNOTE.TXT 6.3.10.
 *
 * Refused as CORRUPT_FILE:
 * - an end-of-central-directory record (§4.3.16) whose comment runs past the file, or that spans disks;
 * - a ZIP64 end record (§4.3.14, found through its locator §4.3.15) that disagrees with the classic one: a
 *   classic field must be either its "see ZIP64" sentinel (0xFFFF / 0xFFFFFFFF) or equal to the ZIP64 value,
 *   so a reader that follows ZIP64 (jszip does, when any field is a sentinel) and one that does not find the
 *   same central directory;
 * - a central directory that does not end where the end records begin, holds another number of entries than
 *   declared, or names a part twice;
 * - a ZIP64 extra field (§4.5.3) that runs past its record or lacks a value its header says it holds;
 * - a local header (§4.3.7) that disagrees with its central one (name, method, encryption, sizes when they are
 *   not deferred to a data descriptor §4.3.9), or entries whose data overlap each other or the directory.
 * Every read is bounds-checked first, so a damaged archive gives CORRUPT_FILE, never a RangeError.
 */
export interface ZipEntry {
  name: string;
  method: number;
  encrypted: boolean;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  /** Offset of the entry's (compressed) data: after its local header, name and extra field. */
  dataStart: number;
}

const SIG = { local: 0x04034b50, central: 0x02014b50, eocd: 0x06054b50, zip64Eocd: 0x06064b50, zip64Locator: 0x07064b50 } as const;
const U16_SENTINEL = 0xffff;
const U32_SENTINEL = 0xffffffff;
/** Fixed sizes: EOCD §4.3.16, ZIP64 EOCD record §4.3.14 (without extensible data), locator §4.3.15, headers. */
const EOCD_SIZE = 22;
const ZIP64_EOCD_SIZE = 56;
const ZIP64_LOCATOR_SIZE = 20;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;

export function readZipDirectory(data: Buffer, file: string): ZipEntry[] {
  const bad = (what: string) => zipCorrupt(file, what);
  if (data.length < EOCD_SIZE) throw bad('it is too short to be a ZIP container (the file is truncated)');
  let eocd = -1;
  for (let i = data.length - EOCD_SIZE; i >= Math.max(0, data.length - EOCD_SIZE - 0xffff); i--) {
    if (data.readUInt32LE(i) === SIG.eocd) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw bad('its ZIP central directory is missing (the file is truncated or damaged)');
  if (eocd + EOCD_SIZE + data.readUInt16LE(eocd + 20) > data.length) throw bad('its ZIP end record is cut short (the file is truncated)');
  const disk = data.readUInt16LE(eocd + 4);
  const cdDisk = data.readUInt16LE(eocd + 6);
  const diskCount = data.readUInt16LE(eocd + 8);
  let count = data.readUInt16LE(eocd + 10);
  let cdSize = data.readUInt32LE(eocd + 12);
  let cdOffset = data.readUInt32LE(eocd + 16);
  // Multi-disk archives are not OOXML; a sentinel disk number means "see ZIP64" and is checked there.
  if ((disk !== 0 && disk !== U16_SENTINEL) || (cdDisk !== 0 && cdDisk !== U16_SENTINEL) || (diskCount !== count && diskCount !== U16_SENTINEL && count !== U16_SENTINEL)) {
    throw bad('it is a multi-part (spanned) ZIP archive');
  }
  let cdEnd = eocd; // where the central directory must end: the ZIP64 end record if there is one, else the EOCD
  const loc = eocd - ZIP64_LOCATOR_SIZE;
  const hasLocator = loc >= 0 && data.readUInt32LE(loc) === SIG.zip64Locator;
  const needsZip64 = count === U16_SENTINEL || cdSize === U32_SENTINEL || cdOffset === U32_SENTINEL;
  if (needsZip64 && !hasLocator) throw bad('its ZIP64 directory locator is missing');
  if (hasLocator) {
    const z64 = safeU64(data, loc + 8);
    if (z64 > loc - ZIP64_EOCD_SIZE || data.readUInt32LE(z64) !== SIG.zip64Eocd) throw bad('its ZIP64 directory is damaged');
    // The record's size field counts what follows it (§4.3.14.1): the record must end at the locator.
    if (z64 + 12 + safeU64(data, z64 + 4) !== loc) throw bad('its ZIP64 end record does not end where its locator begins');
    if (data.readUInt32LE(z64 + 16) !== 0 || data.readUInt32LE(z64 + 20) !== 0 || data.readUInt32LE(loc + 4) !== 0) throw bad('it is a multi-part (spanned) ZIP archive');
    const count64 = safeU64(data, z64 + 32);
    const size64 = safeU64(data, z64 + 40);
    const offset64 = safeU64(data, z64 + 48);
    if (safeU64(data, z64 + 24) !== count64) throw bad('its ZIP64 end record disagrees with itself about the number of entries');
    if ((count !== U16_SENTINEL && count !== count64) || (cdSize !== U32_SENTINEL && cdSize !== size64) || (cdOffset !== U32_SENTINEL && cdOffset !== offset64)) {
      throw bad('its classic and ZIP64 end records point to different central directories');
    }
    count = count64;
    cdSize = size64;
    cdOffset = offset64;
    cdEnd = z64;
  }
  if (cdOffset + cdSize > cdEnd) throw bad('its ZIP central directory points past the end of the file (truncated)');
  if (cdOffset + cdSize !== cdEnd) throw bad('its ZIP central directory does not end where its end record begins');
  const entries = readCentralEntries(data, cdOffset, cdEnd, count, bad);
  checkLocalHeaders(data, entries, cdOffset, bad);
  return entries;
}

function readCentralEntries(data: Buffer, cdOffset: number, cdEnd: number, count: number, bad: (what: string) => BrightRunError): ZipEntry[] {
  const entries: ZipEntry[] = [];
  const names = new Set<string>();
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + CENTRAL_SIZE > cdEnd || data.readUInt32LE(p) !== SIG.central) throw bad('its ZIP central directory is damaged');
    const flags = data.readUInt16LE(p + 8);
    const method = data.readUInt16LE(p + 10);
    let compressedSize = data.readUInt32LE(p + 20);
    let uncompressedSize = data.readUInt32LE(p + 24);
    const nameLen = data.readUInt16LE(p + 28);
    const extraLen = data.readUInt16LE(p + 30);
    const commentLen = data.readUInt16LE(p + 32);
    const diskStart = data.readUInt16LE(p + 34);
    let localHeaderOffset = data.readUInt32LE(p + 42);
    const next = p + CENTRAL_SIZE + nameLen + extraLen + commentLen;
    if (next > cdEnd) throw bad('a ZIP central directory record runs past the directory');
    const name = data.toString('utf8', p + CENTRAL_SIZE, p + CENTRAL_SIZE + nameLen);
    if (names.has(name)) throw bad(`its ZIP directory names the part ${name} twice`);
    names.add(name);
    if (compressedSize === U32_SENTINEL || uncompressedSize === U32_SENTINEL || localHeaderOffset === U32_SENTINEL || diskStart === U16_SENTINEL) {
      // ZIP64 extended information (§4.5.3, id 0x0001): only the fields that overflowed are present, in this order.
      const z = findExtra(data, p + CENTRAL_SIZE + nameLen, extraLen, 0x0001, name, bad);
      if (!z) throw bad(`the ZIP64 sizes of ${name} are missing`);
      let r = z.start;
      const take = (): number => {
        if (r + 8 > z.end) throw bad(`the ZIP64 extra field of ${name} is too short`);
        const v = safeU64(data, r);
        r += 8;
        return v;
      };
      if (uncompressedSize === U32_SENTINEL) uncompressedSize = take();
      if (compressedSize === U32_SENTINEL) compressedSize = take();
      if (localHeaderOffset === U32_SENTINEL) localHeaderOffset = take();
    }
    entries.push({ name, method, encrypted: (flags & 1) === 1, compressedSize, uncompressedSize, localHeaderOffset, dataStart: 0 });
    p = next;
  }
  if (p !== cdEnd) throw bad('its ZIP central directory holds more records than its end record declares');
  return entries;
}

/** The extra-field block (§4.5.1: id, size, data) with the given id, bounds-checked against the record. */
function findExtra(data: Buffer, start: number, length: number, id: number, name: string, bad: (what: string) => BrightRunError): { start: number; end: number } | undefined {
  const end = start + length;
  let q = start;
  while (q + 4 <= end) {
    const size = data.readUInt16LE(q + 2);
    if (q + 4 + size > end) throw bad(`the extra field of ${name} runs past its record`);
    if (data.readUInt16LE(q) === id) return { start: q + 4, end: q + 4 + size };
    q += 4 + size;
  }
  return undefined;
}

/**
 * Each entry's local header agrees with its central record, and entries' data do not overlap one another or the
 * central directory (overlapping entries are how "non-recursive" zip bombs multiply their output).
 */
function checkLocalHeaders(data: Buffer, entries: ZipEntry[], cdOffset: number, bad: (what: string) => BrightRunError): void {
  for (const e of entries) {
    const h = e.localHeaderOffset;
    if (h + LOCAL_SIZE > cdOffset || data.readUInt32LE(h) !== SIG.local) throw bad(`the local header of ${e.name} is damaged`);
    const flags = data.readUInt16LE(h + 6);
    const nameLen = data.readUInt16LE(h + 26);
    const extraLen = data.readUInt16LE(h + 28);
    e.dataStart = h + LOCAL_SIZE + nameLen + extraLen;
    if (e.dataStart > cdOffset) throw bad(`the local header of ${e.name} runs into the central directory`);
    if (data.toString('utf8', h + LOCAL_SIZE, h + LOCAL_SIZE + nameLen) !== e.name) throw bad(`the local header of ${e.name} names another part`);
    if (data.readUInt16LE(h + 8) !== e.method || ((flags & 1) === 1) !== e.encrypted) throw bad(`the local header of ${e.name} disagrees with the central directory`);
    if ((flags & 0x08) === 0) {
      const localCompressed = data.readUInt32LE(h + 18);
      const localSize = data.readUInt32LE(h + 22);
      const agrees = (local: number, central: number) => local === U32_SENTINEL || local === central;
      if (!agrees(localCompressed, e.compressedSize) || !agrees(localSize, e.uncompressedSize)) throw bad(`the local header of ${e.name} declares other sizes than the central directory`);
    }
    if (e.dataStart + e.compressedSize > cdOffset) throw bad(`${e.name} is cut short (the file is truncated)`);
  }
  const byOffset = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1]!;
    if (prev.dataStart + prev.compressedSize > byOffset[i]!.localHeaderOffset) throw bad(`the parts ${prev.name} and ${byOffset[i]!.name} overlap`);
  }
}

/** A little-endian 64-bit field as a number; anything past 2^53 is no offset or size in a file we hold. */
function safeU64(data: Buffer, at: number): number {
  if (at < 0 || at + 8 > data.length) return Number.MAX_SAFE_INTEGER;
  const v = data.readBigUInt64LE(at);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

export function zipCorrupt(file: string, what: string): BrightRunError {
  return new BrightRunError({ code: 'CORRUPT_FILE', file, message: `${file} is damaged: ${what}.`, remedy: 'Open it in the program that made it and save it again, or restore a good copy.' });
}
