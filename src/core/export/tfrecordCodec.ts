/**
 * TFRecord framing and `tf.train.Example` protobuf, encoded and decoded by hand (no protobuf runtime).
 * Framing (tensorflow/core/lib/io/record_writer.h): `uint64 length` LE, `uint32 masked_crc32c(length bytes)`,
 * `data`, `uint32 masked_crc32c(data)`. CRC-32C is Castagnoli (reflected polynomial 0x82F63B78, init and final
 * XOR 0xFFFFFFFF); the mask is `((crc >>> 15) | (crc << 17)) + 0xa282ead8` mod 2³². Example messages follow
 * tensorflow/core/example/{example,feature}.proto: Example.features = 1; Features.feature = 1 (map entries
 * key = 1, value = 2); Feature oneof bytes_list = 1, float_list = 2, int64_list = 3; each list's `value` = 1
 * (numbers packed).
 */

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C of `data` (unsigned 32-bit). */
export function crc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = CRC_TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const MASK_DELTA = 0xa282ead8;

export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

export function unmaskCrc(masked: number): number {
  const rot = (masked - MASK_DELTA) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}

/** One record framed: 12-byte header, the data, 4-byte footer. */
export function frameRecord(data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(16 + data.length);
  out.writeBigUInt64LE(BigInt(data.length), 0);
  out.writeUInt32LE(maskCrc(crc32c(out.subarray(0, 8))), 8);
  out.set(data, 12);
  out.writeUInt32LE(maskCrc(crc32c(data)), 12 + data.length);
  return out;
}

/** A feature value: strings become a bytes_list (UTF-8), numbers an int64_list (whole numbers only). */
export type FeatureValue = { bytes: readonly (string | Uint8Array)[] } | { int64: readonly (number | bigint)[] } | { float: readonly number[] };

/** Protobuf writer over growable byte chunks. */
class ProtoWriter {
  private parts: Uint8Array[] = [];
  length = 0;

  raw(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.length += bytes.length;
  }

