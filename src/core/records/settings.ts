import type { ProjectConfig } from '../project/config';
import type { ChunkParams } from './chunker';
import { PII_KINDS, type PiiKind } from './pii';
import type { StratumField } from './strata';

/** Everything a records build needs from brightrun.json, with defaults filled in. */
export interface RecordSettings {
  chunk: ChunkParams;
  /** Records under this many tokens are dropped (counted). */
  minTokens: number;
  /** Records over chunk.maxTokens: truncated at a word boundary, or dropped (counted per split either way). */
  overLength: 'truncate' | 'drop';
  /** 'exact': normalised-text hash; 'near': that, then MinHash/LSH near-duplicates (minhash.ts). */
  dedupe: 'none' | 'exact' | 'near';
  /** dedupe 'near': estimated Jaccard similarity of word 5-gram shingles at or above which a record is dropped. */
  nearDuplicateThreshold: number;
  /** PII kinds redacted in every record (pii.ts); [] = off (the default). `redactPii: true` means all kinds. */
  redactPii: PiiKind[];
  splits: { train: number; validation: number; test: number; seed: number; stratifyBy?: StratumField };
}

export const RECORD_DEFAULTS = { targetTokens: 512, overlapTokens: 64, minTokens: 16, overLength: 'truncate', seed: 42, nearDuplicateThreshold: 0.85 } as const;

/** Characters per token assumed when reading the deprecated character settings chunkSize / chunkOverlap. */
export const CHARS_PER_TOKEN = 4;

/**
 * The record settings of a (validated) config. Old configs keep working: `chunkSize` / `chunkOverlap` were
 * characters and are read as tokens ÷ 4 (≈ English prose in Qwen3 tokens); parseConfig refuses a config that
 * sets both an old and its new key. maxTokens defaults to 1.5 × targetTokens.
 */
export function recordSettings(config: ProjectConfig): RecordSettings {
  const r = config.records ?? {};
  const targetTokens = r.targetTokens ?? (r.chunkSize !== undefined ? Math.max(16, Math.round(r.chunkSize / CHARS_PER_TOKEN)) : RECORD_DEFAULTS.targetTokens);
  const maxTokens = r.maxTokens ?? Math.ceil(targetTokens * 1.5);
  const overlap = r.overlapTokens ?? (r.chunkOverlap !== undefined ? Math.round(r.chunkOverlap / CHARS_PER_TOKEN) : RECORD_DEFAULTS.overlapTokens);
  const s = config.splits ?? { train: 0.9, validation: 0.05, test: 0.05 };
  return {
    chunk: { tokenizer: r.tokenizer ?? 'qwen3', targetTokens, maxTokens, overlapTokens: Math.min(overlap, targetTokens - 1), removeFurniture: r.removeFurniture ?? true },
    minTokens: Math.min(r.minTokens ?? RECORD_DEFAULTS.minTokens, maxTokens),
    overLength: r.overLength ?? RECORD_DEFAULTS.overLength,
    dedupe: r.dedupe ?? 'exact',
    nearDuplicateThreshold: r.nearDuplicateThreshold ?? RECORD_DEFAULTS.nearDuplicateThreshold,
    redactPii: r.redactPii === true ? [...PII_KINDS] : Array.isArray(r.redactPii) ? PII_KINDS.filter((k) => (r.redactPii as string[]).includes(k)) : [],
    splits: { train: s.train, validation: s.validation, test: s.test, seed: s.seed ?? RECORD_DEFAULTS.seed, ...(s.stratifyBy ? { stratifyBy: s.stratifyBy as StratumField } : {}) },
  };
}
