import { minhashSignature, NearDuplicateFilter } from './minhash';
import { emptyPiiCounts, PII_KINDS, redactRecord, type PiiCounts } from './pii';
import { applyLengthLimits, duplicateKey, recordText } from './quality';
import type { RecordSettings } from './settings';
import type { TextTokenizer } from './tokenizer';
import type { SplitName, TrainingRecord } from './types';

/** What the gate did with a record: kept (maybe truncated), or dropped and why. */
/**
 * Builders whose records are not dropped for being short (records.minTokens): imported pairs and generated
 * question–answer records are whole examples by construction ("What is X?" → "Y."); the floor is for fragments
 * of chunked text. The maximum applies to every builder.
 */
const EXEMPT_FROM_MIN_TOKENS: ReadonlySet<string> = new Set(['pairs', 'generate']);

export type GateOutcome = 'kept' | 'truncated' | 'duplicate' | 'near-duplicate' | 'too-short' | 'over-length';

/**
 * The quality steps every record passes in a build, in order: PII redaction (records.redactPii), exact
 * duplicates, token-length limits, near-duplicates (dedupe "near", on the record as it would be written).
 * Feed records in a deterministic order (documents in source-path order): the first of duplicates is kept.
 * Holds the duplicate keys (16 bytes a record) and the MinHash filter (~0.5–0.8 KB a kept record); counts
 * everything it changes or drops.
 */
export class QualityGate {
  readonly dropped = { duplicates: 0, nearDuplicates: 0, tooShort: 0 };
  readonly overLength: Record<SplitName, { truncated: number; dropped: number }> = { train: { truncated: 0, dropped: 0 }, validation: { truncated: 0, dropped: 0 }, test: { truncated: 0, dropped: 0 } };
  readonly pii: PiiCounts = emptyPiiCounts();
  /** Records in which PII was replaced. */
  piiRecords = 0;
  /** Near-duplicate checks that had to compute the signature here (no stored one, or the text changed). */
  signaturesComputed = 0;
  private readonly seen = new Set<string>();
  private readonly near: NearDuplicateFilter | undefined;

  constructor(
    private readonly settings: RecordSettings,
    private readonly tok: TextTokenizer,
  ) {
    this.near = settings.dedupe === 'near' ? new NearDuplicateFilter(settings.nearDuplicateThreshold) : undefined;
  }

  /** The record as it is to be written (with `tokens` set), or undefined when it is dropped (counted). */
  admit<R extends TrainingRecord>(record: R, split: SplitName): R | undefined {
    return this.judge(record, split).record;
  }

  /** admit, also saying what happened (so a caller can count per builder). */
  judge<R extends TrainingRecord>(record: R, split: SplitName, signature?: Uint32Array): { record?: R; outcome: GateOutcome } {
    let r = record;
    // A stored signature is of the record as built: it holds unless redaction or truncation changes the text.
    let sig = signature;
    if (this.settings.redactPii.length) {
      const redacted = redactRecord(r, this.settings.redactPii);
      if (redacted.changed) {
        sig = undefined;
        r = redacted.record;
        this.piiRecords++;
        for (const k of PII_KINDS) this.pii[k] += redacted.counts[k];
      }
    }
    if (this.settings.dedupe !== 'none') {
      const key = duplicateKey(r);
      if (this.seen.has(key)) {
        this.dropped.duplicates++;
        return { outcome: 'duplicate' };
      }
      this.seen.add(key);
    }
    const verdict = applyLengthLimits(r, this.tok, { minTokens: EXEMPT_FROM_MIN_TOKENS.has(r.lineage.builder) ? 0 : this.settings.minTokens, maxTokens: this.settings.chunk.maxTokens, overLength: this.settings.overLength });
    if (verdict.action === 'drop') {
      if (verdict.reason === 'too-short') this.dropped.tooShort++;
      else this.overLength[split].dropped++;
      return { outcome: verdict.reason === 'too-short' ? 'too-short' : 'over-length' };
    }
    const truncated = verdict.action === 'truncated';
    if (truncated) {
      sig = undefined;
      r = verdict.record as R;
      this.overLength[split].truncated++;
    }
    if (this.near && !sig) this.signaturesComputed++;
    if (this.near?.checkSignature(sig ?? minhashSignature(recordText(r)))) {
      this.dropped.nearDuplicates++; // checked on the record as written, so a dropped record keeps nothing out
      return { outcome: 'near-duplicate' };
    }
    return { record: r, outcome: truncated ? 'truncated' : 'kept' };
  }
}
