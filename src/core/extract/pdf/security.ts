import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { PdfDict, PdfName, PdfUnsupportedError, type PdfObject } from './objects';

/**
 * The standard security handler (ISO 32000-1 §7.6.3, ISO 32000-2 §7.6.4): decrypts strings and streams of
 * encrypted PDFs with the user password (empty by default — most encrypted PDFs only restrict printing or
 * copying) or the owner password, so the own reader, and its checks before pdf.js sees a file
 * (pdfjsGuard.ts), work on them too. Supported: RC4 40–128 bit (V1/V2, R2–R4), AES-128 (V4, crypt filter AESV2),
 * AES-256 (V5, R5 and R6, AESV3) and Identity crypt filters. Anything else — a public-key or third-party handler,
 * a password that opens nothing — raises PdfUnsupportedError, and pdf.js takes the file (asking for the password).
 */

/** The 32-byte padding string of Algorithm 2, step a. */
const PAD = Buffer.from('28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a', 'hex');

type Method = 'rc4' | 'aes128' | 'aes256' | 'identity';

/** RC4 (ARCFOUR), as §7.6.2 uses it; not in every OpenSSL build Node ships with, and a few lines of code. */
export function rc4(key: Uint8Array, data: Uint8Array): Uint8Array {
  const s = new Uint8Array(256);
  for (let i = 0; i < 256; i++) s[i] = i;
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i]! + key[i % key.length]!) & 255;
    const t = s[i]!;
    s[i] = s[j]!;
    s[j] = t;
  }
  const out = new Uint8Array(data.length);
  for (let k = 0, i = 0, j = 0; k < data.length; k++) {
    i = (i + 1) & 255;
    j = (j + s[i]!) & 255;
    const t = s[i]!;
    s[i] = s[j]!;
    s[j] = t;
    out[k] = data[k]! ^ s[(s[i]! + s[j]!) & 255]!;
  }
  return out;
}

const md5 = (...parts: Uint8Array[]) => {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
};

function aesCbcDecrypt(bits: 128 | 256, key: Uint8Array, data: Uint8Array): Uint8Array {
  // The first 16 bytes are the IV (§7.6.2); a string shorter than one block holds nothing.
  if (data.length < 32 || data.length % 16 !== 0) return data.length < 16 ? new Uint8Array(0) : aesCbcDecryptLoose(bits, key, data);
  const d = createDecipheriv(`aes-${bits}-cbc`, key, data.subarray(0, 16));
  d.setAutoPadding(false);
  const out = Buffer.concat([d.update(data.subarray(16)), d.final()]);
  // PKCS#5 padding, removed only when well-formed (some writers omit it).
  const pad = out[out.length - 1]!;
  return pad >= 1 && pad <= 16 && out.length >= pad && out.subarray(out.length - pad).every((b) => b === pad) ? out.subarray(0, out.length - pad) : out;
}

/** Damaged ciphertext (not a whole number of blocks): decrypt the whole blocks, drop the rest. */
function aesCbcDecryptLoose(bits: 128 | 256, key: Uint8Array, data: Uint8Array): Uint8Array {
  const whole = data.subarray(0, 16 + Math.floor((data.length - 16) / 16) * 16);
  if (whole.length < 32) return new Uint8Array(0);
  return aesCbcDecrypt(bits, key, whole);
}

/** Algorithm 2.B (ISO 32000-2 §7.6.4.3.4): the R6 password hash. */
function hashR6(password: Uint8Array, salt: Uint8Array, udata: Uint8Array): Buffer {
  let k: Buffer = createHash('sha256').update(password).update(salt).update(udata).digest();
  for (let round = 0; ; round++) {
    const k1 = Buffer.concat(Array<Uint8Array>(64).fill(Buffer.concat([password, k, udata])));
    const c = createCipheriv('aes-128-cbc', k.subarray(0, 16), k.subarray(16, 32));
    c.setAutoPadding(false);
    const e = Buffer.concat([c.update(k1), c.final()]);
    let sum = 0;
    for (let i = 0; i < 16; i++) sum += e[i]!;
    k = createHash(['sha256', 'sha384', 'sha512'][sum % 3]!).update(e).digest();
    if (round >= 63 && e[e.length - 1]! <= round + 1 - 32) break;
  }
  return k.subarray(0, 32);
}

