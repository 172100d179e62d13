import type { ExtractedDocument } from '../extract/types';
import type { RecordLineage } from './types';

/** A record's source span in its document's extracted text, with some text on either side. */
export interface SourceSpanView {
  before: string;
  span: string;
  after: string;
  /** [start, end) in UTF-16 units of the document's text (lineage.span, clamped to the text). */
  start: number;
  end: number;
  /** Characters of the document's text. */
  length: number;
  /** Whether text was left out before `before` / after `after`. */
  cutBefore: boolean;
  cutAfter: boolean;
}

/** Characters shown on each side of a span (about a paragraph) by default. */
export const SPAN_CONTEXT_CHARS = 600;
/** Most characters of the span itself shown; the rest is cut (the editor preview shows everything). */
export const SPAN_MAX_CHARS = 20_000;

/**
 * The text around `lineage.span` in `doc.text`: `context` characters on each side, narrowed to whole lines when
 * a line break is within 80 characters of the cut, never splitting a surrogate pair. A span past the end of the text (the
 * document changed since the build) is clamped.
 */
export function sourceSpanView(doc: Pick<ExtractedDocument, 'text'>, lineage: Pick<RecordLineage, 'span'>, context = SPAN_CONTEXT_CHARS): SourceSpanView {
  const text = doc.text;
  const start = clamp(lineage.span.start, 0, text.length);
  const end = clamp(lineage.span.end, start, text.length);
  // Whole lines where a line break is near the cut (within 80 characters inside the context).
  let from = Math.max(0, start - context);
  const nl = from > 0 ? text.indexOf('\n', from) : -1;
  if (nl !== -1 && nl < start && nl - from <= 80) from = nl + 1;
  let to = Math.min(text.length, end + context);
  const nlBefore = to < text.length ? text.lastIndexOf('\n', to) : -1;
  if (nlBefore !== -1 && nlBefore >= end && to - nlBefore <= 80) to = nlBefore;
  from = safeBoundary(text, from);
  to = safeBoundary(text, to);
  const spanEnd = end - start > SPAN_MAX_CHARS ? safeBoundary(text, start + SPAN_MAX_CHARS) : end;
  return {
    before: text.slice(from, start),
    span: text.slice(start, spanEnd),
    after: spanEnd < end ? '' : text.slice(end, Math.max(end, to)),
    start,
    end,
    length: text.length,
    cutBefore: from > 0,
    cutAfter: spanEnd < end || to < text.length,
  };
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Number.isFinite(n) ? n : lo));
}

/** Moves an index off the low half of a surrogate pair. */
function safeBoundary(text: string, i: number): number {
  const c = text.charCodeAt(i);
  return i > 0 && i < text.length && c >= 0xdc00 && c <= 0xdfff ? i - 1 : i;
}
