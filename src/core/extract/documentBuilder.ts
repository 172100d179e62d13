import { cleanText } from './cleanText';
import type { Block, BlockType, PageInfo } from './types';

interface PendingBlock {
  type: BlockType;
  text: string;
  level?: number;
  page?: number;
  slide?: number;
  rows?: string[][];
  /** Markdown for this block when it differs from a rendering of `text`. */
  markdown?: string;
  /**
   * What to render as Markdown in place of `text` (cleaned and rendered the same way), when the two differ
   * only in some spans: an equation is linear text in `text` and LaTeX here.
   */
  markdownSource?: string;
}

/** Where a block sits, and (see PendingBlock) the source of its Markdown when it differs from its text. */
export interface BlockPlace {
  page?: number;
  slide?: number;
  markdownSource?: string;
}

/**
 * Assembles a document's text from blocks, separated by blank lines, recording each block's character span,
 * and renders Markdown beside it (headings, lists, tables, code, page/slide markers). Each piece is cleaned
 * (cleanText.ts) before it is placed, so spans are measured on the text as it is kept; `controlCharsRemoved`
 * counts what was removed.
 */
export class DocumentBuilder {
  private readonly textParts: string[] = [];
  private readonly mdParts: string[] = [];
  private length = 0;
  readonly blocks: Block[] = [];
  readonly pages: PageInfo[] = [];
  private openPage: PageInfo | undefined;
  /** Characters removed by cleanText from the pieces added so far. */
  controlCharsRemoved = 0;

  add(block: PendingBlock): void {
    const cleaned = cleanText(block.text);
    this.controlCharsRemoved += cleaned.removed;
    const lines = trimLineEnds(cleaned.text);
    const text = block.type === 'heading' ? lines.trim() : lines;
    if (!text.trim()) return;
    if (this.length > 0) this.push('\n\n');
    const start = this.length;
    this.push(text);
    const b: Block = { type: block.type, start, end: this.length };
    if (block.level !== undefined) b.level = block.level;
    if (block.page !== undefined) b.page = block.page;
    if (block.slide !== undefined) b.slide = block.slide;
    if (block.rows) b.rows = block.rows; // cleaned by table(), like `markdown`; extract() verifies both
    this.blocks.push(b);
    this.mdParts.push(block.markdown ?? renderMarkdown(block.type, block.markdownSource === undefined ? text : this.cleanSource(block.type, block.markdownSource), block.level));
  }

  private cleanSource(type: BlockType, source: string): string {
    const lines = trimLineEnds(cleanText(source).text);
    return type === 'heading' ? lines.trim() : lines;
  }

  heading(text: string, level: number, where: BlockPlace = {}): void {
    this.add({ type: 'heading', text: text.trim(), level: Math.min(6, Math.max(1, level)), ...where });
  }

  paragraph(text: string, where: BlockPlace = {}): void {
    this.add({ type: 'paragraph', text, ...where });
  }

  /**
   * A table; `textRows` (same shape) is what goes into the plain text when it differs, e.g. merged cells once;
   * `markdownRows` (same shape) what goes into the Markdown when it differs (equations as LaTeX).
   */
  table(rows: string[][], where: { page?: number; slide?: number } = {}, textRows?: string[][], markdownRows?: string[][]): void {
    const tidy = (rs: string[][], count: boolean) =>
      rs.map((r) =>
        r.map((c) => {
          const cleaned = cleanText(c);
          if (count) this.controlCharsRemoved += cleaned.removed;
          return cleaned.text.replace(/\s+/g, ' ').trim();
        }),
      );
    const all = tidy(rows, true);
    const keep = all.map((r, i) => (r.some((c) => c) ? i : -1)).filter((i) => i >= 0);
    if (keep.length === 0) return;
    const clean = keep.map((i) => all[i]!);
    const textSource = textRows ? tidy(textRows, false) : all;
    const forText = keep.map((i) => textSource[i]!);
    const text = forText
      .map((r) => trimEndOf(r.join('\t'), '\t'))
      .filter((l) => l.trim())
      .join('\n');
    const mdSource = markdownRows ? tidy(markdownRows, false) : undefined;
    const forMarkdown = mdSource ? keep.map((i) => mdSource[i] ?? []) : clean;
    this.add({ type: 'table', text, rows: clean, markdown: markdownTable(forMarkdown), ...where });
  }

