/**
 * The file structure of a PDF (PDF 32000-1 §7.5): cross-reference tables and streams (with /Prev chains and
 * hybrid files), object streams, stream decoding, and a rebuilt cross-reference by scanning for `n g obj` when the
 * table is missing or wrong. Encrypted files are not handled here (PdfUnsupportedError: pdf.js reads those).
 */
import { DEFAULT_DECODE_LIMIT, PdfBudgetError, applyPredictor, decodeAscii85, decodeAsciiHex, decodeLzw, decodeRunLength, inflate } from './filters';
import { PdfDict, PdfName, PdfOp, PdfRef, PdfStream, PdfUnsupportedError, isDict, nameOf, type PdfObject } from './objects';
import { PdfSecurity } from './security';
import { PdfLexer, indexOfAscii, lastIndexOfAscii } from './syntax';

type Entry = { type: 1; offset: number } | { type: 2; stream: number };

/** Image codecs (§7.4.6–7.4.9): their output is bounded by the image's declared size, checked against the pixel budget. */
const IMAGE_CODECS = new Set(['DCTDecode', 'DCT', 'JPXDecode', 'JBIG2Decode', 'CCITTFaxDecode', 'CCF']);

/** No file has more objects than this; a cross-reference claiming more is damaged. */
const MAX_OBJECTS = 10_000_000;
/**
 * The streams this reader keeps decoded (contents, forms, fonts, CMaps, object streams) together hold no more
 * than this many times the per-stream budget: a bomb spread over many streams (2 GB by default).
 */
const KEPT_PER_FILE = 2;

export interface PdfFileOptions {
  /**
   * Budget of one decoded stream, in bytes (ExtractOptions.maxUncompressedBytes, setting
   * extract.maxDecompressedMB): a stream that would decode to more throws PdfBudgetError.
   */
  maxStreamBytes?: number;
  /** Password of an encrypted file (the user's or the owner's); the empty password is tried by default. */
  password?: string;
}

export class PdfFile {
  private readonly entries = new Map<number, Entry>();
  private readonly cache = new Map<number, PdfObject>();
  private readonly objStreams = new Map<number, { data: Uint8Array; offsets: Map<number, number> }>();
  private readonly resolving = new Set<number>();
  private readonly decoded = new WeakMap<PdfStream, Uint8Array>();
  private decodedBytes = 0;
  trailer = new PdfDict();
  /** True when the cross-reference had to be rebuilt by scanning the file. */
  repaired = false;

  /** Budget of one decoded stream, in bytes. */
  readonly maxStreamBytes: number;

  constructor(
    readonly data: Uint8Array,
    options: PdfFileOptions = {},
  ) {
    this.maxStreamBytes = options.maxStreamBytes ?? DEFAULT_DECODE_LIMIT;
    if (indexOfAscii(data, '%PDF-', 0, Math.min(data.length, 1024)) < 0) throw new PdfUnsupportedError('no %PDF- header');
    try {
      this.readXrefChain();
    } catch (err) {
      if (err instanceof PdfBudgetError) throw err;
      this.entries.clear();
    }
    if (!this.entries.size || !(this.resolve(this.trailer.get('Root')) instanceof PdfDict)) this.rebuild();
    const encrypt = this.trailer.get('Encrypt');
    if (encrypt !== undefined) {
      const dict = this.resolve(encrypt);
      if (!(dict instanceof PdfDict)) throw new PdfUnsupportedError('encrypted: no security dictionary');
      const ids = this.resolve(this.trailer.get('ID'));
      const id0 = Array.isArray(ids) && ids[0] instanceof Uint8Array ? ids[0] : new Uint8Array(0);
      // Objects read so far (the security dictionary itself, the catalog) were read in clear: read them again.
      this.encryptRef = encrypt instanceof PdfRef ? encrypt.num : undefined;
      this.security = PdfSecurity.open(dict, id0, options.password ?? '', (o) => this.resolve(o));
      for (const num of [...this.cache.keys()]) if (num !== this.encryptRef) this.cache.delete(num);
      this.objStreams.clear();
    }
  }

  /** The standard security handler of an encrypted file (security.ts); undefined when the file is not encrypted. */
  private security: PdfSecurity | undefined;
  /** The security dictionary's object number: it is never encrypted (§7.6.1). */
  private encryptRef: number | undefined;
  /** Object number and generation of each stream read from an encrypted file, to decrypt it by. */
  private readonly streamIds = new WeakMap<PdfStream, { num: number; gen: number }>();

