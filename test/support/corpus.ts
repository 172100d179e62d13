import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The public extraction corpus (../shared/corpus beside the repository, or BRIGHTRUN_CORPUS), read only by the
 * corpus suite (test/corpus, `npm run test:corpus`); `words`/`wordRecall` are plain text helpers any test may use. */
export const CORPUS = process.env.BRIGHTRUN_CORPUS ?? path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'corpus');

export function corpus(rel: string): string {
  const p = path.join(CORPUS, rel);
  if (!existsSync(p)) throw new Error(`corpus file missing: ${p} (the tests expect ../shared/corpus beside the repository)`);
  return p;
}

export function groundTruth(rel: string): string {
  for (const suffix of ['.gt.txt', '.gt.md']) {
    const p = path.join(CORPUS, rel + suffix);
    if (existsSync(p)) return readFileSync(p, 'utf8');
  }
  throw new Error(`no ground truth for ${rel}`);
}

/** Words of a text, lower-cased, for order-insensitive comparisons. */
export function words(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Share of the ground truth's words found in the output (multiset recall). */
export function wordRecall(output: string, truth: string): number {
  const have = new Map<string, number>();
  for (const w of words(output)) have.set(w, (have.get(w) ?? 0) + 1);
  const want = words(truth);
  let hit = 0;
  for (const w of want) {
    const n = have.get(w) ?? 0;
    if (n > 0) {
      hit++;
      have.set(w, n - 1);
    }
  }
  return want.length ? hit / want.length : 1;
}