  /** Starts a page (or slide) section: text added until endPage() belongs to it. */
  beginPage(number: number, source: PageInfo['source'] = 'text-layer', marker?: string): void {
    this.endPage();
    this.openPage = { number, start: this.length === 0 ? 0 : this.length + 2, end: 0, source };
    this.mdParts.push(`<!-- ${marker ?? `page ${number}`} -->`);
  }

  endPage(extra: Partial<PageInfo> = {}): void {
    if (!this.openPage) return;
    const page = { ...this.openPage, ...extra, end: this.length };
    if (page.start > page.end) page.start = page.end; // an empty page
    this.pages.push(page);
    this.openPage = undefined;
  }

  /** The assembled text, Markdown, blocks and (when pages were marked) pages. */
  result(): { text: string; markdown: string; blocks: Block[]; pages?: PageInfo[]; controlCharsRemoved?: number } {
    return {
      text: this.text,
      markdown: this.markdown,
      blocks: this.blocks,
      ...(this.pages.length ? { pages: this.pages } : {}),
      ...(this.controlCharsRemoved ? { controlCharsRemoved: this.controlCharsRemoved } : {}),
    };
  }

  get text(): string {
    return this.textParts.join('');
  }

  get markdown(): string {
    return this.mdParts.join('\n\n') + (this.mdParts.length ? '\n' : '');
  }

  private push(s: string): void {
    this.textParts.push(s);
    this.length += s.length;
  }
}

function renderMarkdown(type: BlockType, text: string, level?: number): string {
  switch (type) {
    case 'heading':
      return `${'#'.repeat(level ?? 1)} ${text.replace(/\n+/g, ' ')}`;
    case 'list':
      return text
        .split('\n')
        .map((line) => (/^\s*([-*+\u2022]|\d+[.)])\s/.test(line) ? line : `- ${line}`))
        .join('\n');
    case 'code':
      return '```\n' + text + '\n```';
    case 'notes':
      return text
        .split('\n')
        .map((l) => `> ${l}`)
        .join('\n');
    default:
      return escapeMarkdownLineStarts(text);
  }
}

/**
 * Keeps plain text from turning into Markdown structure by accident ("1. " or "# " at a line start). The
 * indentation is `[ \t]*`, not `\s*`: `\s` crosses newlines, and from every line start of a run of blank
 * lines it rescanned the rest of the run (quadratic).
 */
function escapeMarkdownLineStarts(text: string): string {
  return text.replace(/^([ \t]*)(#{1,6}\s|[-*+]\s|\d+[.)]\s|>)/gm, (_m, ws: string, marker: string) => `${ws}\\${marker}`);
}

/**
 * Spaces and tabs removed before every LF and at the end, in one linear scan (each character is looked at
 * twice at most). The regex it replaces, `/[ \t]+$/gm`, restarted at every blank of a long run of blanks not
 * followed by a line end: 200 KB of spaces and a letter took 107 s.
 */
export function trimLineEnds(s: string): string {
  const parts: string[] = [];
  let copied = 0;
  for (let from = 0; from <= s.length; ) {
    let nl = s.indexOf('\n', from);
    if (nl < 0) nl = s.length;
    let e = nl;
    while (e > from && (s.charCodeAt(e - 1) === 0x20 || s.charCodeAt(e - 1) === 0x09)) e--;
    if (e < nl) {
      parts.push(s.slice(copied, e));
      copied = nl;
    }
    from = nl + 1;
  }
  if (!parts.length) return s;
  parts.push(s.slice(copied));
  return parts.join('');
}

/** The string without the trailing run of `ch` (one character) — what `/ch+$/` did, in linear time. */
export function trimEndOf(s: string, ch: string): string {
  const code = ch.charCodeAt(0);
  let e = s.length;
  while (e > 0 && s.charCodeAt(e - 1) === code) e--;
  return e === s.length ? s : s.slice(0, e);
}

export function markdownTable(rows: string[][]): string {
  const width = Math.max(...rows.map((r) => r.length));
  const cell = (c: string | undefined) => (c ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const line = (r: string[]) => `| ${Array.from({ length: width }, (_, i) => cell(r[i])).join(' | ')} |`;
  const [head, ...body] = rows;
  return [line(head!), `|${' --- |'.repeat(width)}`, ...body.map(line)].join('\n');
}
