import { createHash } from 'node:crypto';
import type { SplitName } from './types';

/**
 * The split of a document: a uniform draw in [0, 1) from sha256("<seed>:<documentId>") (first 52 bits),
 * compared with the cumulative ratios train → validation → test. Every record of a document goes to that
 * document's split (no document feeds two splits), and a document's split depends on nothing but the seed and
 * its id, so adding or removing other documents never moves it. Stratification (`splits.stratifyBy`) does not
 * change this draw; it reports per-stratum figures (strata.ts, docs/records.md).
 */
export function splitOf(documentId: string, ratios: { train: number; validation: number; test: number; seed: number }): SplitName {
  const draw = parseInt(createHash('sha256').update(`${ratios.seed}:${documentId}`).digest('hex').slice(0, 13), 16) / 2 ** 52;
  if (draw < ratios.train) return 'train';
  if (draw < ratios.train + ratios.validation) return 'validation';
  return ratios.test > 0 || ratios.validation === 0 ? 'test' : 'validation';
}

export const SPLITS: readonly SplitName[] = ['train', 'validation', 'test'];
