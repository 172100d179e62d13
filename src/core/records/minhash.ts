/**
 * Near-duplicate detection: MinHash signatures over word shingles, candidates found by LSH banding, each
 * candidate pair verified by the Jaccard similarity its signatures estimate.
 *
 * - **Shingles**: runs of `SHINGLE_WORDS` (5) consecutive words of the text NFKC-normalised and lower-cased,
 *   words being maximal runs of letters, marks and digits (punctuation and spacing do not matter). A text of
 *   fewer words is one shingle. Five-word shingles are the default of the near-dedup tools ML datasets are
 *   cleaned with (Hugging Face datatrove `MinhashConfig.n_grams = 5`; BigCode's near-dedup script
 *   `ngram_size = 5`).
 * - **MinHash** (Broder 1997, "On the resemblance and containment of documents"): `PERMUTATIONS` (128) hash
 *   functions h_i(x) = fmix32(x ⊕ seed_i) (MurmurHash3's 32-bit finaliser over a 32-bit shingle hash, each with
 *   its own seed); the signature is the minimum of each over the shingles. P[min_i(A) = min_i(B)] = J(A, B).
 * - **LSH banding** (Leskovec, Rajaraman, Ullman, "Mining of Massive Datasets", 3rd ed., §3.4.1–3.4.3): the
 *   signature is cut into b bands of r rows; two texts are candidates when some band is equal, with probability
 *   1 − (1 − J^r)^b, an S-curve whose threshold is ≈ (1/b)^(1/r). We choose the largest r (fewest false
 *   candidates) with b = ⌊128 / r⌋ that still finds a pair at exactly the Jaccard threshold with probability
 *   ≥ 0.99: threshold 0.85 → b = 16, r = 8 (S-curve threshold ≈ 0.71; P = 0.994 at J = 0.85).
 * - **Verification**: a candidate is a near-duplicate when the Jaccard similarity estimated from the whole
 *   signatures is ≥ the threshold. The signatures kept for it are b-bit MinHash values (Li & König 2010, "b-Bit
 *   Minwise Hashing"), the low 16 bits, with the estimate corrected for chance equality:
 *   Ĵ = (E − 2⁻¹⁶) / (1 − 2⁻¹⁶), E the fraction of equal values.
 *
 * Memory (kept records only; dropped ones leave nothing): 256 bytes of signature + 2–4 band-table slots of 8
 * bytes per band (load 0.25–0.5; 16 bands: 256–512 bytes) ≈ 0.5–0.8 KB a record — at most 80 MB for 100,000.
 * Each band bucket remembers the first record that filled it.
 */

/** Words per shingle. */
export const SHINGLE_WORDS = 5;
/** MinHash functions (signature length). */
export const PERMUTATIONS = 128;
/** Probability that a pair at exactly the threshold becomes a candidate, used to choose the bands. */
const RECALL_AT_THRESHOLD = 0.99;

const SEEDS: Uint32Array = (() => {
  // Fixed seeds (splitmix32-like sequence from a constant): signatures are the same in every run and process.
  const out = new Uint32Array(PERMUTATIONS);
  let s = 0x9e3779b9;
  for (let i = 0; i < PERMUTATIONS; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    out[i] = fmix32(s);
  }
  return out;
})();

/** MurmurHash3's 32-bit finaliser (Appleby, public domain): a fast, well-mixing bijection on 32-bit integers. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over UTF-16 code units (32-bit). */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The words of a text as the shingles see them: NFKC, lower case, runs of letters, marks and digits. */
export function shingleWords(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{M}\p{N}]+/gu) ?? [];
}

/** The MinHash signature (PERMUTATIONS 32-bit values) of a text; undefined for a text without words. */
export function minhashSignature(text: string): Uint32Array | undefined {
  const words = shingleWords(text).map(fnv1a);
  if (!words.length) return undefined;
  const sig = new Uint32Array(PERMUTATIONS).fill(0xffffffff);
  const n = Math.max(1, words.length - SHINGLE_WORDS + 1);
  const width = Math.min(SHINGLE_WORDS, words.length);
  for (let s = 0; s < n; s++) {
    let x = 0x2545f491;
    for (let k = 0; k < width; k++) x = fmix32(Math.imul(x, 31) ^ words[s + k]!);
    for (let i = 0; i < PERMUTATIONS; i++) {
      const v = fmix32(x ^ SEEDS[i]!);
      if (v < sig[i]!) sig[i] = v;
    }
  }
  return sig;
}

/** A signature as stored beside its record (records/by-document files): base64 of its little-endian bytes. */
export function encodeSignature(sig: Uint32Array): string {
  return Buffer.from(sig.buffer, sig.byteOffset, sig.byteLength).toString('base64');
}

/** The stored form back; undefined when it is not a signature of PERMUTATIONS values (a damaged or foreign line). */
export function decodeSignature(text: unknown): Uint32Array | undefined {
  if (typeof text !== 'string') return undefined;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== PERMUTATIONS * 4) return undefined;
  const sig = new Uint32Array(PERMUTATIONS);
  for (let i = 0; i < PERMUTATIONS; i++) sig[i] = bytes.readUInt32LE(i * 4);
  return sig;
}

