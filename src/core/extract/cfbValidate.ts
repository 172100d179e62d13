import { BrightRunError } from '../errors';

/**
 * Structural validation of a compound file ([MS-CFB] v3/v4) before any library walks it. word-extractor and the
 * `cfb` package follow sibling/child links and FAT chains without cycle checks, so one looping link (18 KB of
 * input) grows their arrays until V8 aborts the process. This reader checks, in time linear in the file:
 * - the header (§2.2): version 3 (512-byte sectors) or 4 (4096), byte order, mini sector size 64;
 * - the DIFAT (§2.5) and FAT (§2.3) sector lists: sector numbers inside the file, no loops;
 * - every chain walked (directory §2.6, mini FAT §2.4, mini stream, each stream): sectors inside the file and
 *   the FAT, no sector in two chains (a loop is a chain meeting itself), ending in ENDOFCHAIN, long enough for
 *   the declared stream size;
 * - the directory tree (§2.6.1, §2.6.4): sibling and child ids in range, each entry reached once (a red-black
 *   tree with a link back up is a cycle), only storages and streams in it, streams without children.
 * Anything wrong is CORRUPT_FILE naming it.
 */
const SECT = { maxReg: 0xfffffffa, difat: 0xfffffffc, fat: 0xfffffffd, end: 0xfffffffe, free: 0xffffffff } as const;
const NOSTREAM = 0xffffffff;
const ENTRY_SIZE = 128;
const HEADER_DIFAT = 109;
const MINI_SECTOR = 64;

interface DirEntry {
  id: number;
  name: string;
  type: number;
  left: number;
  right: number;
  child: number;
  start: number;
  size: number;
}

