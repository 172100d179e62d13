/**
 * Page layout shared by both PDF readers: positioned text runs → lines (grouped by baseline, right-to-left lines
 * ordered from the right, a space where runs are apart) → paragraphs (split at large vertical gaps or size
 * changes), with large short lines becoming headings.
 */
import type { DocumentBuilder } from '../documentBuilder';

/** A run of text at a position on the page (PDF user space), as both readers produce it. */
export interface PositionedText {
  str: string;
  /** Origin of the run's first glyph. */
  x: number;
  y: number;
  width: number;
  /** Font size in user space. */
  size: number;
  rtl: boolean;
  /** A line ends after this run. */
  eol: boolean;
}

export interface Line {
  text: string;
  y: number;
  size: number;
  rtl: boolean;
}

export function pageLines(items: PositionedText[]): Line[] {
  const lines: Line[] = [];
  let parts: Array<{ x: number; end: number; str: string; rtl: boolean; size: number }> = [];
  let lineY = Number.NaN;
  const flush = () => {
    if (!parts.length) return;
    const rtlCount = parts.filter((p) => p.rtl).length;
    const rtl = rtlCount > parts.length / 2;
    const ordered = [...parts].sort((a, b) => (rtl ? b.x - a.x : a.x - b.x));
    let text = '';
    let prevEnd = Number.NaN;
    let prevX = Number.NaN;
    for (const p of ordered) {
      const gap = rtl ? prevX - p.end : p.x - prevEnd;
      if (text && !/\s$/.test(text) && !/^\s/.test(p.str) && gap > p.size * 0.2) text += ' ';
      text += p.str;
      prevEnd = p.end;
      prevX = p.x;
    }
    const size = Math.max(...parts.map((p) => p.size));
    if (text.trim()) lines.push({ text: text.replace(/\s+/g, ' ').trim(), y: lineY, size, rtl });
    parts = [];
  };
  for (const item of items) {
    if (item.str) {
      if (parts.length && Math.abs(item.y - lineY) > item.size * 0.5) flush();
      if (!parts.length) lineY = item.y;
      parts.push({ x: item.x, end: item.x + item.width, str: item.str, rtl: item.rtl, size: item.size });
    }
    if (item.eol) flush();
  }
  flush();
  return lines;
}
/** Lines → paragraphs (split at large vertical gaps or size changes); big short lines → headings. */
export function addParagraphs(b: DocumentBuilder, lines: Line[], page: number): void {
  if (!lines.length) return;
  const sizes = lines.map((l) => l.size).sort((x, y) => x - y);
  const body = sizes[Math.floor(sizes.length / 2)]!;
  const gaps = lines.slice(1).map((l, i) => Math.abs(lines[i]!.y - l.y)).filter((g) => g > 0).sort((x, y) => x - y);
  const typicalGap = gaps.length ? gaps[Math.floor(gaps.length / 2)]! : body * 1.2;
  let current: Line[] = [];
  const emit = () => {
    if (!current.length) return;
    const text = current.map((l) => l.text).join('\n');
    const size = current[0]!.size;
    if (size >= body * 1.2 && text.length <= 150 && current.length <= 2) b.heading(text.replace(/\n/g, ' '), size >= body * 1.6 ? 1 : 2, { page });
    else b.paragraph(text, { page });
    current = [];
  };
  for (const line of lines) {
    const prev = current.at(-1);
    if (prev) {
      const gap = Math.abs(prev.y - line.y);
      const sizeChange = Math.abs(prev.size - line.size) > body * 0.15;
      if (gap > typicalGap * 1.45 || sizeChange || line.y > prev.y + typicalGap * 2) emit();
    }
    current.push(line);
  }
  emit();
}

