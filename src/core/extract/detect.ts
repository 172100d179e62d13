import * as path from 'node:path';
import type { DocumentFormat } from './types';

/** What the first bytes say. Containers (zip, compound file) are resolved further by their parts. */
export type Magic =
  | { kind: 'pdf' }
  | { kind: 'zip' }
  | { kind: 'cfb' }
  | { kind: 'image'; type: 'png' | 'jpeg' | 'tiff' | 'webp' | 'gif' | 'bmp' }
  | { kind: 'unsupported'; type: string; remedy: string }
  | { kind: 'text-or-unknown' };

const startsWith = (b: Uint8Array, sig: number[], at = 0) => sig.every((v, i) => b[at + i] === v);
const ascii = (b: Uint8Array, s: string, at = 0) => startsWith(b, [...s].map((c) => c.charCodeAt(0)), at);

/** Content-based detection from the head of the file (magic numbers), independent of the file name. */
export function detectMagic(head: Uint8Array): Magic {
  // PDF: %PDF- may follow a little junk (allowed by readers within the first 1024 bytes).
  const pdfAt = Buffer.from(head.subarray(0, 1024)).indexOf('%PDF-');
  if (pdfAt >= 0) return { kind: 'pdf' };
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) return { kind: 'zip' };
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return { kind: 'cfb' };
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: 'image', type: 'png' };
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { kind: 'image', type: 'jpeg' };
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return { kind: 'image', type: 'tiff' };
  if (ascii(head, 'RIFF') && ascii(head, 'WEBP', 8)) return { kind: 'image', type: 'webp' };
  if (ascii(head, 'GIF87a') || ascii(head, 'GIF89a')) return { kind: 'image', type: 'gif' };
  if (ascii(head, 'BM') && head.length > 26 && head[14]! >= 12 && head[14]! <= 124) return { kind: 'image', type: 'bmp' };
  if (ascii(head, '{\\rtf')) return { kind: 'unsupported', type: 'an RTF document', remedy: 'Save it as DOCX (Word or LibreOffice: File › Save As) and add that file.' };
  if (startsWith(head, [0x1f, 0x8b])) return { kind: 'unsupported', type: 'a gzip archive', remedy: 'Decompress it and add the documents inside.' };
  if (ascii(head, '7z\xbc\xaf\x27\x1c') || startsWith(head, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return { kind: 'unsupported', type: 'a 7-Zip archive', remedy: 'Extract it and add the documents inside.' };
  if (ascii(head, 'Rar!')) return { kind: 'unsupported', type: 'a RAR archive', remedy: 'Extract it and add the documents inside.' };
  if (startsWith(head, [0x7f, 0x45, 0x4c, 0x46]) || ascii(head, 'MZ')) return { kind: 'unsupported', type: 'a program (executable)', remedy: 'Remove it from the dataset: only documents can be extracted.' };
  if (ascii(head, 'ID3') || startsWith(head, [0xff, 0xfb]) || ascii(head, 'ftyp', 4) || ascii(head, 'OggS')) return { kind: 'unsupported', type: 'an audio or video file', remedy: 'Transcribe it to text first, then add the transcript.' };
  if (ascii(head, 'SQLite format 3')) return { kind: 'unsupported', type: 'an SQLite database', remedy: 'Export the tables you need to CSV or JSON and add those.' };
  return { kind: 'text-or-unknown' };
}

/** OOXML and other zip-based formats, told apart by their parts. */
export function classifyZip(names: readonly string[]): { format: 'docx' | 'pptx' } | { unsupported: string; remedy: string } {
  const has = (n: string) => names.includes(n);
  if (has('word/document.xml')) return { format: 'docx' };
  if (has('ppt/presentation.xml')) return { format: 'pptx' };
  if (names.some((n) => n.startsWith('xl/'))) return { unsupported: 'an Excel workbook (XLSX)', remedy: 'Save the sheets you need as CSV and add those.' };
  if (has('mimetype') && names.some((n) => n === 'content.xml')) return { unsupported: 'an OpenDocument file', remedy: 'Save it as DOCX or PPTX (LibreOffice: File › Save As) and add that.' };
  if (has('[Content_Types].xml')) return { unsupported: 'an Office Open XML package of an unsupported kind', remedy: 'Save it as DOCX or PPTX and add that.' };
  return { unsupported: 'a ZIP archive', remedy: 'Extract it and add the documents inside.' };
}

/** Compound files, told apart by their streams. */
export function classifyCompound(streams: ReadonlySet<string>): { format: 'doc' | 'ppt' } | { encryptedOoxml: true } | { unsupported: string; remedy: string } {
  if (streams.has('EncryptionInfo') && streams.has('EncryptedPackage')) return { encryptedOoxml: true };
  if (streams.has('WordDocument')) return { format: 'doc' };
  if (streams.has('PowerPoint Document')) return { format: 'ppt' };
  if (streams.has('Workbook') || streams.has('Book')) return { unsupported: 'an Excel 97–2003 workbook (XLS)', remedy: 'Save the sheets you need as CSV and add those.' };
  return { unsupported: 'an Office compound file of an unsupported kind', remedy: 'Save it as DOCX or PPTX and add that.' };
}

/** Text sub-formats from content, with the file name only breaking the txt/md tie. */
export function classifyText(sample: string, file: string, complete: boolean, isJsonLines: (s: string, complete: boolean) => boolean): DocumentFormat {
  const ext = path.extname(file).toLowerCase();
  const trimmed = sample.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    if (isJsonLines(sample, complete)) return 'jsonl';
    if (complete) {
      try {
        JSON.parse(sample);
        return 'json';
      } catch {
        // fall through: text that only starts like JSON
      }
    } else if (ext === '.json') {
      return 'json';
    }
    if (ext === '.json' || ext === '.jsonl' || ext === '.ndjson') return ext === '.json' ? 'json' : 'jsonl';
  }
  if (looksLikeDelimited(sample, ext)) return 'csv';
  if (ext === '.md' || ext === '.markdown' || markdownScore(sample) >= 3) return 'md';
  return 'txt';
}

