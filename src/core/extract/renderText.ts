import type { ExtractedDocument } from './types';

export type TextView = 'plain' | 'markdown' | 'pages';

/** The text of a document for a preview: plain, Markdown, or plain with page/slide markers. */
export function renderDocumentText(doc: ExtractedDocument, view: TextView): string {
  if (view === 'markdown') return doc.markdown;
  if (view === 'plain' || !doc.pages?.length) return doc.text;
  const unit = doc.format === 'pptx' || doc.format === 'ppt' ? 'slide' : 'page';
  const parts: string[] = [];
  for (const page of doc.pages) {
    const how = page.source === 'ocr' ? ` (OCR, confidence ${page.ocrConfidence ?? '?'}%${page.rotation ? `, rotated ${page.rotation}°` : ''})` : page.source === 'none' ? ' (no text)' : '';
    parts.push(`──── ${unit} ${page.number}${how} ────\n${doc.text.slice(page.start, page.end)}`);
  }
  return parts.join('\n\n') + '\n';
}
