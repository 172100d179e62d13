import type { Block, ExtractedDocument } from '../../src/core/extract/types';
import { rng } from './rng';

export { rng };

export type Part = { type: 'heading'; text: string; level: number } | { type: 'paragraph' | 'table' | 'code' | 'list'; text: string; page?: number; slide?: number };

/** An ExtractedDocument made from parts, blocks separated by blank lines (what the text backends produce). */
export function makeDoc(parts: readonly Part[], id = 'a'.repeat(64), format: ExtractedDocument['format'] = 'md'): ExtractedDocument {
  let text = '';
  const blocks: Block[] = [];
  for (const p of parts) {
    if (text) text += '\n\n';
    const start = text.length;
    text += p.text;
    blocks.push({ type: p.type, start, end: text.length, ...(p.type === 'heading' ? { level: p.level } : {}), ...('page' in p && p.page ? { page: p.page } : {}), ...('slide' in p && p.slide ? { slide: p.slide } : {}) });
  }
  return {
    id, source: { path: `/x/${id.slice(0, 8)}.md`, name: `${id.slice(0, 8)}.md`, size: text.length }, format, detectedBy: 'test', metadata: {}, blocks, text, markdown: text,
    warnings: [], extractor: { name: 'brightrun', version: 'test', backend: 'test' }, timings: { totalMs: 0 }, ocrPages: 0, extractedAt: '2025-01-01T00:00:00Z',
  };
}

const WORDS = ['pump', 'valve', 'pressure', 'seal', 'impeller', 'bearing', 'motor', 'flow', 'rate', 'casing', 'shaft', 'the', 'of', 'and', 'with', 'check', 'drain', 'prime', 'Überdruck', 'naïve', '圧力', 'café'];


export function sentence(r: () => number): string {
  const n = 4 + Math.floor(r() * 14);
  const words = Array.from({ length: n }, () => WORDS[Math.floor(r() * WORDS.length)]!);
  words[0] = words[0]![0]!.toUpperCase() + words[0]!.slice(1);
  const extras = ['e.g. the seal', 'about 3.14 bar', 'Dr. Smith said', 'in the U.S. market', 'cf. Fig. 2'];
  if (r() < 0.3) words.splice(1 + Math.floor(r() * (n - 1)), 0, extras[Math.floor(r() * extras.length)]!);
  return words.join(' ') + (r() < 0.9 ? '.' : '?');
}

/** A generated manual: sections with headings (levels 1–3), paragraphs, tables, code, formulas. */
export function generatedParts(seed: number, sections = 6): Part[] {
  const r = rng(seed);
  const parts: Part[] = [];
  for (let s = 0; s < sections; s++) {
    parts.push({ type: 'heading', text: `Section ${seed}.${s} ${sentence(r).slice(0, 20).trim()}`, level: 1 + Math.floor(r() * 3) });
    if (r() < 0.2) parts.push({ type: 'heading', text: `Sub ${s}`, level: 3 });
    const blocks = 1 + Math.floor(r() * 5);
    for (let b = 0; b < blocks; b++) {
      const kind = r();
      if (kind < 0.6) {
        let text = Array.from({ length: 1 + Math.floor(r() * 6) }, () => sentence(r)).join(' ');
        if (r() < 0.15) text += ` Then $$E = m c^2 + \\frac{a}{b}$$ holds.`;
        parts.push({ type: 'paragraph', text });
      } else if (kind < 0.8) {
        const rows = 2 + Math.floor(r() * 5);
        parts.push({ type: 'table', text: Array.from({ length: rows }, (_, i) => `row ${i}\t${sentence(r).slice(0, 18)}\t${(r() * 100).toFixed(2)}`).join('\n') });
      } else {
        parts.push({ type: 'code', text: Array.from({ length: 2 + Math.floor(r() * 4) }, (_, i) => `  let x${i} = pump.read(${i}); // ${sentence(r).slice(0, 12)}`).join('\n') });
      }
    }
  }
  return parts;
}
