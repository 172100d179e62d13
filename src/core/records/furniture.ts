import type { ExtractedDocument } from '../extract/types';

/** A range [start, end) of `ExtractedDocument.text` (UTF-16 code units). */
export interface TextSpan {
  start: number;
  end: number;
}

/**
 * Detection of repeated page furniture — running headers and footers, page numbers — in paged documents
 * (PDF pages, PPTX/PPT slides), so the chunk builder can leave it out. A line is furniture when it is one of
 * the first or last `EDGE_LINES` non-blank lines of a page and the same line, compared with digits folded to
 * "#" ("Page 3 of 10" = "Page 7 of 10"), case and spacing ignored, sits at an edge of at least `MIN_SHARE` of
 * the pages (and of at least `MIN_PAGES` pages). Lines over `MAX_LINE_CHARS` are never furniture (body text).
 * The rule — position at a page's edge plus recurrence across pages, numbers folded — is the classic
 * running-header heuristic of PDF-to-text cleaners; a layout model (as Docling's page_header/page_footer
 * labels) would also catch furniture that appears on few pages, at the cost of a model.
 */
export const EDGE_LINES = 2;
export const MIN_SHARE = 0.5;
export const MIN_PAGES = 3;
export const MAX_LINE_CHARS = 160;

/**
 * The furniture lines of a document, each span covering the line and its line break, sorted and disjoint;
 * [] for a document with fewer than MIN_PAGES pages or slides. Linear in the text length.
 */
export function pageFurniture(doc: ExtractedDocument): TextSpan[] {
  const pages = pageRanges(doc);
  if (pages.length < MIN_PAGES) return [];
  const text = doc.text;
  const edges = pages.map((p) => edgeLines(text, p.start, p.end));
  const seenOn = new Map<string, number>();
  for (const lines of edges) {
    for (const key of new Set(lines.map((l) => l.key))) seenOn.set(key, (seenOn.get(key) ?? 0) + 1);
  }
  const need = Math.max(MIN_PAGES, Math.ceil(pages.length * MIN_SHARE));
  const out: TextSpan[] = [];
  for (const lines of edges) for (const l of lines) if ((seenOn.get(l.key) ?? 0) >= need) out.push({ start: l.start, end: l.end });
  out.sort((a, b) => a.start - b.start);
  return out.filter((s, i) => i === 0 || s.start >= out[i - 1]!.end);
}

/** Pages from `doc.pages`, else slide or page container blocks. */
function pageRanges(doc: ExtractedDocument): TextSpan[] {
  if (doc.pages?.length) return doc.pages.map((p) => ({ start: p.start, end: Math.min(p.end, doc.text.length) }));
  return doc.blocks.filter((b) => b.type === 'slide' || b.type === 'page').map((b) => ({ start: b.start, end: Math.min(b.end, doc.text.length) }));
}

/** The first and last EDGE_LINES non-blank lines of [start, end), with their comparison keys. */
function edgeLines(text: string, start: number, end: number): Array<{ start: number; end: number; key: string }> {
  const lines: Array<{ start: number; end: number }> = [];
  for (let at = start; at < end; ) {
    const nl = text.indexOf('\n', at);
    const stop = nl < 0 || nl >= end ? end : nl;
    if (text.slice(at, stop).trim()) lines.push({ start: at, end: stop < end ? stop + 1 : stop });
    at = stop + 1;
  }
  const picked = lines.length <= 2 * EDGE_LINES ? lines : [...lines.slice(0, EDGE_LINES), ...lines.slice(-EDGE_LINES)];
  const out: Array<{ start: number; end: number; key: string }> = [];
  for (const l of picked) {
    const line = text.slice(l.start, l.end).trim();
    if (line.length > MAX_LINE_CHARS) continue;
    out.push({ ...l, key: line.toLowerCase().replace(/\d+/g, '#').replace(/\s+/g, ' ') });
  }
  return out;
}

/**
 * `text.slice(start, end)` without the parts inside `holes` (sorted, disjoint): the text a record trains on
 * when furniture was removed from its span.
 */
export function textWithout(text: string, start: number, end: number, holes: readonly TextSpan[]): string {
  let out = '';
  let at = start;
  for (const h of holes) {
    if (h.end <= at || h.start >= end) continue;
    if (h.start > at) out += text.slice(at, h.start);
    at = Math.max(at, h.end);
  }
  return at < end ? out + text.slice(at, end) : out;
}

/** The holes that fall (partly) inside [start, end), clipped to it. */
export function holesIn(holes: readonly TextSpan[], start: number, end: number): TextSpan[] {
  return holes.filter((h) => h.end > start && h.start < end).map((h) => ({ start: Math.max(h.start, start), end: Math.min(h.end, end) }));
}
