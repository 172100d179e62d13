import { isUtf8 } from 'node:buffer';
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
  const marked = detectBomOrWide(sample);
  if (marked) return marked;
  if (isUtf8Sample(sample, !sampleIsWholeFile)) return { name: 'utf-8', confidence: hasHighBytes(sample) ? 1 : 0.99, bomLength: 0 };
  return guessLegacy(sample);
}

function detectBomOrWide(sample: Uint8Array): DetectedEncoding | undefined {
  for (const [bom, name] of BOMS) {
    if (bom.every((b, i) => sample[i] === b)) return { name, confidence: 1, bomLength: bom.length };
  }
  const wide = detectWideWithoutBom(sample);
  return wide ? { name: wide, confidence: 0.9, bomLength: 0 } : undefined;
}

/** chardet's guess for text that is not UTF-8, with ISO-8859-1 widened to Windows-1252. */
function guessLegacy(sample: Uint8Array): DetectedEncoding {
  const guesses = chardet.analyse(sample);
  for (const g of guesses) {
    const name = normaliseName(g.name, sample);
    if (name && iconv.encodingExists(name)) return { name, confidence: Math.min(0.95, g.confidence / 100), bomLength: 0 };
  }
  return { name: 'windows-1252', confidence: 0.1, bomLength: 0 };
}

/** Where a text's UTF-8 is broken: bytes that are part of no valid sequence (each became one U+FFFD per maximal subpart). */
export interface InvalidUtf8 {
  /** Bytes that belong to no valid UTF-8 sequence. */
  bytes: number;
  /** Byte offset of the first of them in the file. */
  firstOffset: number;
  /** 1-based line of the first of them. */
  firstLine: number;
}

/** The decoded text of a file, the encoding it was read with and, for UTF-8, where its bytes were not UTF-8. */
export interface DecodedText {
  text: string;
  encoding: DetectedEncoding;
  invalidUtf8?: InvalidUtf8;
}

/**
 * Decodes a whole text file. The BOM and UTF-16/32 tests look at the head (`headBytes`); the UTF-8 decision
 * looks at every byte, so one decision holds for the whole file whatever its size:
 * - valid UTF-8 throughout → UTF-8 (native check, no copy);
 * - otherwise the evidence is counted (utf8Evidence): at least as many valid multi-byte sequences as invalid
 *   sequences → UTF-8 with stray bytes: decoded as UTF-8, each invalid sequence becomes U+FFFD, and
 *   `invalidUtf8` says how many bytes and where. Legacy 8-bit text almost never forms a valid multi-byte
 *   sequence by chance (a lead byte À–ô followed by a byte in 0x80–0xBF), and legacy CJK text does for ~10 %
 *   of its characters at most, so there the invalid ones dominate;
 * - fewer valid than invalid (none at all, for Western legacy text) → a legacy encoding, guessed by chardet
 *   from the 64 KB from the line of the first byte that is not UTF-8 (so a file whose head is plain ASCII is
 *   judged by its accented part).
 */
export function decodeText(data: Uint8Array, headBytes = 64 * 1024): DecodedText {
  const head = data.subarray(0, headBytes);
  let encoding = detectBomOrWide(head);
  let evidence: Utf8Evidence | undefined;
  if (!encoding) {
    if (isUtf8(data)) encoding = { name: 'utf-8', confidence: hasHighBytes(head) ? 1 : 0.99, bomLength: 0 };
    else {
      evidence = utf8Evidence(data);
      if (evidence.invalidSequences <= evidence.validMultiByte) encoding = { name: 'utf-8', confidence: 0.9, bomLength: 0 };
      else {
        // chardet reads the part with high bytes: ASCII before it says nothing and dilutes its statistics.
        const from = Math.max(0, data.lastIndexOf(0x0a, evidence.firstInvalid) + 1);
        encoding = guessLegacy(data.subarray(from, from + headBytes));
      }
    }
  } else if (encoding.name === 'utf-8') {
    const body = data.subarray(encoding.bomLength);
    if (!isUtf8(body)) evidence = utf8Evidence(body);
  }
  const text = decodeBytes(data, encoding);
  if (encoding.name !== 'utf-8' || !evidence?.invalidBytes) return { text, encoding };
  const firstOffset = evidence.firstInvalid + encoding.bomLength;
  return { text, encoding, invalidUtf8: { bytes: evidence.invalidBytes, firstOffset, firstLine: countLines(data, firstOffset) } };
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

function isUtf8Sample(bytes: Uint8Array, allowTruncatedEnd: boolean): boolean {
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
  return isUtf8(bytes.subarray(0, end));
}

/** What the bytes say about UTF-8: valid multi-byte sequences, invalid sequences and bytes, the first invalid offset. */
export interface Utf8Evidence {
  validMultiByte: number;
  /** Maximal subparts of ill-formed sequences (Unicode §3.9, D93b): what a decoder replaces by one U+FFFD each. */
  invalidSequences: number;
  invalidBytes: number;
  /** Offset of the first invalid byte, or -1. */
  firstInvalid: number;
}

/**
 * Counts valid and invalid UTF-8 in one pass, with the well-formed byte sequences of Unicode §3.9, Table 3-7
 * (so E0 needs A0–BF next, ED 80–9F, F0 90–BF, F4 80–8F; C0, C1, F5–FF never start a sequence).
 */
export function utf8Evidence(bytes: Uint8Array): Utf8Evidence {
  const r: Utf8Evidence = { validMultiByte: 0, invalidSequences: 0, invalidBytes: 0, firstInvalid: -1 };
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need = 0;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f;
    }
    let j = i + 1;
    let ok = need > 0;
    for (let k = 0; ok && k < need; k++, j++) {
      const c = j < n ? bytes[j]! : -1;
      if (c < (k === 0 ? lo : 0x80) || c > (k === 0 ? hi : 0xbf)) ok = false;
    }
    if (ok) {
      r.validMultiByte++;
      i = j;
      continue;
    }
    // The maximal subpart: the lead byte and the continuation bytes that were still acceptable.
    const end = need > 0 ? j - 1 : i + 1;
    if (r.firstInvalid < 0) r.firstInvalid = i;
    r.invalidSequences++;
    r.invalidBytes += end - i;
    i = end;
  }
  return r;
}

/** 1-based line number of a byte offset (LF bytes before it, plus one). */
function countLines(bytes: Uint8Array, offset: number): number {
  let lines = 1;
  for (let at = bytes.indexOf(0x0a); at >= 0 && at < offset; at = bytes.indexOf(0x0a, at + 1)) lines++;
  return lines;
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
