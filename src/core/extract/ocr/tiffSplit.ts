/**
 * One page of a multi-page TIFF as a TIFF of its own, for an OCR engine that reads the first page only
 * (tesseract.js hands the file to leptonica's pixRead, which takes the first IFD). Nothing is decoded: the page's
 * IFD is copied with its out-of-line values and its strips or tiles, and their offsets are rewritten (TIFF 6.0
 * §2 "Image File Directory", §3 strips, §15 tiles). Any compression the engine reads stays as it was.
 */

/** Bytes of one value of each field type (TIFF 6.0 §2, "Types"); 0 for types a baseline TIFF cannot hold. */
const TYPE_SIZE = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4];
/** Tags pointing at other IFDs or free space (SubIFDs, EXIF, GPS, Interoperability, FreeOffsets/ByteCounts): dropped. */
const DROPPED = new Set([330, 34665, 34853, 40965, 288, 289]);
/** Offset tags and the tag holding each one's byte counts: StripOffsets, TileOffsets, old-style JPEGInterchangeFormat. */
const DATA_TAGS = new Map([[273, 279], [324, 325], [513, 514]]);

interface Entry {
  tag: number;
  type: number;
  count: number;
  /** The value bytes, in the file's byte order. */
  value: Uint8Array;
}

/**
 * The page whose IFD starts at `ifd` as a single-page TIFF, in the file's byte order. Undefined when its IFD is
 * damaged (values or data past the end of the file).
 */
export function tiffPageFile(data: Uint8Array, ifd: number): Uint8Array | undefined {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const le = data[0] === 0x49;
  const u16 = (p: number) => view.getUint16(p, le);
  const u32 = (p: number) => view.getUint32(p, le);
  if (ifd + 2 > data.length) return undefined;
  const count = u16(ifd);
  if (ifd + 2 + count * 12 > data.length) return undefined;
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    const e = ifd + 2 + i * 12;
    const tag = u16(e);
    const type = u16(e + 2);
    const n = u32(e + 4);
    const size = (TYPE_SIZE[type] ?? 0) * n;
    if (DROPPED.has(tag) || !size) continue;
    const at = size <= 4 ? e + 8 : u32(e + 8);
    if (at + size > data.length) return undefined;
    entries.push({ tag, type, count: n, value: data.subarray(at, at + size) });
  }
  const read = (entry: Entry | undefined): number[] | undefined => {
    if (!entry || (entry.type !== 3 && entry.type !== 4)) return undefined;
    const v = new DataView(entry.value.buffer, entry.value.byteOffset, entry.value.byteLength);
    return Array.from({ length: entry.count }, (_, i) => (entry.type === 3 ? v.getUint16(i * 2, le) : v.getUint32(i * 4, le)));
  };
  // The image data: each offset tag's pieces, cut to the file.
  const pieces: Array<{ tag: number; chunks: Uint8Array[] }> = [];
  for (const [offsetTag, countTag] of DATA_TAGS) {
    const offsets = read(entries.find((e) => e.tag === offsetTag));
    const counts = read(entries.find((e) => e.tag === countTag));
    if (!offsets) continue;
    if (!counts || counts.length !== offsets.length) return undefined;
    pieces.push({ tag: offsetTag, chunks: offsets.map((o, i) => data.subarray(Math.min(o, data.length), Math.min(o + counts[i]!, data.length))) });
  }
  // Offsets and byte counts become LONGs (a page's data may now sit past 64 KB); the rest is copied as it was.
  const pieceOf = new Map(pieces.map((p) => [p.tag, p]));
  const countTags = new Set([...DATA_TAGS.entries()].filter(([o]) => pieceOf.has(o)).map(([, c]) => c));
  const out = entries.map((e): Entry => {
    const p = pieceOf.get(e.tag);
    if (p) return { tag: e.tag, type: 4, count: p.chunks.length, value: new Uint8Array(4 * p.chunks.length) };
    if (countTags.has(e.tag)) {
      const owner = pieces.find((q) => DATA_TAGS.get(q.tag) === e.tag)!;
      return { tag: e.tag, type: 4, count: owner.chunks.length, value: longs(owner.chunks.map((c) => c.length), le) };
    }
    return e;
  });
  const ifdSize = 2 + out.length * 12 + 4;
  let valuesSize = 0;
  for (const e of out) if (e.value.length > 4) valuesSize += e.value.length + (e.value.length & 1);
  let dataSize = 0;
  for (const p of pieces) for (const c of p.chunks) dataSize += c.length + (c.length & 1);
  const file = new Uint8Array(8 + ifdSize + valuesSize + dataSize);
  const w = new DataView(file.buffer);
  file.set(data.subarray(0, 4)); // byte order and 42
  w.setUint32(4, 8, le);
  // Image data last; its offsets go into the offset entries' values before those are written.
  let at = 8 + ifdSize + valuesSize;
  for (const p of pieces) {
    const offsets: number[] = [];
    for (const c of p.chunks) {
      offsets.push(at);
      file.set(c, at);
      at += c.length + (c.length & 1);
    }
    out.find((e) => e.tag === p.tag)!.value = longs(offsets, le);
  }
  w.setUint16(8, out.length, le);
  let values = 8 + ifdSize;
  out.forEach((e, i) => {
    const p = 10 + i * 12;
    w.setUint16(p, e.tag, le);
    w.setUint16(p + 2, e.type, le);
    w.setUint32(p + 4, e.count, le);
    if (e.value.length <= 4) {
      file.set(e.value, p + 8);
    } else {
      w.setUint32(p + 8, values, le);
      file.set(e.value, values);
      values += e.value.length + (e.value.length & 1);
    }
  });
  w.setUint32(10 + out.length * 12, 0, le); // no next IFD
  return file;
}

function longs(values: number[], le: boolean): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => v.setUint32(i * 4, x, le));
  return out;
}
