import { createHash } from 'node:crypto';
import type { RecordLineage } from './types';

/** JSON with object keys sorted at every level and undefined members left out, so equal values always hash alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** First 16 hex digits of the sha256 of a text. */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** First 16 hex digits of the sha256 of canonical JSON of `params` (RecordLineage.paramsHash). */
export function paramsHash(params: object): string {
  return shortHash(canonicalJson(params));
}

/**
 * Stable record id (types.ts): the first 24 hex digits of sha256(builder, paramsHash, documentId, span start, span
 * end, row, index within the span), joined with NUL.
 */
export function recordId(lineage: Pick<RecordLineage, 'builder' | 'paramsHash' | 'documentId' | 'span' | 'row'>, index: number): string {
  const key = [lineage.builder, lineage.paramsHash, lineage.documentId, lineage.span.start, lineage.span.end, lineage.row ?? '', index].join('\u0000');
  return createHash('sha256').update(key).digest('hex').slice(0, 24);
}
