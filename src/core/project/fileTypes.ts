import * as path from 'node:path';

/**
 * File-name extensions Bright Run takes when it walks a folder. This is only a first filter: the format is
 * detected from the content at extraction, and a mismatch is reported there. Images: every format detect.ts
 * recognises and tesseract.js reads (PNG, JPEG, TIFF, GIF — non-animated —, BMP, WebP; docs/image-format.md of
 * tesseract.js 7). Keep package.json's `brightrun.add.include` default and its explorer menu regexes in step.
 */
export const SUPPORTED_EXTENSIONS = [
  'pdf', 'doc', 'docx', 'ppt', 'pptx', 'txt', 'text', 'md', 'markdown', 'csv', 'tsv', 'json', 'jsonl', 'ndjson',
  'png', 'jpg', 'jpeg', 'jpe', 'jfif', 'tif', 'tiff', 'gif', 'bmp', 'dib', 'webp',
] as const;

export const DEFAULT_INCLUDE = [`**/*.{${SUPPORTED_EXTENSIONS.join(',')}}`];
export const DEFAULT_EXCLUDE = ['**/node_modules/**', '**/.git/**', '**/.brightrun/**', '**/exports/**', '**/~$*'];

const supported = new Set<string>(SUPPORTED_EXTENSIONS);

export function hasSupportedExtension(file: string): boolean {
  return supported.has(path.extname(file).slice(1).toLowerCase());
}
