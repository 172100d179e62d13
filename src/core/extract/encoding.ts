import chardet from 'chardet';
import iconv from 'iconv-lite';

export interface DetectedEncoding {
  /** iconv-lite name, e.g. "utf-8", "utf-16le", "windows-1252", "Shift_JIS". */
  name: string;
  /** 0–1. 1 for a BOM or a strict UTF-8 decode of non-ASCII text. */
  confidence: number;
  /** Bytes of byte-order mark to skip. */
  bomLength: number;
}

const BOMS: Array<[number[], string]> = [
  [[0xef, 0xbb, 0xbf], 'utf-8'],
  [[0xff, 0xfe, 0x00, 0x00], 'utf-32le'],
  [[0x00, 0x00, 0xfe, 0xff], 'utf-32be'],
  [[0xff, 0xfe], 'utf-16le'],
  [[0xfe, 0xff], 'utf-16be'],
];

/**
 * Detects the encoding of text bytes: a BOM first; then UTF-32/UTF-16 without BOM from the pattern of zero
 * bytes; then strict UTF-8 (valid UTF-8 is almost never an accident); then chardet's statistical guess,
 * with ISO-8859-1 widened to Windows-1252 (its superset, which is what such files really are).
 */
export function detectEncoding(sample: Uint8Array, sampleIsWholeFile = true): DetectedEncoding {
  for (const [bom, name] of BOMS) {
    if (bom.every((b, i) => sample[i] === b)) return { name, confidence: 1, bomLength: bom.length };
  }
  const wide = detectWideWithoutBom(sample);
  if (wide) return { name: wide, confidence: 0.9, bomLength: 0 };
  if (isUtf8(sample, !sampleIsWholeFile)) return { name: 'utf-8', confidence: hasHighBytes(sample) ? 1 : 0.99, bomLength: 0 };
  const guesses = chardet.analyse(sample);
  for (const g of guesses) {
    const name = normaliseName(g.name, sample);
    if (name && iconv.encodingExists(name)) return { name, confidence: Math.min(0.95, g.confidence / 100), bomLength: 0 };
  }
  return { name: 'windows-1252', confidence: 0.1, bomLength: 0 };
}

export function decodeBytes(bytes: Uint8Array, encoding: DetectedEncoding): string {
  const body = encoding.bomLength ? bytes.subarray(encoding.bomLength) : bytes;
  if (encoding.name === 'utf-8') return new TextDecoder('utf-8').decode(body);
  return iconv.decode(Buffer.from(body.buffer, body.byteOffset, body.byteLength), encoding.name);
}

/** True when the bytes look like binary data rather than text in any encoding we know. */
export function looksBinary(sample: Uint8Array): boolean {
  if (sample.length === 0) return false;
  if (BOMS.some(([bom]) => bom.every((b, i) => sample[i] === b)) || detectWideWithoutBom(sample)) return false;
  let control = 0;
  for (const b of sample) {
    if (b === 0) return true;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) control++;
  }
  return control / sample.length > 0.05;
}

function detectWideWithoutBom(s: Uint8Array): string | undefined {
  const n = Math.min(s.length, 4096) & ~3;
  if (n < 8) return undefined;
  const zerosAt = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) if (s[i] === 0) zerosAt[i % 4]!++;
  const q = n / 4;
  // UTF-32: three of four bytes zero for Latin text.
  if (zerosAt[1]! > 0.9 * q && zerosAt[2]! > 0.9 * q && zerosAt[3]! > 0.9 * q && zerosAt[0]! < 0.5 * q) return 'utf-32le';
  if (zerosAt[0]! > 0.9 * q && zerosAt[1]! > 0.9 * q && zerosAt[2]! > 0.9 * q && zerosAt[3]! < 0.5 * q) return 'utf-32be';
  const even = zerosAt[0]! + zerosAt[2]!;
  const odd = zerosAt[1]! + zerosAt[3]!;
  const half = n / 2;
  if (odd > 0.4 * half && even < 0.05 * half) return 'utf-16le';
  if (even > 0.4 * half && odd < 0.05 * half) return 'utf-16be';
  return undefined;
}

function isUtf8(bytes: Uint8Array, allowTruncatedEnd: boolean): boolean {
  let end = bytes.length;
  if (allowTruncatedEnd) {
    // A sample cut in the middle of a multi-byte sequence is still UTF-8.
    let i = end - 1;
    let back = 0;
    while (i >= 0 && back < 3 && (bytes[i]! & 0xc0) === 0x80) {
      i--;
      back++;
    }
    if (i >= 0 && bytes[i]! >= 0xc0) end = i;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

function hasHighBytes(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b >= 0x80) return true;
  return false;
}

function normaliseName(name: string, sample: Uint8Array): string | undefined {
  const lower = name.toLowerCase();
  if (lower === 'iso-8859-1') return 'windows-1252';
  if (lower === 'ascii') return 'windows-1252';
  if (lower === 'utf-8') return undefined; // strict UTF-8 already failed
  if (lower.startsWith('utf-16') || lower.startsWith('utf-32')) return detectWideWithoutBom(sample) ? lower : undefined;
  return name;
}