  /** A stream's bytes as stored, decrypted when the file is encrypted (before any filter). */
  rawBytes(stream: PdfStream): Uint8Array {
    const id = this.security ? this.streamIds.get(stream) : undefined;
    if (!id || !this.security) return stream.raw;
    const type = this.resolve(stream.dict.get('Type'));
    if (type instanceof PdfName && (type.name === 'XRef' || (type.name === 'Metadata' && !this.security.encryptMetadata))) return stream.raw;
    return this.security.decryptStream(stream.raw, id.num, id.gen);
  }

  get catalog(): PdfDict {
    const root = this.resolve(this.trailer.get('Root'));
    if (!(root instanceof PdfDict)) throw new PdfUnsupportedError('no document catalog');
    return root;
  }

  /** Follows references (and chains of them) to a direct object. */
  resolve(obj: PdfObject | undefined): PdfObject | undefined {
    for (let hops = 0; obj instanceof PdfRef && hops < 32; hops++) obj = this.fetch(obj.num);
    return obj instanceof PdfRef ? undefined : obj;
  }

  /** dict[key], resolved. */
  get(dict: PdfDict | undefined, key: string): PdfObject | undefined {
    return dict ? this.resolve(dict.get(key)) : undefined;
  }

  fetch(num: number): PdfObject | undefined {
    if (this.cache.has(num)) return this.cache.get(num);
    const entry = this.entries.get(num);
    if (!entry || this.resolving.has(num)) return undefined;
    this.resolving.add(num);
    try {
      const obj = entry.type === 1 ? this.readObjectAt(entry.offset, num) : this.readFromObjectStream(entry.stream, num);
      if (obj === undefined && entry.type === 1 && entry.offset >= 0 && !this.repaired) {
        // The table points at the wrong place: rebuild it from the file once, then try again.
        this.resolving.delete(num);
        this.rebuild();
        return this.fetch(num);
      }
      this.cache.set(num, obj ?? null);
      return obj;
    } finally {
      this.resolving.delete(num);
    }
  }

  /**
   * The decoded bytes of a stream (filters applied in order), decoded once per stream and kept. Throws
   * PdfBudgetError past the per-stream budget, or when the kept streams together pass KEPT_PER_FILE × it.
   */
  streamBytes(stream: PdfStream): Uint8Array {
    let decoded = this.decoded.get(stream);
    if (!decoded) {
      decoded = this.decodeStream(stream);
      this.decodedBytes += decoded.length;
      if (this.decodedBytes > KEPT_PER_FILE * this.maxStreamBytes) throw new PdfBudgetError(KEPT_PER_FILE * this.maxStreamBytes, "the file's streams together");
      this.decoded.set(stream, decoded);
    }
    return decoded;
  }

  /** True when the stream was decoded and kept already. */
  isDecoded(stream: PdfStream): boolean {
    return this.decoded.has(stream);
  }

  /**
   * Decodes a stream within the budget without keeping it (what another reader would decode), returning its
   * decoded size in bytes. Filters this reader does not decode (image codecs: DCT, JPX, JBIG2, CCITT) end the
   * chain: the size is of the data before them.
   */
  measureStream(stream: PdfStream): number {
    const kept = this.decoded.get(stream);
    if (kept) return kept.length;
    return this.decodeStream(stream, true).length;
  }

  /** The names of a stream's filters, in order. */
  filtersOf(stream: PdfStream): string[] {
    const filters = this.resolve(stream.dict.get('Filter'));
    const list = Array.isArray(filters) ? filters : filters === undefined || filters === null ? [] : [filters];
    return list.map((f) => nameOf(this.resolve(f)) ?? '?');
  }

  private decodeStream(stream: PdfStream, stopAtCodecs = false): Uint8Array {
    let data = this.rawBytes(stream);
    const filters = this.resolve(stream.dict.get('Filter'));
    const parms = this.resolve(stream.dict.get('DecodeParms') ?? stream.dict.get('DP'));
    const list = Array.isArray(filters) ? filters : filters === undefined || filters === null ? [] : [filters];
    for (let i = 0; i < list.length; i++) {
      const name = nameOf(this.resolve(list[i]));
      if (stopAtCodecs && name !== undefined && IMAGE_CODECS.has(name)) break;
      const p = this.resolve(Array.isArray(parms) ? parms[i] : parms);
      data = this.decode(name, data, p instanceof PdfDict ? p : undefined);
    }
    return data;
  }

