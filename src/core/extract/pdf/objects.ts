/**
 * The PDF object model (PDF 32000-1 §7.3) as the text-layer reader sees it: numbers, booleans, null, names
 * (interned), strings (raw bytes), arrays, dictionaries, indirect references and streams.
 */

/** Interned names and keywords stop here: a thread reading thousands of files keeps at most this many. */
const MAX_INTERNED = 8192;

/** The one object for a key (made on first use); past the cap, a fresh one each time. */
function intern<T>(table: Map<string, T>, key: string, make: (key: string) => T): T {
  let value = table.get(key);
  if (value === undefined) {
    value = make(key);
    if (table.size < MAX_INTERNED) table.set(key, value);
  }
  return value;
}

export class PdfName {
  private static readonly interned = new Map<string, PdfName>();
  private constructor(readonly name: string) {}
  /** Names are compared by `.name`, so past the cap a fresh object does as well as an interned one. */
  static of(name: string): PdfName {
    return intern(PdfName.interned, name, (n) => new PdfName(n));
  }
}

export class PdfRef {
  constructor(
    readonly num: number,
    readonly gen: number,
  ) {}
}

/** A content-stream operator or a keyword met while parsing (obj, endobj, stream, R, …). Interned. */
export class PdfOp {
  private static readonly interned = new Map<string, PdfOp>();
  /** A small number a reader may assign to the operators it acts on, to dispatch on a number (0: none). */
  code = 0;
  private constructor(readonly op: string) {}
  /** The operators a reader acts on are interned first (when its module loads); past the cap, a fresh object. */
  static of(op: string): PdfOp {
    return intern(PdfOp.interned, op, (o) => new PdfOp(o));
  }
}

export class PdfDict {
  readonly map = new Map<string, PdfObject>();
  get(key: string): PdfObject | undefined {
    return this.map.get(key);
  }
}

export class PdfStream {
  constructor(
    readonly dict: PdfDict,
    /** The encoded bytes between `stream` and `endstream`. */
    readonly raw: Uint8Array,
  ) {}
}

export type PdfObject = number | boolean | null | PdfName | Uint8Array | PdfObject[] | PdfDict | PdfRef | PdfStream;

/** The reader meets a construct it does not handle; the caller falls back to pdf.js for the whole file. */
export class PdfUnsupportedError extends Error {
  override readonly name = 'PdfUnsupportedError';
}

export const isName = (o: PdfObject | undefined, name?: string): o is PdfName => o instanceof PdfName && (name === undefined || o.name === name);
export const isDict = (o: PdfObject | undefined): o is PdfDict => o instanceof PdfDict;
export const nameOf = (o: PdfObject | undefined): string | undefined => (o instanceof PdfName ? o.name : undefined);
