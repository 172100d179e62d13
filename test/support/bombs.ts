import { deflateSync } from 'node:zlib';
import { PdfBuilder } from './pdfBuilder';

/**
 * LZWDecode data (PDF 32000-1 §7.4.4, EarlyChange 1) that decodes to `size` zero bytes: each code names the entry
 * being defined (one zero longer than the last) until the table is full, then the longest entry (3,839 zeros in
 * 12 bits) over and over — about 2,500 : 1.
 */
export function lzwZeros(size: number): Buffer {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  let next = 258;
  let width = 9;
  let prev = -1;
  const put = (code: number): void => {
    acc = (acc << width) | code;
    bits += width;
    while (bits >= 8) {
      out.push((acc >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
    acc &= (1 << bits) - 1;
  };
  const emit = (code: number): void => {
    put(code);
    if (prev >= 0 && next < 4096) {
      next++;
      width = next + 1 >= 2048 ? 12 : next + 1 >= 1024 ? 11 : next + 1 >= 512 ? 10 : 9;
    }
    prev = code;
  };
  const lengthOf = (code: number) => (code < 256 ? 1 : code - 256);
  let left = size;
  emit(0);
  left--;
  while (left > 0) {
    const code = next < 4096 ? next : 4095;
    if (lengthOf(code) <= left) {
      emit(code);
      left -= lengthOf(code);
    } else {
      emit(left === 1 ? 0 : 256 + left); // an entry already defined, exactly as long as what is left
      left = 0;
    }
  }
  put(257);
  if (bits) out.push((acc << (8 - bits)) & 0xff);
  return Buffer.from(out);
}

/** FlateDecode data of `size` zero bytes (deflate's best ratio, ~1,000 : 1), in one call. */
export function flateZeros(size: number): Buffer {
  return deflateSync(Buffer.alloc(size), { level: 9 });
}


/** A one-page PDF whose content stream is `data` with `filter`; the page also shows a line of text. */
export function bombPdf(data: Buffer, filter: string): Buffer {
  const b = new PdfBuilder();
  const font = b.add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  const bomb = b.stream(data, `/Filter /${filter}`);
  const page = b.add(`<< /Type /Page /Parent ${b.pagesRef} 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 ${font} 0 R >> >> /Contents ${bomb} 0 R >>`);
  b.addKid(page);
  return b.build();
}