export function validateCompoundFile(data: Buffer, file: string): void {
  const bad = (what: string) => cfbCorrupt(file, what);
  if (data.length < 512) throw bad('it is shorter than its header (the file is truncated)');
  const major = data.readUInt16LE(0x1a);
  const shift = data.readUInt16LE(0x1e);
  if (!((major === 3 && shift === 9) || (major === 4 && shift === 12))) throw bad(`its header declares version ${major} with ${2 ** Math.min(shift, 31)}-byte sectors`);
  if (data.readUInt16LE(0x1c) !== 0xfffe || data.readUInt16LE(0x20) !== 6) throw bad('its header is damaged');
  const ss = 1 << shift;
  const sectorCount = Math.ceil((data.length - ss) / ss);
  if (sectorCount <= 0) throw bad('it has no sectors (the file is truncated)');
  const perSector = ss / 4;
  const u32 = (sector: number, index: number): number => {
    const at = (sector + 1) * ss + index * 4;
    return at + 4 <= data.length ? data.readUInt32LE(at) : SECT.free; // a cut-short last sector reads as free
  };
  const inFile = (s: number) => s < sectorCount;

  // FAT sectors: the header's 109 DIFAT entries, then the DIFAT chain (each sector: perSector - 1 entries + next).
  const fatCount = data.readUInt32LE(0x2c);
  if (fatCount > sectorCount) throw bad(`its header declares ${fatCount} FAT sectors in a file of ${sectorCount}`);
  const owner = new Map<number, string>(); // sector → what uses it; a second claim is a loop or a cross-link
  const claim = (s: number, what: string) => {
    if (!inFile(s)) throw bad(`${what} points to sector ${s}, past the end of the file`);
    const prior = owner.get(s);
    if (prior !== undefined) throw bad(prior === what ? `${what} loops back on itself` : `${what} and ${prior} share sector ${s}`);
    owner.set(s, what);
  };
  const fatSectors: number[] = [];
  for (let i = 0; i < Math.min(fatCount, HEADER_DIFAT); i++) fatSectors.push(data.readUInt32LE(0x4c + i * 4));
  let difat = data.readUInt32LE(0x44);
  const difatCount = data.readUInt32LE(0x48);
  for (let n = 0; fatSectors.length < fatCount; n++) {
    if (n >= difatCount || difat > SECT.maxReg) throw bad('its list of FAT sectors (DIFAT) ends early');
    claim(difat, 'the DIFAT');
    for (let i = 0; i < perSector - 1 && fatSectors.length < fatCount; i++) fatSectors.push(u32(difat, i));
    difat = u32(difat, perSector - 1);
  }
  for (const s of fatSectors) claim(s, 'the FAT');
  const fat = (s: number): number => u32(fatSectors[Math.floor(s / perSector)]!, s % perSector);
  const fatLength = fatCount * perSector;

  /** Sectors of a FAT chain, claimed for `what`; `size` bytes must fit in them. */
  const chain = (start: number, what: string, size?: number): number[] => {
    const out: number[] = [];
    for (let s = start; s !== SECT.end; s = fat(s)) {
      if (s > SECT.maxReg || s >= fatLength) throw bad(`${what} has a broken sector chain`);
      claim(s, what);
      out.push(s);
    }
    if (size !== undefined && out.length * ss < size) throw bad(`${what} is ${size} bytes but its sectors hold ${out.length * ss}`);
    return out;
  };

  const dirSectors = chain(data.readUInt32LE(0x30), 'the directory');
  const entries: DirEntry[] = [];
  for (const s of dirSectors) {
    for (let i = 0; i < ss / ENTRY_SIZE; i++) {
      const at = (s + 1) * ss + i * ENTRY_SIZE;
      if (at + ENTRY_SIZE > data.length) break;
      const nameLen = Math.min(64, data.readUInt16LE(at + 0x40));
      entries.push({
        id: entries.length,
        name: data.toString('utf16le', at, at + Math.max(0, nameLen - 2)),
        type: data[at + 0x42]!,
        left: data.readUInt32LE(at + 0x44),
        right: data.readUInt32LE(at + 0x48),
        child: data.readUInt32LE(at + 0x4c),
        start: data.readUInt32LE(at + 0x74),
        // Version 3 files may leave garbage in the high 32 bits of the size (§2.6.3): only the low half counts.
        size: major === 3 ? data.readUInt32LE(at + 0x78) : Number(data.readBigUInt64LE(at + 0x78)),
      });
    }
  }
  const root = entries[0];
  if (!root || root.type !== 5) throw bad('its root directory entry is missing');

  // The directory tree: every link in range, every entry reached at most once.
  const seen = new Set<number>([0]);
  const streams: DirEntry[] = [];
  const stack: number[] = [root.child];
  while (stack.length) {
    const id = stack.pop()!;
    if (id === NOSTREAM) continue;
    const e = entries[id];
    if (!e) throw bad(`its directory links to entry ${id}, past the ${entries.length} entries it has`);
    if (seen.has(id)) throw bad(`its directory tree has a cycle (entry ${id}, "${e.name}", is reached twice)`);
    seen.add(id);
    if (e.type === 2) {
      if (e.child !== NOSTREAM) throw bad(`the stream "${e.name}" has children`);
      streams.push(e);
    } else if (e.type !== 1) throw bad(`its directory tree links to an unused entry (${id})`);
    stack.push(e.left, e.right, ...(e.type === 1 ? [e.child] : []));
  }

  // Mini streams live in the root's stream, in 64-byte sectors chained by the mini FAT.
  const cutoff = data.readUInt32LE(0x38);
  const miniStreamSectors = chain(root.start, 'the mini stream', root.size).length;
  const miniFatSectors = chain(data.readUInt32LE(0x3c), 'the mini FAT');
  const miniCount = Math.min(Math.floor((miniStreamSectors * ss) / MINI_SECTOR), miniFatSectors.length * perSector);
  const miniFat = (m: number): number => u32(miniFatSectors[Math.floor(m / perSector)]!, m % perSector);
  const miniOwner = new Map<number, string>();
  for (const e of streams) {
    const what = `the stream "${e.name}"`;
    if (e.size >= cutoff) {
      chain(e.start, what, e.size);
      continue;
    }
    let n = 0;
    for (let m = e.start; m !== SECT.end && e.size > 0; m = miniFat(m), n++) {
      if (m >= miniCount) throw bad(`${what} has a broken mini sector chain`);
      const prior = miniOwner.get(m);
      if (prior !== undefined) throw bad(prior === what ? `${what} loops back on itself` : `${what} and ${prior} share a mini sector`);
      miniOwner.set(m, what);
    }
    if (n * MINI_SECTOR < e.size) throw bad(`${what} is ${e.size} bytes but its mini sectors hold ${n * MINI_SECTOR}`);
  }
}

function cfbCorrupt(file: string, what: string): BrightRunError {
  return new BrightRunError({
    code: 'CORRUPT_FILE',
    file,
    message: `${file} is a damaged Office compound file: ${what}.`,
    remedy: 'Open it in Office or LibreOffice and save it again (as DOCX or PPTX), or restore a good copy.',
  });
}