export class PdfSecurity {
  private constructor(
    private readonly key: Uint8Array,
    private readonly streams: Method,
    private readonly strings: Method,
    /** False when /EncryptMetadata false: XML metadata streams are left in clear. */
    readonly encryptMetadata: boolean,
  ) {}

  /**
   * Opens the handler of `encrypt` (the trailer's /Encrypt, resolved) for `password` (latin-1 for R2–R4,
   * UTF-8 for R5/R6), checking it as the user password, then as the owner password.
   */
  static open(encrypt: PdfDict, id0: Uint8Array, password: string, resolve: (o: PdfObject | undefined) => PdfObject | undefined): PdfSecurity {
    const get = (d: PdfDict | undefined, k: string) => resolve(d?.get(k));
    const num = (k: string, dflt: number) => {
      const v = get(encrypt, k);
      return typeof v === 'number' ? v : dflt;
    };
    const bytes = (k: string) => {
      const v = get(encrypt, k);
      return v instanceof Uint8Array ? v : new Uint8Array(0);
    };
    const filter = get(encrypt, 'Filter');
    if (!(filter instanceof PdfName) || filter.name !== 'Standard') throw new PdfUnsupportedError('encrypted: not the standard security handler');
    const v = num('V', 0);
    const r = num('R', 2);
    const encryptMetadata = get(encrypt, 'EncryptMetadata') !== false;
    const method = (cfName: PdfObject | undefined): Method => {
      if (v < 4) return 'rc4';
      const name = cfName instanceof PdfName ? cfName.name : 'Identity';
      if (name === 'Identity') return 'identity';
      const cf = get(get(encrypt, 'CF') as PdfDict | undefined, name);
      const cfm = get(cf instanceof PdfDict ? cf : undefined, 'CFM');
      const m = cfm instanceof PdfName ? cfm.name : 'None';
      if (m === 'V2') return 'rc4';
      if (m === 'AESV2') return 'aes128';
      if (m === 'AESV3') return 'aes256';
      if (m === 'None') return 'identity';
      throw new PdfUnsupportedError(`encrypted: crypt filter ${m}`);
    };
    const streams = method(get(encrypt, 'StmF'));
    const strings = method(get(encrypt, 'StrF'));
    if (v === 5 || r >= 5) {
      const key = PdfSecurity.aes256Key(r, Buffer.from(password, 'utf8').subarray(0, 127), bytes('O'), bytes('U'), bytes('OE'), bytes('UE'));
      return new PdfSecurity(key, streams, strings, encryptMetadata);
    }
    if (![1, 2, 4].includes(v) || r < 2 || r > 4) throw new PdfUnsupportedError(`encrypted: security handler V${v} R${r}`);
    const length = v === 1 ? 5 : Math.max(5, Math.min(16, num('Length', 40) / 8));
    const o = bytes('O').subarray(0, 32);
    const u = bytes('U');
    const p = num('P', 0);
    const pw = Buffer.from(password, 'latin1');
    const userKey = (userPw: Uint8Array) => PdfSecurity.rc4Key(userPw, o, p, id0, r, length, encryptMetadata);
    let key = userKey(pw);
    if (!PdfSecurity.checkUser(key, u, id0, r)) {
      key = userKey(PdfSecurity.userFromOwner(pw, o, r, length));
      if (!PdfSecurity.checkUser(key, u, id0, r)) throw new PdfUnsupportedError('encrypted: the password does not open it');
    }
    return new PdfSecurity(key, streams, strings, encryptMetadata);
  }

  /** Algorithm 2: the file key from a user password. */
  private static rc4Key(password: Uint8Array, o: Uint8Array, p: number, id0: Uint8Array, r: number, length: number, encryptMetadata: boolean): Uint8Array {
    const padded = Buffer.concat([Buffer.from(password).subarray(0, 32), PAD]).subarray(0, 32);
    const pBytes = Buffer.alloc(4);
    pBytes.writeInt32LE(p | 0);
    let digest = md5(padded, o, pBytes, id0, r >= 4 && !encryptMetadata ? Buffer.from([255, 255, 255, 255]) : new Uint8Array(0));
    if (r >= 3) for (let i = 0; i < 50; i++) digest = md5(digest.subarray(0, length));
    return digest.subarray(0, length);
  }

