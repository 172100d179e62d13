/**
 * Image dimensions read from the header alone, before anything decodes the image, so a small file that would
 * decode to gigabytes (a 1.5 MB all-zero 40000 × 40000 PNG took 3.2 GB) is refused by its pixel count first.
 * Every read is bounds-checked: a short or damaged header gives undefined, never an exception. No image library
 * in the dependencies does this (image-size is not one of them), and each format needs a few lines.
 */

export type ImageType = 'png' | 'jpeg' | 'tiff' | 'webp' | 'gif' | 'bmp';

export interface ImageDimensions {
  /** Pixels. */
  width: number;
  height: number;
}

/** One image (page) of a TIFF file: its size and where its IFD starts. */
export interface TiffPage extends ImageDimensions {
  /** Byte offset of the page's image file directory (TIFF 6.0 §2). */
  ifd: number;
}

/** TIFF files with more pages than this are refused, and IFD chains that loop are cut (TIFF 6.0 §2). */
export const MAX_TIFF_PAGES = 10_000;
/** Blocks or markers scanned in a GIF or JPEG header before giving up. */
const MAX_SEGMENTS = 100_000;

const u16be = (b: Uint8Array, p: number) => (p + 2 <= b.length ? (b[p]! << 8) | b[p + 1]! : -1);
const u16le = (b: Uint8Array, p: number) => (p + 2 <= b.length ? b[p]! | (b[p + 1]! << 8) : -1);
const u32be = (b: Uint8Array, p: number) => (p + 4 <= b.length ? b[p]! * 0x1000000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) : -1);
const u32le = (b: Uint8Array, p: number) => (p + 4 <= b.length ? b[p + 3]! * 0x1000000 + ((b[p + 2]! << 16) | (b[p + 1]! << 8) | b[p]!) : -1);
const u24le = (b: Uint8Array, p: number) => (p + 3 <= b.length ? b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) : -1);
const ascii = (b: Uint8Array, p: number, s: string) => p + s.length <= b.length && [...s].every((c, i) => b[p + i] === c.charCodeAt(0));
const dims = (width: number, height: number): ImageDimensions | undefined => (width > 0 && height > 0 ? { width, height } : undefined);

/**
 * Width and height of an image, from its header: the largest page or frame for formats that hold several
 * (TIFF pages, GIF frames). Undefined when the header is short or damaged.
 */
export function imageSize(data: Uint8Array, type: ImageType): ImageDimensions | undefined {
  switch (type) {
    case 'png':
      // PNG §5.3, §11.2.2: signature (8), IHDR length and type (8), then width and height, 4 bytes each, big-endian.
      return ascii(data, 12, 'IHDR') ? dims(u32be(data, 16), u32be(data, 20)) : undefined;
    case 'jpeg':
      return jpegSize(data);
    case 'tiff': {
      const pages = tiffPages(data);
      if (!pages?.length) return undefined;
      return pages.reduce((a, p) => (p.width * p.height > a.width * a.height ? p : a), pages[0]!);
    }
    case 'gif':
      return gifSize(data);
    case 'bmp':
      return bmpSize(data);
    case 'webp':
      return webpSize(data);
  }
}

/** JPEG (ITU T.81 §B.2.2): the frame header (SOFn) holds Y (height) then X (width), 2 bytes each. */
function jpegSize(b: Uint8Array): ImageDimensions | undefined {
  let p = 2;
  for (let n = 0; n < MAX_SEGMENTS && p + 4 <= b.length; n++) {
    if (b[p] !== 0xff) return undefined;
    const marker = b[p + 1]!;
    if (marker === 0xff) { // fill byte
      p++;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) { // markers without a length
      p += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined; // end of image, or scan data before any frame
    const length = u16be(b, p + 2);
    if (length < 2) return undefined;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return dims(u16be(b, p + 7), u16be(b, p + 5));
    }
    p += 2 + length;
  }
  return undefined;
}

/**
 * The pages of a TIFF (TIFF 6.0 §2): the header gives byte order and the first IFD; each IFD holds its entries
 * (tag, type, count, value or offset) and the offset of the next. ImageWidth is tag 256 and ImageLength 257
 * (§8), SHORT or LONG. Undefined for a damaged header; a loop or an IFD past the end ends the list.
 */
