/**
 * Writes an uncompressed multi-page TIFF (TIFF 6.0 §2, §3 baseline grayscale): little-endian header, then per
 * page its 8-bit strip and an IFD, the IFDs chained by their next-IFD offsets. Resolutions are RATIONALs stored
 * out of line, so a page split copies out-of-line values too.
 */
export interface GrayPage {
  width: number;
  height: number;
  /** width × height samples, 0 = black. */
  pixels: Uint8Array;
}

export function writeTiff(pages: GrayPage[]): Buffer {
  const parts: Buffer[] = [];
  let at = 8;
  const header = Buffer.alloc(8);
  header.write('II', 0, 'latin1');
  header.writeUInt16LE(42, 2);
  parts.push(header);
  let linkAt = 4; // where the offset of the next IFD goes
  const patches: Array<[number, number]> = [];
  for (const page of pages) {
    parts.push(Buffer.from(page.pixels));
    const strip = at;
    at += page.pixels.length + (page.pixels.length & 1);
    if (page.pixels.length & 1) parts.push(Buffer.alloc(1));
    const rational = Buffer.alloc(8);
    rational.writeUInt32LE(300, 0);
    rational.writeUInt32LE(1, 4);
    parts.push(rational);
    const res = at;
    at += 8;
    const entries: Array<[number, number, number, number]> = [
      [256, 4, 1, page.width], [257, 4, 1, page.height], [258, 3, 1, 8], [259, 3, 1, 1], [262, 3, 1, 1],
      [273, 4, 1, strip], [277, 3, 1, 1], [278, 4, 1, page.height], [279, 4, 1, page.pixels.length],
      [282, 5, 1, res], [283, 5, 1, res], [296, 3, 1, 2],
    ];
    const ifd = Buffer.alloc(2 + entries.length * 12 + 4);
    ifd.writeUInt16LE(entries.length, 0);
    entries.forEach(([tag, type, count, value], i) => {
      ifd.writeUInt16LE(tag, 2 + i * 12);
      ifd.writeUInt16LE(type, 4 + i * 12);
      ifd.writeUInt32LE(count, 6 + i * 12);
      if (type === 3) ifd.writeUInt16LE(value, 10 + i * 12);
      else ifd.writeUInt32LE(value, 10 + i * 12);
    });
    patches.push([linkAt, at]);
    linkAt = at + 2 + entries.length * 12;
    parts.push(ifd);
    at += ifd.length;
  }
  const file = Buffer.concat(parts);
  for (const [where, value] of patches) file.writeUInt32LE(value, where);
  return file;
}

/** A grayscale page with `text` drawn in black (DejaVu Sans, through @napi-rs/canvas). */
export async function textPage(text: string, width = 900, height = 200): Promise<GrayPage> {
  const { createCanvas } = await import('@napi-rs/canvas');
  const c = createCanvas(width, height);
  const g = c.getContext('2d');
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, width, height);
  g.fillStyle = '#000000';
  g.font = '48px sans-serif';
  g.fillText(text, 30, height / 2 + 16);
  const rgba = g.getImageData(0, 0, width, height).data;
  const pixels = new Uint8Array(width * height);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rgba[i * 4]!;
  return { width, height, pixels };
}
