/** Messages between the Document Preview webview and the extension host. Types only. */
export interface PreviewPage {
  number: number;
  /** How its text was obtained: text layer, OCR, or nothing found. */
  source: 'text-layer' | 'ocr' | 'none';
  confidence?: number;
  rotation?: number;
  text: string;
}

export interface PreviewDoc {
  path: string;
  format: string;
  /** "page", "slide", or "section" for formats without pages. */
  unit: 'page' | 'slide' | 'section';
  metadata: Array<[string, string]>;
  warnings: string[];
  pages: PreviewPage[];
  /** Set when the text was cut for display (very large documents). */
  truncated?: boolean;
}

export type PreviewToView =
  | { type: 'doc'; doc: PreviewDoc | undefined; message?: string }
  | { type: 'reply'; id: number; ok: true }
  | { type: 'reply'; id: number; ok: false; error: string };

export type PreviewToHost = { type: 'ready' } | { type: 'request'; id: number; method: 'openText' | 'reveal' };

export function isPreviewToHost(value: unknown): value is PreviewToHost {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  return m.type === 'ready' || (m.type === 'request' && typeof m.id === 'number' && (m.method === 'openText' || m.method === 'reveal'));
}