  private decode(filter: string | undefined, data: Uint8Array, parms: PdfDict | undefined): Uint8Array {
    const num = (key: string, dflt: number) => {
      const v = this.resolve(parms?.get(key));
      return typeof v === 'number' ? v : dflt;
    };
    const predicted = (out: Uint8Array) => {
      const predictor = num('Predictor', 1);
      if (predictor <= 1) return out;
      return applyPredictor(out, { predictor, colors: num('Colors', 1), bitsPerComponent: num('BitsPerComponent', 8), columns: num('Columns', 1) });
    };
    const limit = this.maxStreamBytes;
    switch (filter) {
      case 'FlateDecode':
      case 'Fl':
        return predicted(inflate(data, limit));
      case 'LZWDecode':
      case 'LZW':
        return predicted(decodeLzw(data, num('EarlyChange', 1), limit));
      case 'ASCII85Decode':
      case 'A85':
        return decodeAscii85(data, limit);
      case 'ASCIIHexDecode':
      case 'AHx':
        return decodeAsciiHex(data);
      case 'RunLengthDecode':
      case 'RL':
        return decodeRunLength(data, limit);
      case 'Crypt':
        return data;
      default:
        throw new PdfUnsupportedError(`stream filter ${filter ?? '?'}`);
    }
  }

  // ── cross-reference ─────────────────────────────────────────────────────────────

  private readXrefChain(): void {
    const { data } = this;
    const sx = lastIndexOfAscii(data, 'startxref');
    if (sx < 0) throw new Error('no startxref');
    const lexer = new PdfLexer(data, sx + 9);
    let offset = lexer.next();
    const seen = new Set<number>();
    let first = true;
    while (typeof offset === 'number' && offset >= 0 && offset < data.length && !seen.has(offset)) {
      seen.add(offset);
      const trailer = this.readXrefSection(offset);
      if (first) {
        this.trailer = trailer;
        first = false;
      } else {
        for (const [k, v] of trailer.map) if (!this.trailer.map.has(k)) this.trailer.map.set(k, v);
      }
      const hybrid = trailer.get('XRefStm');
      if (typeof hybrid === 'number' && !seen.has(hybrid)) {
        seen.add(hybrid);
        this.readXrefSection(hybrid);
      }
      offset = trailer.get('Prev');
    }
  }

  /** Reads one xref table (+ trailer) or xref stream at `offset`; earlier-read (newer) entries win. */
  private readXrefSection(offset: number): PdfDict {
    const { data } = this;
    const lexer = new PdfLexer(data, offset);
    lexer.skipSpace();
    if (indexOfAscii(data, 'xref', lexer.pos, lexer.pos + 4) === lexer.pos) {
      lexer.pos += 4;
      for (;;) {
        const start = lexer.next();
        if (start instanceof PdfOp && start.op === 'trailer') break;
        const count = lexer.next();
        if (typeof start !== 'number' || typeof count !== 'number') throw new Error('bad xref subsection');
        lexer.skipSpace();
        let p = lexer.pos;
        for (let i = 0; i < count; i++) {
          // Entries are "oooooooooo ggggg n\r\n" (20 bytes), but tolerate other whitespace.
          const entry = readXrefEntry(data, p);
          if (!entry) throw new Error('bad xref entry');
          const num = start + i;
          if (entry.inUse && !this.entries.has(num) && entry.offset > 0) this.entries.set(num, { type: 1, offset: entry.offset });
          p = entry.end;
          while (p < data.length && (data[p] === 0x20 || data[p] === 0x0d || data[p] === 0x0a)) p++;
        }
        lexer.pos = p;
      }
      const trailer = lexer.next();
      if (!(trailer instanceof PdfDict)) throw new Error('bad trailer');
      return trailer;
    }
    const stream = this.readObjectAt(offset);
    if (!(stream instanceof PdfStream) || nameOf(stream.dict.get('Type')) !== 'XRef') throw new Error('no xref at offset');
    this.readXrefStream(stream);
    return stream.dict;
  }