  /** Algorithms 4 and 5 (compared as Algorithm 6 says): does `key` open the file? */
  private static checkUser(key: Uint8Array, u: Uint8Array, id0: Uint8Array, r: number): boolean {
    if (r === 2) return Buffer.from(rc4(key, PAD)).equals(Buffer.from(u.subarray(0, 32)));
    let x = rc4(key, md5(PAD, id0));
    for (let i = 1; i <= 19; i++) x = rc4(key.map((b) => b ^ i), x);
    return Buffer.from(x).equals(Buffer.from(u.subarray(0, 16)));
  }

  /** Algorithm 7: the user password an owner password unlocks. */
  private static userFromOwner(owner: Uint8Array, o: Uint8Array, r: number, length: number): Uint8Array {
    let digest = md5(Buffer.concat([Buffer.from(owner).subarray(0, 32), PAD]).subarray(0, 32));
    if (r >= 3) for (let i = 0; i < 50; i++) digest = md5(digest);
    const key = digest.subarray(0, r === 2 ? 5 : length);
    if (r === 2) return rc4(key, o);
    let x: Uint8Array = o;
    for (let i = 19; i >= 0; i--) x = rc4(key.map((b) => b ^ i), x);
    return x;
  }

  /** Algorithms 2.A and 2.B: the AES-256 file key, from the user or the owner password. */
  private static aes256Key(r: number, pw: Uint8Array, o: Uint8Array, u: Uint8Array, oe: Uint8Array, ue: Uint8Array): Uint8Array {
    if (o.length < 48 || u.length < 48 || oe.length < 32 || ue.length < 32) throw new PdfUnsupportedError('encrypted: damaged AES-256 security dictionary');
    const hash = (salt: Uint8Array, udata: Uint8Array) => (r >= 6 ? hashR6(pw, salt, udata) : createHash('sha256').update(pw).update(salt).update(udata).digest());
    const unwrap = (k: Uint8Array, wrapped: Uint8Array) => {
      const d = createDecipheriv('aes-256-cbc', k, Buffer.alloc(16));
      d.setAutoPadding(false);
      return Buffer.concat([d.update(wrapped.subarray(0, 32)), d.final()]);
    };
    const u48 = u.subarray(0, 48);
    if (Buffer.from(hash(u.subarray(32, 40), new Uint8Array(0))).equals(Buffer.from(u.subarray(0, 32)))) return unwrap(hash(u.subarray(40, 48), new Uint8Array(0)), ue);
    if (Buffer.from(hash(o.subarray(32, 40), u48)).equals(Buffer.from(o.subarray(0, 32)))) return unwrap(hash(o.subarray(40, 48), u48), oe);
    throw new PdfUnsupportedError('encrypted: the password does not open it');
  }

  /** Algorithm 1: the key of one object (RC4 and AES-128); AES-256 uses the file key itself. */
  private objectKey(num: number, gen: number, aes: boolean): Uint8Array {
    const n = Buffer.from([num & 255, (num >> 8) & 255, (num >> 16) & 255, gen & 255, (gen >> 8) & 255]);
    return md5(this.key, n, aes ? Buffer.from('sAlT', 'latin1') : new Uint8Array(0)).subarray(0, Math.min(this.key.length + 5, 16));
  }

  private decrypt(method: Method, data: Uint8Array, num: number, gen: number): Uint8Array {
    switch (method) {
      case 'identity':
        return data;
      case 'rc4':
        return rc4(this.objectKey(num, gen, false), data);
      case 'aes128':
        return aesCbcDecrypt(128, this.objectKey(num, gen, true), data);
      case 'aes256':
        return aesCbcDecrypt(256, this.key, data);
    }
  }

  decryptStream(data: Uint8Array, num: number, gen: number): Uint8Array {
    return this.decrypt(this.streams, data, num, gen);
  }

  /** Decrypts every string inside a parsed object (arrays and dictionaries are changed in place). */
  decryptStrings(value: PdfObject | undefined, num: number, gen: number): PdfObject | undefined {
    if (this.strings === 'identity') return value;
    if (value instanceof Uint8Array) return this.decrypt(this.strings, value, num, gen);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = this.decryptStrings(value[i], num, gen) as PdfObject;
      return value;
    }
    if (value instanceof PdfDict) {
      for (const [k, v] of value.map) value.map.set(k, this.decryptStrings(v, num, gen) as PdfObject);
      return value;
    }
    return value;
  }
}
