import * as iconv from 'iconv-lite';
import { BrightRunError } from '../../errors';

/**
 * Text encodings of CSV files. `utf-16le` files start with the byte order mark FF FE, on purpose: Excel reads a
 * UTF-16 CSV correctly only with it. Python reads them with `encoding='utf-16'` (BOM consumed); `'utf-16-le'`
 * would keep U+FEFF at the start of the first header (docs/export.md, CSV).
 */
export type CsvEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'windows-1252';

export const CSV_ENCODINGS: readonly CsvEncoding[] = ['utf-8', 'utf-8-bom', 'utf-16le', 'windows-1252'];

/** Characters Windows-1252 holds: ASCII, Latin-1 A0–FF and the 27 characters of 80–9F (five bytes there are undefined). */
let cp1252: Set<number> | undefined;
function cp1252Chars(): Set<number> {
  if (!cp1252) {
    cp1252 = new Set<number>();
    for (let b = 0; b < 256; b++) {
      const c = iconv.decode(Buffer.from([b]), 'win1252').codePointAt(0)!;
      if (c !== 0xfffd) cp1252.add(c);
    }
  }
  return cp1252;
}

/** Byte order mark written before the header, if any. */
export function byteOrderMark(encoding: CsvEncoding): Buffer {
  if (encoding === 'utf-8-bom') return Buffer.from([0xef, 0xbb, 0xbf]);
  if (encoding === 'utf-16le') return Buffer.from([0xff, 0xfe]);
  return Buffer.alloc(0);
}

/**
 * Encodes one line of CSV text. Windows-1252 cannot hold most of Unicode: the first character it cannot hold
 * throws INVALID_ARGUMENT naming the record and the character (never a silent '?').
 */
export function encodeCsvText(text: string, encoding: CsvEncoding, recordId: string): Buffer {
  switch (encoding) {
    case 'utf-8':
    case 'utf-8-bom':
      return Buffer.from(text, 'utf8');
    case 'utf-16le':
      return Buffer.from(text, 'utf16le');
    case 'windows-1252': {
      const allowed = cp1252Chars();
      for (const ch of text) {
        const cp = ch.codePointAt(0)!;
        if (!allowed.has(cp)) {
          const name = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
          throw new BrightRunError({
            code: 'INVALID_ARGUMENT',
            message: `Record ${recordId} holds the character "${ch}" (${name}), which Windows-1252 cannot encode.`,
            remedy: 'Export the CSV as "utf-8", "utf-8-bom" or "utf-16le" (export.csv.encoding), or exclude or edit that record.',
          });
        }
      }
      return iconv.encode(text, 'win1252');
    }
  }
}

/** A streaming decoder for the encoding (verification). */
export function csvDecoder(encoding: CsvEncoding): { write(chunk: Buffer): string; end(): string } {
  if (encoding === 'windows-1252') {
    const d = iconv.getDecoder('win1252');
    return { write: (c) => d.write(c), end: () => d.end() ?? '' };
  }
  const d = new TextDecoder(encoding === 'utf-16le' ? 'utf-16le' : 'utf-8', { fatal: true, ignoreBOM: false });
  return { write: (c) => d.decode(c, { stream: true }), end: () => d.decode() };
}
