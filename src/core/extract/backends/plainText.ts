import type { BackendResult } from '../backendTypes';
import { DocumentBuilder } from '../documentBuilder';
import type { Block } from '../types';

/** TXT: the decoded text itself; paragraphs (blank-line separated) become blocks. */
export function extractPlainText(text: string): Pick<BackendResult, 'text' | 'markdown' | 'blocks'> {
  const normalised = normaliseNewlines(text);
  const b = new DocumentBuilder();
  const blocks: Block[] = [];
  for (const m of normalised.matchAll(/[^\n]+(?:\n[^\n]+)*/g)) {
    if (!m[0].trim()) continue;
    blocks.push({ type: 'paragraph', start: m.index, end: m.index + m[0].length });
    b.paragraph(m[0]);
  }
  return { text: normalised, markdown: b.markdown, blocks };
}

/**
 * Markdown: its text is its source (Markdown is a plain-text format, and keeping the markup keeps lists,
 * tables and code readable for training). Headings, lists, tables, code fences and paragraphs become blocks
 * with spans into that source.
 */
export function extractMarkdown(source: string): Pick<BackendResult, 'text' | 'markdown' | 'blocks'> & { title?: string } {
  const text = normaliseNewlines(source);
  const blocks: Block[] = [];
  const lines = text.split('\n');
  let offset = 0;
  let i = 0;
  let title: string | undefined;
  const lineStart: number[] = [];
  for (const l of lines) {
    lineStart.push(offset);
    offset += l.length + 1;
  }
  const span = (from: number, to: number) => ({ start: lineStart[from]!, end: lineStart[to]! + lines[to]!.length });
  while (i < lines.length) {
    const line = lines[i]!;
    if (!line.trim()) {
      i++;
      continue;
    }
    const heading = atxHeading(line);
    if (heading) {
      blocks.push({ type: 'heading', level: heading.level, ...span(i, i) });
      if (!title && heading.level === 1) title = heading.title;
      i++;
      continue;
    }
    const fence = /^ {0,3}(```|~~~)/.exec(line);
    if (fence) {
      let j = i + 1;
      while (j < lines.length && !lines[j]!.trimStart().startsWith(fence[1]!)) j++;
      const end = Math.min(j, lines.length - 1);
      blocks.push({ type: 'code', ...span(i, end) });
      i = end + 1;
      continue;
    }
    // Setext heading: a text line underlined with === or ---.
    const next = lines[i + 1];
    if (next !== undefined && /^ {0,3}(=+|-+)\s*$/.test(next) && !/^\s*([-*+]|\d+[.)])\s/.test(line)) {
      blocks.push({ type: 'heading', level: next.trim().startsWith('=') ? 1 : 2, ...span(i, i + 1) });
      if (!title && next.trim().startsWith('=')) title = line.trim();
      i += 2;
      continue;
    }
    const kind = /^\s*([-*+]|\d+[.)])\s/.test(line) ? 'list' : /^\s*\|/.test(line) ? 'table' : 'paragraph';
    let j = i;
    while (j + 1 < lines.length && lines[j + 1]!.trim() && !/^ {0,3}(#{1,6}\s|```|~~~)/.test(lines[j + 1]!)) {
      if (kind === 'table' && !/^\s*\|/.test(lines[j + 1]!)) break;
      j++;
    }
    blocks.push({ type: kind, ...span(i, j) });
    i = j + 1;
  }
  return { text, markdown: text.endsWith('\n') ? text : text + '\n', blocks, ...(title ? { title } : {}) };
}

/**
 * An ATX heading line ("## Title ##"): up to 3 spaces, 1–6 `#`, whitespace, the title, an optional closing run
 * of `#`. A scan, not the regex `/^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/` it replaces: that one tried every split of
 * a long blank run between its `\s*`s (cubic: a 3 KB line took 11 s).
 */
export function atxHeading(line: string): { level: number; title: string } | undefined {
  let i = 0;
  while (i < 3 && line.charCodeAt(i) === 0x20) i++;
  let j = i;
  while (j < line.length && j - i <= 6 && line.charCodeAt(j) === 0x23) j++;
  const level = j - i;
  if (level < 1 || level > 6) return undefined;
  const rest = line.slice(j);
  const body = rest.trimStart();
  if (body.length === rest.length) return undefined; // no whitespace after the marker
  const trimmed = body.trimEnd();
  let end = trimmed.length;
  while (end > 0 && trimmed.charCodeAt(end - 1) === 0x23) end--;
  return { level, title: trimmed.slice(0, end).trimEnd() };
}

export function normaliseNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}
