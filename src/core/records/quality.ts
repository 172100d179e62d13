import { createHash } from 'node:crypto';
import type { TextTokenizer } from './tokenizer';
import type { TrainingRecord } from './types';

/** The text a record trains on, in a fixed order: completion text, or the instruction triple, or the messages. */
export function recordText(r: TrainingRecord): string {
  switch (r.kind) {
    case 'completion':
      return r.text;
    case 'instruction':
      return [r.instruction, r.input, r.output].join('\n');
    case 'chat':
      return r.messages.map((m) => `${m.role}: ${m.content}`).join('\n');
  }
}

/**
 * Key of exact duplicates: sha256 (first 32 hex digits) of the text NFKC-normalised, lower-cased, with runs of
 * whitespace made one space and the ends trimmed — records that differ only in case, spacing or Unicode form
 * are duplicates.
 */
export function duplicateKey(r: TrainingRecord): string {
  const norm = recordText(r).normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  return createHash('sha256').update(norm).digest('hex').slice(0, 32);
}

export type LengthVerdict = { action: 'keep' } | { action: 'drop'; reason: 'too-short' | 'too-long' } | { action: 'truncated'; record: TrainingRecord };

/**
 * Applies the token-length limits to one record: under `minTokens` → dropped; over `maxTokens` → dropped, or
 * truncated at the last word boundary that fits (completion text; an instruction's output; a chat's last
 * message), flagged 'truncated' and re-measured. Sets `tokens` on kept records.
 */
export function applyLengthLimits(r: TrainingRecord, tok: TextTokenizer, limits: { minTokens: number; maxTokens: number; overLength: 'truncate' | 'drop' }): LengthVerdict {
  const tokens = r.tokens ?? tok.count(recordText(r));
  if (tokens < limits.minTokens) return { action: 'drop', reason: 'too-short' };
  if (tokens <= limits.maxTokens) {
    r.tokens = tokens;
    return { action: 'keep' };
  }
  if (limits.overLength === 'drop') return { action: 'drop', reason: 'too-long' };
  const fixed = tokens - tok.count(editable(r));
  const budget = limits.maxTokens - fixed;
  if (budget <= 0) return { action: 'drop', reason: 'too-long' };
  const cut = truncateToTokens(editable(r), budget, tok);
  const out = withEditable(r, cut);
  out.tokens = tok.count(recordText(out));
  while (out.tokens > limits.maxTokens) {
    // Joining parts can add a token at the seams; shave a word at a time.
    const shorter = editable(out).replace(/\s*\S+\s*$/, '');
    if (!shorter) return { action: 'drop', reason: 'too-long' };
    Object.assign(out, withEditable(out, shorter));
    out.tokens = tok.count(recordText(out));
  }
  out.flags = [...new Set([...(r.flags ?? []), 'truncated'])];
  return { action: 'truncated', record: out };
}

function editable(r: TrainingRecord): string {
  if (r.kind === 'completion') return r.text;
  if (r.kind === 'instruction') return r.output;
  return r.messages[r.messages.length - 1]?.content ?? '';
}

function withEditable(r: TrainingRecord, text: string): TrainingRecord {
  if (r.kind === 'completion') {
    // The span shrinks with the text only while the text is exactly the span (not when page furniture was left
    // out or PII replaced: then the span keeps indexing the original text it came from).
    const exactSlice = r.lineage.span && !r.lineage.removed?.length && !r.flags?.includes('pii-redacted');
    return { ...r, text, ...(exactSlice ? { lineage: { ...r.lineage, span: { start: r.lineage.span.start, end: r.lineage.span.start + text.length } } } : {}) };
  }
  if (r.kind === 'instruction') return { ...r, output: text };
  return { ...r, messages: [...r.messages.slice(0, -1), { ...r.messages[r.messages.length - 1]!, content: text }] };
}

/** The longest prefix of `text` ending at a word boundary with at most `budget` tokens (binary search on words). */
export function truncateToTokens(text: string, budget: number, tok: TextTokenizer): string {
  const ends: number[] = [];
  for (const m of text.matchAll(/\S+/g)) ends.push(m.index + m[0].length);
  let lo = 0;
  let hi = ends.length; // answer: number of words kept
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (tok.count(text.slice(0, ends[mid - 1])) <= budget) lo = mid;
    else hi = mid - 1;
  }
  return lo ? text.slice(0, ends[lo - 1]) : '';
}