  private readXrefStream(stream: PdfStream): void {
    const dict = stream.dict;
    const w = (this.resolve(dict.get('W')) as PdfObject[] | undefined)?.map((x) => (typeof x === 'number' ? x : 0));
    const size = this.resolve(dict.get('Size'));
    if (!w || w.length < 3 || typeof size !== 'number') throw new Error('bad xref stream');
    const index = (this.resolve(dict.get('Index')) as number[] | undefined) ?? [0, size];
    const bytes = this.streamBytes(stream);
    const rowLen = w[0]! + w[1]! + w[2]!;
    if (rowLen <= 0 || w.some((x) => x < 0 || x > 8)) throw new Error('bad xref stream widths');
    let p = 0;
    const field = (n: number, dflt: number) => {
      if (!n) return dflt;
      let v = 0;
      for (let k = 0; k < n; k++) v = v * 256 + (bytes[p++] ?? 0);
      return v;
    };
    for (let s = 0; s + 1 < index.length; s += 2) {
      const start = index[s]!;
      const count = index[s + 1]!;
      for (let i = 0; i < count && p + rowLen <= bytes.length && start + i < MAX_OBJECTS; i++) {
        const type = field(w[0]!, 1);
        const a = field(w[1]!, 0);
        field(w[2]!, 0); // generation, or index in the object stream: objects there are found by number
        const num = start + i;
        if (this.entries.has(num)) continue;
        if (type === 1) this.entries.set(num, { type: 1, offset: a });
        else if (type === 2) this.entries.set(num, { type: 2, stream: a });
        else if (type === 0) this.entries.set(num, { type: 1, offset: -1 });
      }
    }
  }

  /** Rebuilds the cross-reference by scanning for `n g obj` (the last definition of a number wins). */
  private rebuild(): void {
    this.repaired = true;
    this.entries.clear();
    this.cache.clear();
    const { data } = this;
    const re = /(\d+)\s+(\d+)\s+obj\b/g;
    const trailers: PdfDict[] = [];
    let from = 0;
    for (;;) {
      const at = indexOfAscii(data, 'obj', from);
      if (at < 0) break;
      from = at + 3;
      const back = Math.max(0, at - 24);
      const head = String.fromCharCode(...data.subarray(back, at + 3));
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      let last: RegExpExecArray | null = null;
      while ((m = re.exec(head))) last = m;
      if (!last || last.index + last[0].length !== head.length) continue;
      this.entries.set(Number(last[1]), { type: 1, offset: back + last.index });
    }
    for (let t = indexOfAscii(data, 'trailer'); t >= 0; t = indexOfAscii(data, 'trailer', t + 7)) {
      const d = new PdfLexer(data, t + 7).next();
      if (d instanceof PdfDict) trailers.push(d);
    }
    // Objects inside object streams, and xref streams' dictionaries as trailers.
    for (const [num, entry] of [...this.entries]) {
      const obj = this.fetch(num);
      if (!(obj instanceof PdfStream)) continue;
      const type = nameOf(obj.dict.get('Type'));
      if (type === 'XRef') trailers.push(obj.dict);
      if (type !== 'ObjStm') continue;
      try {
        for (const inner of this.objectStream(num).offsets.keys()) {
          if (!this.entries.has(inner) || this.entries.get(inner) === entry) this.entries.set(inner, { type: 2, stream: num });
        }
      } catch (err) {
        if (err instanceof PdfBudgetError) throw err;
        // an unreadable object stream: its objects stay missing
      }
    }
    this.cache.clear();
    this.trailer = new PdfDict();
    for (const t of trailers.reverse()) for (const [k, v] of t.map) if (!this.trailer.map.has(k)) this.trailer.map.set(k, v);
    if (!(this.resolve(this.trailer.get('Root')) instanceof PdfDict)) {
      for (const num of this.entries.keys()) {
        const obj = this.fetch(num);
        if (obj instanceof PdfDict && nameOf(obj.get('Type')) === 'Catalog') {
          this.trailer.map.set('Root', new PdfRef(num, 0));
          break;
        }
      }
    }
  }

  // ── objects ─────────────────────────────────────────────────────────────────────

