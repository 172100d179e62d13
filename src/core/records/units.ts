import type { Block, ExtractedDocument } from '../extract/types';
import type { TextSpan } from './furniture';
import { sentenceStarts } from './sentences';
import type { TextTokenizer } from './tokenizer';

/**
 * The pieces the chunk builder packs: each a span of `ExtractedDocument.text` that is never cut — a heading,
 * a sentence, or an atomic block (table, code, JSON record, formula `$$…$$`) — with its heading path and
 * location. Pieces come in document order and do not overlap.
 */
export interface Unit {
  start: number;
  end: number;
  kind: 'heading' | 'text' | 'atomic';
  /** Headings above the unit, outermost first (a heading's own path excludes itself). */
  headingPath: string[];
  /** First unit of a block (a paragraph, list, table…): a good place to start a chunk. */
  blockStart: boolean;
  /** First unit of a section (a heading, or a new slide): chunks start here once they are half full. */
  sectionStart: boolean;
  page?: number;
  slide?: number;
  tokens: number;
  /** Part of an atomic block or sentence that alone exceeded the maximum and was cut at lines or words. */
  cut?: boolean;
}

const ATOMIC: ReadonlySet<Block['type']> = new Set(['table', 'code', 'record']);

/**
 * Splits a document into units (structure first: headings, blocks, slides; then sentences; formulas, tables,
 * code and records whole). A unit over `maxTokens` is cut at its line boundaries (rows of a table, lines of
 * code), then at whitespace, and only a single "word" longer than the maximum at code points. Text inside
 * `holes` (sorted, disjoint: page furniture) is in no unit: a block is cut around them.
 */