function looksLikeDelimited(sample: string, ext: string): boolean {
  if (ext === '.csv' || ext === '.tsv') return true;
  const lines = sample.split(/\r?\n/).filter((l) => l.trim()).slice(0, 50);
  if (lines.length < 3) return false;
  for (const d of [',', ';', '\t', '|']) {
    // Line by line, stopping at the first line that differs (most text fails on its first or second line).
    const first = splitOutsideQuotes(lines[0]!, d);
    if (first >= 1 && lines.every((l, i) => i === 0 || splitOutsideQuotes(l, d) === first)) {
      // Prose has commas too: require short fields on average.
      const avgField = lines.join('').length / (lines.length * (first + 1));
      if (avgField < 40) return true;
    }
  }
  return false;
}

function splitOutsideQuotes(line: string, d: string): number {
  let n = 0;
  let quoted = false;
  for (const c of line) {
    if (c === '"') quoted = !quoted;
    else if (c === d && !quoted) n++;
  }
  return n;
}

/**
 * How Markdown-like a text sample is. Every test runs in linear time on hostile input: within a line the
 * patterns use `[ \t]` (not `\s`, which crosses newlines and made each line start of a long blank run rescan the
 * rest of it), and adjacent quantifiers never overlap; links are found by a scan (hasInlineLink).
 */
function markdownScore(sample: string): number {
  let score = 0;
  if (/^#{1,6}[ \t]+\S/m.test(sample)) score += 2;
  if (/^```/m.test(sample)) score += 2;
  if (/^[ \t]*[-*+][ \t]+\S/m.test(sample)) score += 1;
  if (hasInlineLink(sample)) score += 1;
  if (/^\|.*\|[ \t]*$/m.test(sample) && /^\|?[ \t]*:?-{3,}/m.test(sample)) score += 2;
  if (/\*\*[^*]+\*\*/.test(sample)) score += 1;
  return score;
}

/**
 * Whether the text holds `[label](target)` (both non-empty; what `/\[[^\]]+\]\([^)]+\)/` matches). One pass: that
 * regex rescanned to the end from every `[` of a run with no `]` (quadratic).
 */
export function hasInlineLink(s: string): boolean {
  let open = -1; // the first "[" since the last "]"
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5b) {
      if (open < 0) open = i;
    } else if (c === 0x5d) {
      if (open >= 0 && open < i - 1 && s.charCodeAt(i + 1) === 0x28) {
        const close = s.indexOf(')', i + 2);
        if (close < 0) return false; // no ")" later: no link can close
        if (close > i + 2) return true;
      }
      open = -1;
    }
  }
  return false;
}

/** The family a file name suggests, to warn when content and name disagree. */
export function formatFromName(file: string): DocumentFormat | undefined {
  const ext = path.extname(file).toLowerCase().slice(1);
  const map: Record<string, DocumentFormat> = {
    pdf: 'pdf', docx: 'docx', doc: 'doc', pptx: 'pptx', ppt: 'ppt', txt: 'txt', text: 'txt', md: 'md', markdown: 'md', csv: 'csv', tsv: 'csv', json: 'json', jsonl: 'jsonl', ndjson: 'jsonl',
    png: 'image', jpg: 'image', jpeg: 'image', tif: 'image', tiff: 'image', webp: 'image', gif: 'image', bmp: 'image',
  };
  return map[ext];
}

const TEXT_FAMILY = new Set<DocumentFormat>(['txt', 'md', 'csv', 'json', 'jsonl']);

export function namesDisagree(named: DocumentFormat | undefined, detected: DocumentFormat): boolean {
  if (!named || named === detected) return false;
  if (TEXT_FAMILY.has(named) && TEXT_FAMILY.has(detected)) return false; // a .txt holding CSV is fine
  return true;
}