export function tiffPages(b: Uint8Array): TiffPage[] | undefined {
  const le = ascii(b, 0, 'II');
  if (!le && !ascii(b, 0, 'MM')) return undefined;
  const u16 = le ? u16le : u16be;
  const u32 = le ? u32le : u32be;
  if (u16(b, 2) !== 42) return undefined;
  const pages: TiffPage[] = [];
  const seen = new Set<number>();
  for (let ifd = u32(b, 4); ifd >= 8 && ifd + 2 <= b.length && !seen.has(ifd); ) {
    if (pages.length >= MAX_TIFF_PAGES) return undefined;
    seen.add(ifd);
    const count = u16(b, ifd);
    let width = 0;
    let height = 0;
    for (let i = 0; i < count; i++) {
      const e = ifd + 2 + i * 12;
      if (e + 12 > b.length) break;
      const tag = u16(b, e);
      if (tag !== 256 && tag !== 257) continue;
      const type = u16(b, e + 2);
      const value = type === 3 ? u16(b, e + 8) : type === 4 ? u32(b, e + 8) : 0;
      if (tag === 256) width = value;
      else height = value;
    }
    pages.push({ width, height, ifd });
    ifd = u32(b, ifd + 2 + count * 12);
  }
  return pages.length ? pages : undefined;
}

/** GIF89a: the logical screen (§18) and each image descriptor (§20), whose frame may reach past the screen. */
function gifSize(b: Uint8Array): ImageDimensions | undefined {
  let width = u16le(b, 6);
  let height = u16le(b, 8);
  if (width < 0 || height < 0 || b.length < 13) return undefined;
  let p = 13 + (b[10]! & 0x80 ? 3 * 2 ** ((b[10]! & 7) + 1) : 0);
  const skipSubBlocks = () => {
    while (p < b.length && b[p] !== 0) p += b[p]! + 1;
    p++;
  };
  for (let n = 0; n < MAX_SEGMENTS && p < b.length; n++) {
    const kind = b[p];
    if (kind === 0x3b) break; // trailer
    if (kind === 0x21) { // extension: label, then sub-blocks
      p += 2;
      skipSubBlocks();
    } else if (kind === 0x2c) { // image descriptor: left, top, width, height, flags
      if (p + 10 > b.length) break;
      width = Math.max(width, u16le(b, p + 1) + u16le(b, p + 5));
      height = Math.max(height, u16le(b, p + 3) + u16le(b, p + 7));
      const flags = b[p + 9]!;
      p += 10 + (flags & 0x80 ? 3 * 2 ** ((flags & 7) + 1) : 0) + 1; // local colour table, LZW minimum code size
      skipSubBlocks();
    } else {
      break;
    }
  }
  return dims(width, height);
}

/** BMP: the DIB header after the 14-byte file header; BITMAPCOREHEADER (12 bytes) has 16-bit sizes, later ones 32-bit signed (negative height: top-down). */
function bmpSize(b: Uint8Array): ImageDimensions | undefined {
  const header = u32le(b, 14);
  if (header === 12) return dims(u16le(b, 18), u16le(b, 20));
  if (header < 40) return undefined;
  const w = u32le(b, 18);
  const h = u32le(b, 22);
  if (w < 0 || h < 0) return undefined;
  return dims(w | 0, Math.abs(h | 0));
}

/** WebP (RFC 9649): a lossy (VP8), lossless (VP8L) or extended (VP8X, canvas size) first chunk. */
function webpSize(b: Uint8Array): ImageDimensions | undefined {
  if (ascii(b, 12, 'VP8 ')) return b[23] === 0x9d && b[24] === 0x01 && b[25] === 0x2a ? dims(u16le(b, 26) & 0x3fff, u16le(b, 28) & 0x3fff) : undefined;
  if (ascii(b, 12, 'VP8L')) {
    if (b[20] !== 0x2f || b.length < 25) return undefined;
    const bits = u32le(b, 21);
    return dims((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  if (ascii(b, 12, 'VP8X')) {
    const w = u24le(b, 24);
    const h = u24le(b, 27);
    return w < 0 || h < 0 ? undefined : dims(w + 1, h + 1);
  }
  return undefined;
}
