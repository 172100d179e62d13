/**
 * The Unicode of glyphs in an embedded TrueType/OpenType program (FontFile2), read back from its `cmap` table
 * (Microsoft Unicode subtables, formats 4, 6 and 12). Used for CID fonts that carry no ToUnicode: their text is
 * only known through the font. Returns glyph id → text, or undefined when the font has no usable Unicode cmap.
 */

export function glyphUnicodeFromTrueType(font: Uint8Array): Map<number, string> | undefined {
  if (font.length < 12) return undefined;
  const view = new DataView(font.buffer, font.byteOffset, font.byteLength);
  const u16 = (o: number) => (o + 2 <= font.length ? view.getUint16(o) : 0);
  const u32 = (o: number) => (o + 4 <= font.length ? view.getUint32(o) : 0);
  const numTables = u16(4);
  let cmap = -1;
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + i * 16;
    if (String.fromCharCode(...font.subarray(rec, rec + 4)) === 'cmap') cmap = u32(rec + 8);
  }
  if (cmap < 0 || cmap >= font.length) return undefined;
  // Prefer full-repertoire Unicode (3,10 / 0,4+), then BMP Unicode (3,1 / 0,x).
  let best = -1;
  let bestRank = 0;
  const count = u16(cmap + 2);
  for (let i = 0; i < count; i++) {
    const rec = cmap + 4 + i * 8;
    const platform = u16(rec);
    const encoding = u16(rec + 2);
    const rank = platform === 3 && encoding === 10 ? 4 : platform === 0 && encoding >= 4 ? 3 : platform === 3 && encoding === 1 ? 2 : platform === 0 ? 1 : 0;
    if (rank > bestRank) {
      bestRank = rank;
      best = cmap + u32(rec + 4);
    }
  }
  if (best < 0 || best >= font.length) return undefined;
  const map = new Map<number, string>();
  // Every Unicode code point at most once in all: a crafted table cannot make this loop for billions of steps.
  let budget = 0x110000;
  const add = (code: number, gid: number) => {
    if (gid && code >= 0x20 && !map.has(gid) && !(code >= 0xd800 && code <= 0xdfff) && code <= 0x10ffff) map.set(gid, String.fromCodePoint(code));
  };
  const format = u16(best);
  if (format === 4) {
    const segX2 = u16(best + 6);
    const ends = best + 14;
    const starts = ends + segX2 + 2;
    const deltas = starts + segX2;
    const offsets = deltas + segX2;
    for (let s = 0; s < segX2; s += 2) {
      const end = u16(ends + s);
      const start = u16(starts + s);
      const delta = u16(deltas + s);
      const ro = u16(offsets + s);
      for (let c = start; c <= end && c !== 0xffff && budget-- > 0; c++) {
        let gid: number;
        if (ro === 0) gid = (c + delta) & 0xffff;
        else {
          const g = u16(offsets + s + ro + (c - start) * 2);
          gid = g ? (g + delta) & 0xffff : 0;
        }
        add(c, gid);
      }
    }
  } else if (format === 12) {
    const groups = u32(best + 12);
    for (let i = 0; i < groups && i < 0x10000; i++) {
      const g = best + 16 + i * 12;
      const start = u32(g);
      const end = Math.min(u32(g + 4), start + 0xffff);
      const gid = u32(g + 8);
      for (let c = start; c <= end && budget-- > 0; c++) add(c, gid + (c - start));
    }
  } else if (format === 6) {
    const first = u16(best + 6);
    const n = u16(best + 8);
    for (let i = 0; i < n && budget-- > 0; i++) add(first + i, u16(best + 10 + i * 2));
  } else return undefined;
  return map.size ? map : undefined;
}