export function documentUnits(doc: ExtractedDocument, tok: TextTokenizer, maxTokens: number, holes: readonly TextSpan[] = []): Unit[] {
  const text = doc.text;
  const blocks = doc.blocks.length ? [...doc.blocks].sort((a, b) => a.start - b.start) : fallbackBlocks(doc);
  const units: Unit[] = [];
  const headings: Array<{ level: number; text: string }> = [];
  let lastSlide: number | undefined;
  // Pages and slides are containers (pages and slides come from the blocks' fields); furniture is cut out.
  const pieces = blocks.filter((b) => b.type !== 'page' && b.type !== 'slide').flatMap((b) => (holes.length ? aroundHoles(b, holes) : [b]));
  for (const block of pieces) {
    const { start, end } = trimSpan(text, block.start, Math.min(block.end, text.length));
    if (end <= start) continue;
    const slideChanged = block.slide !== undefined && block.slide !== lastSlide;
    if (slideChanged && lastSlide !== undefined) headings.length = 0;
    lastSlide = block.slide ?? lastSlide;
    const where = { ...(block.page !== undefined ? { page: block.page } : {}), ...(block.slide !== undefined ? { slide: block.slide } : {}) };
    const path = headings.map((h) => h.text);
    const first = units.length;
    if (block.type === 'heading') {
      const level = block.level ?? 1;
      units.push({ start, end, kind: 'heading', headingPath: path, blockStart: true, sectionStart: true, tokens: tok.count(text.slice(start, end)), ...where });
      while (headings.length && headings[headings.length - 1]!.level >= level) headings.pop();
      headings.push({ level, text: text.slice(start, end).replace(/^#+\s*/, '').replace(/\s+/g, ' ').trim() });
    } else if (ATOMIC.has(block.type)) {
      pushAtomic(units, text, start, end, path, where, tok, maxTokens);
    } else {
      pushProse(units, text, start, end, path, where, tok, maxTokens, block.type === 'list');
    }
    if (units.length > first) {
      units[first]!.blockStart = true;
      if (slideChanged) units[first]!.sectionStart = true;
    }
  }
  return units;
}

/** The parts of a block outside the holes (a block without holes inside comes back as it is). */
function aroundHoles(block: Block, holes: readonly TextSpan[]): Block[] {
  const out: Block[] = [];
  let at = block.start;
  let lo = 0;
  for (let hi = holes.length; lo < hi; ) {
    const mid = (lo + hi) >> 1;
    if (holes[mid]!.end <= block.start) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < holes.length && holes[i]!.start < block.end; i++) {
    const h = holes[i]!;
    if (h.start > at) out.push({ ...block, start: at, end: h.start });
    at = Math.max(at, h.end);
  }
  if (at < block.end) out.push({ ...block, start: at, end: block.end });
  return out;
}

type Where = { page?: number; slide?: number };

/** Paragraphs (blank-line separated) when a document has no blocks; a CSV's rows form one table. */
function fallbackBlocks(doc: ExtractedDocument): Block[] {
  if (doc.format === 'csv') return [{ type: 'table', start: 0, end: doc.text.length }];
  const out: Block[] = [];
  const re = /\n[ \t]*\n/g;
  let at = 0;
  for (let m = re.exec(doc.text); ; m = re.exec(doc.text)) {
    const end = m ? m.index : doc.text.length;
    if (end > at) out.push({ type: 'paragraph', start: at, end, ...pageOf(doc, at) });
    if (!m) break;
    at = m.index + m[0].length;
  }
  return out;
}

function pageOf(doc: ExtractedDocument, offset: number): { page?: number } {
  const page = doc.pages?.find((p) => offset >= p.start && offset < p.end);
  return page ? { page: page.number } : {};
}

function trimSpan(text: string, start: number, end: number): { start: number; end: number } {
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return { start, end };
}

function pushAtomic(units: Unit[], text: string, start: number, end: number, path: string[], where: Where, tok: TextTokenizer, max: number): void {
  const tokens = tok.count(text.slice(start, end));
  if (tokens <= max) {
    units.push({ start, end, kind: 'atomic', headingPath: path, blockStart: false, sectionStart: false, tokens, ...where });
    return;
  }
  for (const part of cutToFit(text, start, end, tok, max, lineBreaks)) units.push({ ...part, kind: 'atomic', headingPath: path, blockStart: false, sectionStart: false, cut: true, ...where });
}

/** Prose: sentences, with `$$…$$` formulas kept whole; list blocks also break at their items (lines). */
function pushProse(units: Unit[], text: string, start: number, end: number, path: string[], where: Where, tok: TextTokenizer, max: number, isList: boolean): void {
  const formula = /\$\$[\s\S]*?\$\$/g;
  let at = start;
  const prose = (s: number, e: number) => {
    const span = trimSpan(text, s, e);
    if (span.end <= span.start) return;
    const cuts = new Set(sentenceStarts(text, span.start, span.end));
    if (isList) for (const b of lineBreaks(text, span.start, span.end)) cuts.add(b);
    const bounds = [span.start, ...[...cuts].filter((c) => c > span.start && c < span.end).sort((a, b) => a - b), span.end];
    for (let i = 0; i + 1 < bounds.length; i++) {
      const piece = trimSpan(text, bounds[i]!, bounds[i + 1]!);
      if (piece.end <= piece.start) continue;
      const tokens = tok.count(text.slice(piece.start, piece.end));
      if (tokens <= max) units.push({ ...piece, kind: 'text', headingPath: path, blockStart: false, sectionStart: false, tokens, ...where });
      else for (const part of cutToFit(text, piece.start, piece.end, tok, max, wordBreaks)) units.push({ ...part, kind: 'text', headingPath: path, blockStart: false, sectionStart: false, cut: true, ...where });
    }
  };
  // Searched within the block only: a lone "$$" must not make every block scan to the end of the document.
  const body = text.slice(start, end);
  for (let m = formula.exec(body); m; m = formula.exec(body)) {
    prose(at, start + m.index);
    pushAtomic(units, text, start + m.index, start + m.index + m[0].length, path, where, tok, max);
    at = start + m.index + m[0].length;
  }
  prose(at, end);
}

/** Offsets just after each newline inside [start, end). */
function lineBreaks(text: string, start: number, end: number): number[] {
  const out: number[] = [];
  for (let i = text.indexOf('\n', start); i >= 0 && i < end - 1; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}

/** Offsets where a word starts after whitespace inside [start, end). */
function wordBreaks(text: string, start: number, end: number): number[] {
  const out: number[] = [];
  for (let i = start + 1; i < end; i++) if (/\s/.test(text[i - 1]!) && !/\s/.test(text[i]!)) out.push(i);
  return out;
}

/**
 * Cuts [start, end) into consecutive spans of at most `max` tokens at the offsets `breaks` gives (then words,
 * then code points), each span's count measured exactly.
 */
function cutToFit(text: string, start: number, end: number, tok: TextTokenizer, max: number, breaks: (t: string, s: number, e: number) => number[]): Array<{ start: number; end: number; tokens: number }> {
  const tokens = tok.count(text.slice(start, end));
  if (tokens <= max) return [{ start, end, tokens }];
  let points = breaks(text, start, end);
  if (!points.length && breaks === lineBreaks) points = wordBreaks(text, start, end);
  if (!points.length) points = codePointBreaks(text, start, end, Math.max(1, Math.floor(((end - start) * max) / tokens / 2)));
  if (!points.length) return [{ start, end, tokens }];
  // Split at the break nearest the middle, recursively: O(n log n) counting, every piece measured exactly.
  const mid = start + (end - start) / 2;
  const at = points.reduce((best, p) => (Math.abs(p - mid) < Math.abs(best - mid) ? p : best), points[0]!);
  const left = trimSpan(text, start, at);
  const right = trimSpan(text, at, end);
  return [...(left.end > left.start ? cutToFit(text, left.start, left.end, tok, max, breaks) : []), ...(right.end > right.start ? cutToFit(text, right.start, right.end, tok, max, breaks) : [])];
}

function codePointBreaks(text: string, start: number, end: number, step: number): number[] {
  const out: number[] = [];
  for (let i = start + step; i < end; i += step) {
    const c = text.charCodeAt(i);
    out.push(c >= 0xdc00 && c <= 0xdfff ? i + 1 : i);
  }
  return out.filter((p) => p < end);
}
