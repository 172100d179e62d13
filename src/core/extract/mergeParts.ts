import type { ExtractedDocument } from './types';

/**
 * Joins the parts of a document extracted in page ranges (in order) into one document, as if it had been
 * extracted whole: text joined with the builder's blank-line separator, block and page spans shifted,
 * warnings de-duplicated, OCR counts summed. The first part carries the metadata (the pool sets the id).
 */
export function mergeParts(parts: readonly ExtractedDocument[], totalMs: number): ExtractedDocument {
  const [head] = parts;
  if (!head) throw new Error('no parts to merge');
  let text = '';
  const markdown: string[] = [];
  const blocks: ExtractedDocument['blocks'] = [];
  const pages: NonNullable<ExtractedDocument['pages']> = [];
  const warnings = new Map<string, ExtractedDocument['warnings'][number]>();
  let ocrPages = 0;
  let ocrMs = 0;
  for (const part of parts) {
    const offset = text && part.text ? text.length + 2 : text.length;
    if (text && part.text) text += '\n\n';
    text += part.text;
    if (part.markdown.trim()) markdown.push(part.markdown.trimEnd());
    for (const b of part.blocks) blocks.push({ ...b, start: b.start + offset, end: b.end + offset });
    for (const p of part.pages ?? []) pages.push({ ...p, start: p.start + offset, end: p.end + offset });
    for (const w of part.warnings) warnings.set(`${w.code}|${w.page ?? ''}|${w.message}`, w);
    ocrPages += part.ocrPages;
    ocrMs += part.timings.ocrMs ?? 0;
  }
  return {
    ...head,
    text,
    markdown: markdown.length ? markdown.join('\n\n') + '\n' : '',
    blocks,
    pages,
    warnings: [...warnings.values()].filter((w) => w.code !== 'EMPTY_TEXT' || !text.trim()),
    ocrPages,
    timings: { totalMs, ...(ocrMs ? { ocrMs } : {}) },
  };
}