  private readObjectAt(offset: number, expected?: number): PdfObject | undefined {
    if (offset < 0 || offset >= this.data.length) return undefined;
    const lexer = new PdfLexer(this.data, offset);
    const num = lexer.next();
    const gen = lexer.next();
    const kw = lexer.next();
    if (typeof num !== 'number' || typeof gen !== 'number' || !(kw instanceof PdfOp) || kw.op !== 'obj') return undefined;
    if (expected !== undefined && num !== expected) return undefined;
    const parsed = lexer.next();
    if (parsed instanceof PdfOp) return undefined;
    // Strings of an encrypted file are decrypted with their object's key (§7.6.2), except in the security dictionary.
    const value = this.security && num !== this.encryptRef ? this.security.decryptStrings(parsed, num, gen) : parsed;
    if (!(value instanceof PdfDict)) return value;
    const save = lexer.pos;
    const after = lexer.next();
    if (!(after instanceof PdfOp) || after.op !== 'stream') {
      lexer.pos = save;
      return value;
    }
    const stream = new PdfStream(value, this.streamData(value, lexer.pos));
    if (this.security) this.streamIds.set(stream, { num, gen });
    return stream;
  }

  /** The raw bytes of a stream whose `stream` keyword ends at `pos`. */
  private streamData(dict: PdfDict, pos: number): Uint8Array {
    const { data } = this;
    if (data[pos] === 0x0d) pos++;
    if (data[pos] === 0x0a) pos++;
    const length = this.resolve(dict.get('Length'));
    if (typeof length === 'number' && length >= 0 && pos + length <= data.length) {
      const end = pos + length;
      const check = new PdfLexer(data, end);
      check.skipSpace();
      if (indexOfAscii(data, 'endstream', check.pos, check.pos + 9) === check.pos) return data.subarray(pos, end);
    }
    let end = indexOfAscii(data, 'endstream', pos);
    if (end < 0) end = data.length;
    let e = end;
    if (data[e - 1] === 0x0a) e--;
    if (data[e - 1] === 0x0d) e--;
    return data.subarray(pos, Math.max(pos, e));
  }

  private objectStream(num: number): { data: Uint8Array; offsets: Map<number, number> } {
    let os = this.objStreams.get(num);
    if (os) return os;
    const stream = this.fetch(num);
    if (!(stream instanceof PdfStream)) throw new Error(`object stream ${num} missing`);
    const data = this.streamBytes(stream);
    const n = this.resolve(stream.dict.get('N'));
    const first = this.resolve(stream.dict.get('First'));
    if (typeof n !== 'number' || typeof first !== 'number') throw new Error('bad object stream');
    const lexer = new PdfLexer(data);
    const offsets = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const objNum = lexer.next();
      const off = lexer.next();
      if (typeof objNum !== 'number' || typeof off !== 'number') break;
      if (!offsets.has(objNum)) offsets.set(objNum, first + off);
    }
    os = { data, offsets };
    this.objStreams.set(num, os);
    return os;
  }

  private readFromObjectStream(streamNum: number, num: number): PdfObject | undefined {
    const { data, offsets } = this.objectStream(streamNum);
    const at = offsets.get(num);
    if (at === undefined) return undefined;
    const value = new PdfLexer(data, at).next();
    return value instanceof PdfOp ? undefined : value;
  }

  /** A dictionary, or a stream's dictionary, behind a reference; undefined for anything else. */
  dictOf(obj: PdfObject | undefined): PdfDict | undefined {
    const d = this.resolve(obj);
    return isDict(d) ? d : d instanceof PdfStream ? d.dict : undefined;
  }
}

const isDigit = (c: number | undefined): c is number => c !== undefined && c >= 0x30 && c <= 0x39;
const isBlank = (c: number | undefined): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d || c === 0;

/** One xref table entry at `p`: digits, whitespace, digits, whitespace, 'n' or 'f' (as /^(\d+)\s+(\d+)\s+([nf])/). */
export function readXrefEntry(data: Uint8Array, p: number): { offset: number; inUse: boolean; end: number } | undefined {
  let offset = 0;
  const s = p;
  while (isDigit(data[p]) && p - s < 20) offset = offset * 10 + (data[p++]! - 0x30);
  if (p === s || !isBlank(data[p])) return undefined;
  while (isBlank(data[p])) p++;
  const g = p;
  while (isDigit(data[p]) && p - g < 10) p++;
  if (p === g || !isBlank(data[p])) return undefined;
  while (isBlank(data[p])) p++;
  const kind = data[p];
  if (kind !== 0x6e && kind !== 0x66) return undefined;
  return { offset, inUse: kind === 0x6e, end: p + 1 };
}
