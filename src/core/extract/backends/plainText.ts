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
    const heading = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      blocks.push({ type: 'heading', level: heading[1]!.length, ...span(i, i) });
      if (!title && heading[1]!.length === 1) title = heading[2];
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

export function normaliseNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}
