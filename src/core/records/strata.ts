import type { DocumentMetadata } from '../extract/types';
import type { SplitName } from './types';

/**
 * Stratified split reporting (`splits.stratifyBy`). A document's split stays a function of (seed, document id)
 * alone (splits.ts) — stratification never moves a document, whatever is added — so each stratum receives the
 * ratios in expectation, and the build reports, per split, the records, tokens and documents of every stratum
 * so a skewed or empty held-out stratum is visible. Why not quotas per stratum (rank documents by hash within
 * their stratum and cut at the ratios): adding one document to a stratum shifts the ranks, and so the split,
 * of others — the property "adding documents never moves a record" would break (docs/records.md, Splits).
 *
 * Field values: `format` (the extracted format: pdf, docx, …), `folder` (the source path's folder, "." at the
 * project root), or `metadata.<name>` (a document metadata field such as `metadata.language` or
 * `metadata.author`; "(none)" when absent).
 */
export type StratumField = 'format' | 'folder' | `metadata.${string}`;

/** The values a stratum is read from: the source path, and the document's format and metadata when known. */
export interface StratumSource {
  sourcePath: string;
  format?: string;
  metadata?: DocumentMetadata;
}

export const NO_STRATUM = '(none)';

/** True when the field needs the document's metadata (the build then reads each document). */
export function needsMetadata(field: StratumField): boolean {
  return field.startsWith('metadata.');
}

/** The stratum of a document for `field`; NO_STRATUM when the value is missing or empty. */
export function stratumOf(field: StratumField, s: StratumSource): string {
  if (field === 'format') return s.format || NO_STRATUM;
  if (field === 'folder') {
    const slash = s.sourcePath.replace(/\\/g, '/').lastIndexOf('/');
    return slash > 0 ? s.sourcePath.slice(0, slash) : '.';
  }
  const value = (s.metadata as Record<string, unknown> | undefined)?.[field.slice('metadata.'.length)];
  if (value === undefined || value === null || value === '') return NO_STRATUM;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export interface StratumStats {
  records: number;
  tokens: number;
  documents: number;
}

/** Per split, per stratum: records, tokens and documents (manifest.strata). */
export class StrataCounter {
  readonly splits: Record<SplitName, Record<string, StratumStats>> = { train: {}, validation: {}, test: {} };

  constructor(readonly field: StratumField) {}

  private cell(split: SplitName, stratum: string): StratumStats {
    return (this.splits[split][stratum] ??= { records: 0, tokens: 0, documents: 0 });
  }

  record(split: SplitName, stratum: string, tokens: number): void {
    const c = this.cell(split, stratum);
    c.records++;
    c.tokens += tokens;
  }

  document(split: SplitName, stratum: string): void {
    this.cell(split, stratum).documents++;
  }

  /** The manifest's `strata`: the field and the counts, strata sorted by name in each split. */
  toJSON(): { field: StratumField; splits: Record<SplitName, Record<string, StratumStats>> } {
    const sorted = (o: Record<string, StratumStats>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return { field: this.field, splits: { train: sorted(this.splits.train), validation: sorted(this.splits.validation), test: sorted(this.splits.test) } };
  }
}
