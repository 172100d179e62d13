import { importModule } from '../extract/esmImport';
import type { TrainingRecord } from '../records/types';

/**
 * Languages of an export's records (manifest `quality.languages`, the dataset card's `language:`), detected with
 * `eld` 2.1.0 (Nito-ELD, 60 languages, ISO 639-1 codes), loaded once per process on the first export. Decision: its
 * **extra-small** n-gram database (`eld/extrasmall`, ≈ 37 MB in memory): it loads in about half the time of `small`
 * (≈ 0.2 s against 0.4 s on the dev VM — the larger part of what detection costs an export) and its accuracy differs
 * from the larger databases on short sentences (eld README: 99.5 % against 99.6–99.7 % on its "big test"), not on
 * the 2,000-character samples detected here.
 *
 * Decision: **one detection per source document**, not per record. A document's records (in the order the export
 * reads them: train, validation, test, each in record order) are concatenated until `LANGUAGE_SAMPLE_CHARS`
 * (2,000) characters; that prefix is detected once (≈ 0.1–0.2 ms), and every record of the document counts for
 * its language. Per-record detection would cost that for every record (minutes on a million records) and is
 * unreliable on short records; a document mixing languages is counted under its opening language. A prefix that
 * eld cannot place (empty, digits, too short, `isReliable()` false) is `und` (ISO 639-2 "undetermined").
 * Deterministic: the same records in the same order give the same figures.
 *
 * Memory: per document one entry (its language, or its pending prefix of ≤ 2,000 characters and counts until
 * the prefix is full or the scan ends).
 */

/** Characters of a document's records' text detected (the prefix); more adds time, not accuracy on prose. */
export const LANGUAGE_SAMPLE_CHARS = 2_000;
/** Undetermined language (ISO 639-2). */
export const UNDETERMINED = 'und';
/**
 * A language is named in the dataset card's `language:` (when the profile sets none) when it holds at least this
 * share of the records (1 %): a few stray records (a quoted phrase, a mis-detected table) do not make a dataset
 * multilingual on the Hub. `und` is never named.
 */
export const CARD_LANGUAGE_MIN_SHARE = 0.01;

/** One language of the manifest's `quality.languages`. */
export interface LanguageFigure {
  /** ISO 639-1 code from eld, or `und`. */
  language: string;
  records: number;
  /** Sum of the records' token counts (records without a count add 0). */
  tokens: number;
  /** records ÷ all records, rounded to 4 decimals. */
  share: number;
}

interface Detector {
  detect(text: string): { language: string; isReliable(): boolean };
}

let detectorModule: Promise<Detector> | undefined;

/** eld's detector (ES module, loaded on first use; `import()` also works inside the export worker's vm.Script). */
export function loadLanguageDetector(): Promise<Detector> {
  detectorModule ??= importModule<{ eld: Detector }>('eld/extrasmall').then((m) => m.eld);
  return detectorModule;
}

/** The language of one text: eld's code when it is sure, else `und`. */
export function detectLanguage(detector: Detector, text: string): string {
  const result = detector.detect(text);
  return result.language && result.isReliable() ? result.language : UNDETERMINED;
}

/** The record's text, as detection sees it: the natural row's strings joined by line breaks. */
export function recordText(record: TrainingRecord): string {
  switch (record.kind) {
    case 'completion':
      return record.text;
    case 'instruction':
      return `${record.instruction}\n${record.input}\n${record.output}`;
    case 'chat':
      return record.messages.map((m) => m.content).join('\n');
  }
}

interface PendingDocument {
  prefix: string;
  records: number;
  tokens: number;
}

/** Counts records and tokens per language while the export's first pass streams the records (see above). */
export class LanguageTally {
  private readonly decided = new Map<string, string>();
  private readonly pending = new Map<string, PendingDocument>();
  private readonly totals = new Map<string, { records: number; tokens: number }>();
  private records = 0;
  /** The last decided document and its language's totals: a build's records come grouped by document, so most lookups stop here. */
  private last: { doc: string; totals: { records: number; tokens: number } } | undefined;

  constructor(private readonly detector: Detector) {}

  static async create(): Promise<LanguageTally> {
    return new LanguageTally(await loadLanguageDetector());
  }

  add(record: TrainingRecord): void {
    this.records++;
    const doc = record.lineage.documentId;
    const tokens = record.tokens ?? 0;
    if (this.last?.doc === doc) {
      this.last.totals.records++;
      this.last.totals.tokens += tokens;
      return;
    }
    const language = this.decided.get(doc);
    if (language !== undefined) {
      this.last = { doc, totals: this.count(language, 1, tokens) };
      return;
    }
    let p = this.pending.get(doc);
    if (!p) this.pending.set(doc, (p = { prefix: '', records: 0, tokens: 0 }));
    p.records++;
    p.tokens += tokens;
    const room = LANGUAGE_SAMPLE_CHARS - p.prefix.length;
    const text = recordText(record);
    p.prefix += (p.prefix ? '\n' : '') + text.slice(0, Math.max(0, room - (p.prefix ? 1 : 0)));
    if (p.prefix.length >= LANGUAGE_SAMPLE_CHARS) this.decide(doc, p);
  }

  /** Languages by records (most first, then by code); documents whose prefix never filled are detected now. */
  result(): LanguageFigure[] {
    for (const [doc, p] of [...this.pending]) this.decide(doc, p);
    const figures = [...this.totals].map(([language, t]) => ({ language, records: t.records, tokens: t.tokens, share: this.records ? Math.round((t.records / this.records) * 1e4) / 1e4 : 0 }));
    return figures.sort((a, b) => b.records - a.records || (a.language < b.language ? -1 : a.language > b.language ? 1 : 0));
  }

  private decide(doc: string, p: PendingDocument): void {
    const language = detectLanguage(this.detector, p.prefix);
    this.decided.set(doc, language);
    this.pending.delete(doc);
    this.count(language, p.records, p.tokens);
  }

  private count(language: string, records: number, tokens: number): { records: number; tokens: number } {
    let t = this.totals.get(language);
    if (!t) this.totals.set(language, (t = { records: 0, tokens: 0 }));
    t.records += records;
    t.tokens += tokens;
    return t;
  }
}

/** The card's `language:` from the detected figures: languages with at least CARD_LANGUAGE_MIN_SHARE of the records, most first, `und` left out. */
export function cardLanguages(figures: readonly LanguageFigure[]): string[] {
  const total = figures.reduce((n, f) => n + f.records, 0);
  return figures.filter((f) => f.language !== UNDETERMINED && total > 0 && f.records / total >= CARD_LANGUAGE_MIN_SHARE).map((f) => f.language);
}