/** Bands b and rows r (b × r ≤ PERMUTATIONS) for a Jaccard threshold; see the module comment. */
export function lshBands(threshold: number): { bands: number; rows: number } {
  let best = { bands: PERMUTATIONS, rows: 1 };
  for (let rows = 1; rows <= PERMUTATIONS; rows++) {
    const bands = Math.floor(PERMUTATIONS / rows);
    if (1 - (1 - threshold ** rows) ** bands >= RECALL_AT_THRESHOLD) best = { bands, rows };
  }
  return best;
}

/** Jaccard similarity estimated from two b-bit (16-bit) signatures, corrected for chance equality. */
export function estimatedJaccard(a: Uint16Array, b: Uint16Array): number {
  let equal = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) equal++;
  const chance = 1 / 65536;
  return Math.max(0, (equal / a.length - chance) / (1 - chance));
}

/**
 * Streaming near-duplicate filter: `check(text)` answers whether the text is a near-duplicate (estimated
 * Jaccard ≥ threshold) of a text kept before; if not, it is kept (remembered). Feed texts in a deterministic
 * order (the build: documents in source-path order, records in document order), so the first one is kept.
 * Memory grows by ~0.5–0.8 KB per kept text (module comment).
 */
export class NearDuplicateFilter {
  readonly bands: number;
  readonly rows: number;
  private signatures = new Uint16Array(PERMUTATIONS * 64);
  private kept = 0;
  // Open addressing over 32-bit band keys: keys[slot], values[slot] = kept index + 1 (0 = empty).
  private keys = new Uint32Array(1 << 12);
  private values = new Int32Array(1 << 12);
  private used = 0;

  constructor(readonly threshold: number) {
    ({ bands: this.bands, rows: this.rows } = lshBands(threshold));
  }

  /** True when `text` is a near-duplicate of a kept text; otherwise keeps it and returns false. */
  check(text: string): boolean {
    return this.checkSignature(minhashSignature(text));
  }

  /** check() with the text's signature already computed (minhashSignature, e.g. by a records process). */
  checkSignature(sig: Uint32Array | undefined): boolean {
    if (!sig) return false;
    const short = new Uint16Array(PERMUTATIONS);
    for (let i = 0; i < PERMUTATIONS; i++) short[i] = sig[i]! & 0xffff;
    const keys: number[] = [];
    for (let b = 0; b < this.bands; b++) {
      let h = fmix32(b + 1);
      for (let r = 0; r < this.rows; r++) h = fmix32(Math.imul(h, 31) ^ sig[b * this.rows + r]!);
      keys.push(h);
    }
    const tried = new Set<number>();
    for (const key of keys) {
      const other = this.lookup(key);
      if (other < 0 || tried.has(other)) continue;
      tried.add(other);
      if (estimatedJaccard(short, this.signatures.subarray(other * PERMUTATIONS, (other + 1) * PERMUTATIONS)) >= this.threshold) return true;
    }
    this.keep(short, keys);
    return false;
  }

  /** Texts kept so far. */
  get size(): number {
    return this.kept;
  }

  /** Bytes held by the filter's tables (signatures and band table). */
  get bytes(): number {
    return this.signatures.byteLength + this.keys.byteLength + this.values.byteLength;
  }

  private keep(short: Uint16Array, keys: readonly number[]): void {
    if ((this.kept + 1) * PERMUTATIONS > this.signatures.length) {
      const grown = new Uint16Array(this.signatures.length * 2);
      grown.set(this.signatures);
      this.signatures = grown;
    }
    this.signatures.set(short, this.kept * PERMUTATIONS);
    const index = this.kept++;
    for (const key of keys) {
      if ((this.used + 1) * 2 > this.keys.length) this.grow();
      const slot = this.slotOf(key);
      if (this.values[slot] === 0) {
        this.keys[slot] = key;
        this.values[slot] = index + 1;
        this.used++;
      }
    }
  }

  /** The kept index stored under `key`, or -1. */
  private lookup(key: number): number {
    const slot = this.slotOf(key);
    return this.values[slot]! - 1;
  }

  /** The slot holding `key`, or the empty slot where it would go (linear probing). */
  private slotOf(key: number): number {
    const mask = this.keys.length - 1;
    for (let slot = fmix32(key) & mask; ; slot = (slot + 1) & mask) {
      if (this.values[slot] === 0 || this.keys[slot] === key) return slot;
    }
  }

  private grow(): void {
    const [keys, values] = [this.keys, this.values];
    this.keys = new Uint32Array(keys.length * 2);
    this.values = new Int32Array(values.length * 2);
    for (let s = 0; s < keys.length; s++) {
      if (values[s] === 0) continue;
      const slot = this.slotOf(keys[s]!);
      this.keys[slot] = keys[s]!;
      this.values[slot] = values[s]!;
    }
  }
}