  varint(value: number | bigint): void {
    if (typeof value === 'number' && value >= 0 && value <= 0x7fffffff && Number.isInteger(value)) {
      // Fast path (tags, lengths, most numbers): no BigInt.
      const bytes: number[] = [];
      let v = value;
      while (v >= 0x80) {
        bytes.push((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      bytes.push(v);
      this.raw(Uint8Array.from(bytes));
      return;
    }
    let v = BigInt.asUintN(64, BigInt(value));
    const bytes: number[] = [];
    while (v >= 0x80n) {
      bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    bytes.push(Number(v));
    this.raw(Uint8Array.from(bytes));
  }

  /** Field `field` of wire type 2 (length-delimited). */
  bytesField(field: number, bytes: Uint8Array): void {
    this.varint((field << 3) | 2);
    this.varint(bytes.length);
    this.raw(bytes);
  }

  finish(): Buffer {
    return Buffer.concat(this.parts, this.length);
  }
}

function encodeFeature(value: FeatureValue): Buffer {
  const list = new ProtoWriter();
  if ('bytes' in value) {
    for (const v of value.bytes) list.bytesField(1, typeof v === 'string' ? Buffer.from(v, 'utf8') : v);
    return wrap(1, list.finish());
  }
  const packed = new ProtoWriter();
  if ('int64' in value) {
    for (const v of value.int64) packed.varint(v);
  } else {
    const b = Buffer.allocUnsafe(4 * value.float.length);
    value.float.forEach((f, i) => b.writeFloatLE(f, 4 * i));
    packed.raw(b);
  }
  if (packed.length) list.bytesField(1, packed.finish());
  return wrap('int64' in value ? 3 : 2, list.finish());
}

function wrap(field: number, bytes: Uint8Array): Buffer {
  const w = new ProtoWriter();
  w.bytesField(field, bytes);
  return w.finish();
}

/** Serialises `tf.train.Example{features}`; map entries are written in the order given (deterministic bytes). */
export function encodeExample(features: ReadonlyArray<readonly [string, FeatureValue]>): Buffer {
  const fs = new ProtoWriter();
  for (const [key, value] of features) {
    const entry = new ProtoWriter();
    entry.bytesField(1, Buffer.from(key, 'utf8'));
    entry.bytesField(2, encodeFeature(value));
    fs.bytesField(1, entry.finish());
  }
  return wrap(1, fs.finish());
}

/** A decoded feature: bytes as Buffers, int64 as bigint, floats as numbers. */
export type DecodedFeature = { bytes: Buffer[] } | { int64: bigint[] } | { float: number[] };

class ProtoReader {
  at = 0;
  constructor(private readonly buf: Buffer) {}

  get done(): boolean {
    return this.at >= this.buf.length;
  }

  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (this.at >= this.buf.length || shift > 63n) throw new Error('truncated or overlong varint');
      const b = this.buf[this.at++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
    }
  }

  /** Next field: number, wire type and (for length-delimited) its bytes; other wire types are skipped. */
  field(): { field: number; wire: number; bytes?: Buffer } {
    const key = Number(this.varint());
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === 2) {
      const len = Number(this.varint());
      if (this.at + len > this.buf.length) throw new Error('length-delimited field runs past its message');
      const bytes = this.buf.subarray(this.at, this.at + len);
      this.at += len;
      return { field, wire, bytes };
    }
    if (wire === 0) this.varint();
    else if (wire === 1) this.at += 8;
    else if (wire === 5) this.at += 4;
    else throw new Error(`unsupported wire type ${wire}`);
    return { field, wire };
  }
}

/** Parses a serialised `tf.train.Example` into its features (throws on malformed protobuf). */
export function decodeExample(data: Buffer): Map<string, DecodedFeature> {
  const out = new Map<string, DecodedFeature>();
  const ex = new ProtoReader(data);
  while (!ex.done) {
    const f = ex.field();
    if (f.field !== 1 || !f.bytes) continue;
    const features = new ProtoReader(f.bytes);
    while (!features.done) {
      const e = features.field();
      if (e.field !== 1 || !e.bytes) continue;
      const entry = new ProtoReader(e.bytes);
      let key = '';
      let value: DecodedFeature = { bytes: [] };
      while (!entry.done) {
        const x = entry.field();
        if (x.field === 1 && x.bytes) key = x.bytes.toString('utf8');
        else if (x.field === 2 && x.bytes) value = decodeFeature(x.bytes);
      }
      out.set(key, value);
    }
  }
  return out;
}

function decodeFeature(buf: Buffer): DecodedFeature {
  const r = new ProtoReader(buf);
  let value: DecodedFeature = { bytes: [] };
  while (!r.done) {
    const f = r.field();
    if (!f.bytes) continue;
    const list = new ProtoReader(f.bytes);
    if (f.field === 1) {
      const bytes: Buffer[] = [];
      while (!list.done) {
        const v = list.field();
        if (v.field === 1 && v.bytes) bytes.push(v.bytes);
      }
      value = { bytes };
    } else if (f.field === 3) {
      const ints: bigint[] = [];
      while (!list.done) {
        const v = list.field();
        if (v.field !== 1 || !v.bytes) continue;
        const packed = new ProtoReader(v.bytes);
        while (!packed.done) ints.push(BigInt.asIntN(64, packed.varint()));
      }
      value = { int64: ints };
    } else if (f.field === 2) {
      const floats: number[] = [];
      while (!list.done) {
        const v = list.field();
        if (v.field === 1 && v.bytes) for (let i = 0; i + 4 <= v.bytes.length; i += 4) floats.push(v.bytes.readFloatLE(i));
      }
      value = { float: floats };
    }
  }
  return value;
}

/**
 * Splits TFRecord bytes fed in chunks into records, checking both CRCs of each. `push` returns the records
 * completed so far; `end` throws when bytes are left over (a truncated record).
 */
export class TfRecordReader {
  private pending: Buffer = Buffer.alloc(0);
  offset = 0;

  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: Buffer[] = [];
    let at = 0;
    while (this.pending.length - at >= 12) {
      const lenBig = this.pending.readBigUInt64LE(at);
      if (maskCrc(crc32c(this.pending.subarray(at, at + 8))) !== this.pending.readUInt32LE(at + 8)) throw new Error(`length CRC mismatch at byte ${this.offset + at}`);
      const len = Number(lenBig);
      if (this.pending.length - at < 16 + len) break;
      const data = this.pending.subarray(at + 12, at + 12 + len);
      if (maskCrc(crc32c(data)) !== this.pending.readUInt32LE(at + 12 + len)) throw new Error(`data CRC mismatch in the record at byte ${this.offset + at}`);
      out.push(Buffer.from(data));
      at += 16 + len;
    }
    this.offset += at;
    this.pending = this.pending.subarray(at);
    return out;
  }

  end(): void {
    if (this.pending.length) throw new Error(`${this.pending.length} byte(s) after the last whole record at byte ${this.offset} (truncated file)`);
  }
}
