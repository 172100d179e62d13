import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { BrightRunError, fsError, throwIfAborted } from '../errors';
import { closeSync, fstatSync, readFileSync, readSync } from 'node:fs';
import { openRegular, openRegularSync } from '../fs/openRegular';
import { readInto } from '../fs/readInto';
import type { BackendContext, BackendResult } from './backendTypes';
import { extractCsv } from './backends/csv';
import { extractDoc } from './backends/doc';
import { extractDocx } from './backends/docx';
import { extractJson, extractJsonLines, looksLikeJsonLines } from './backends/json';
import { extractPdf } from './backends/pdf';
import { extractPpt } from './backends/ppt';
import { extractPptx } from './backends/pptx';
import { extractMarkdown, extractPlainText } from './backends/plainText';
import { openCompoundFile, parsePropertySet } from './cfbContainer';
import { classifyCompound, classifyText, classifyZip, detectMagic, formatFromName, namesDisagree, type Magic } from './detect';
import { cleanDocumentText, cleanText } from './cleanText';
import { decodeText, looksBinary, type DecodedText } from './encoding';
import type { OcrService } from './ocr/ocrService';
import { OoxmlPackage } from './ooxmlPackage';
import { DEFAULT_MAX_BYTES, EXTRACTOR_VERSION, type DocumentFormat, type ExtractedDocument, type ExtractionWarning, type ExtractOptions } from './types';
import { ZipArchive } from './zipArchive';

export interface ExtractCallbacks {
  signal?: AbortSignal;
  /** Units (pages, slides) done within this file. */
  onUnit?: (done: number, total: number) => void;
  /** OCR for images and scanned PDF pages; without it those fail with OCR_FAILED / are skipped with a warning. */
  ocr?: OcrService;
  /** The file's bytes when the caller has read them already (checked by the caller: size limit, not empty). */
  data?: Buffer;
}

const HEAD_BYTES = 64 * 1024;
const LIB = {
  pdf: 'pdfjs-dist@5.6',
  pdfText: 'brightrun-pdf',
  docx: 'mammoth@1.13',
  doc: 'word-extractor@1.0',
  pptx: 'ooxml',
  ppt: 'ms-ppt+cfb',
  text: 'chardet+iconv-lite',
  csv: 'papaparse@5',
  image: 'tesseract.js@7',
} as const;

/** Reads an open file with as few system calls as possible (one, usually), reading it again whole if it grew. */
async function readWhole(handle: FileHandle, file: string, size: number, maxBytes: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(size);
  const got = await readInto(handle, buf);
  const { bytesRead: more } = await handle.read(Buffer.alloc(1), 0, 1, got);
  if (!more) return buf.subarray(0, got);
  // It grew while being read: read it again as it is now, within the same limit.
  const now = await handle.stat();
  if (now.size > maxBytes) throw grewTooLarge(file, maxBytes);
  return await handle.readFile();
}

/** Checks the file (regular and not a link — see openRegular —, within the size limit, not empty) and reads it. */
async function readChecked(file: string, options: ExtractOptions): Promise<Buffer> {
  const { handle, stat } = await openRegular(file);
  try {
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    if (stat.size > maxBytes) throw tooLarge(file, stat.size, maxBytes);
    if (stat.size === 0) throw emptyFile(file, 'is empty (0 bytes)');
    return await readWhole(handle, file, stat.size, maxBytes);
  } catch (err) {
    throw err instanceof BrightRunError ? err : fsError(err, file, 'read');
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * readChecked in blocking calls, for a pool process (one file at a time): the same checks and errors, without a
 * thread-pool round trip per call — for small files most of the cost of reading them. Pass the bytes to
 * `extract` as `data`.
 */
export function readCheckedSync(file: string, options: ExtractOptions): Buffer {
  const { fd, stat } = openRegularSync(file);
  try {
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    if (stat.size > maxBytes) throw tooLarge(file, stat.size, maxBytes);
    if (stat.size === 0) throw emptyFile(file, 'is empty (0 bytes)');
    const buf = Buffer.allocUnsafe(stat.size);
    let got = 0;
    for (let n; got < buf.length && (n = readSync(fd, buf, got, buf.length - got, got)) > 0; ) got += n;
    if (got < buf.length || readSync(fd, Buffer.alloc(1), 0, 1, got) === 0) return buf.subarray(0, got);
    // It grew while being read: read it again as it is now, within the same limit.
    const now = fstatSync(fd);
    if (now.size > maxBytes) throw grewTooLarge(file, maxBytes);
    return readFileSync(fd);
  } catch (err) {
    throw err instanceof BrightRunError ? err : fsError(err, file, 'read');
  } finally {
    closeSync(fd);
  }
}

/**
 * Bytes handed over in shared memory are parsed in place only by the PDF reader (which copies them for pdf.js);
 * any other format gets a private copy, since its libraries may transfer or detach buffers.
 */
function privateUnlessPdf(data: Buffer): Buffer {
  if (!(data.buffer instanceof SharedArrayBuffer)) return data;
  return data.subarray(0, 1024).includes('%PDF-') ? data : Buffer.from(data);
}

/**
 * Extracts one file into an ExtractedDocument. The format comes from the content (magic numbers, container
 * parts, text heuristics), not the name; a disagreeing name is a warning. Every failure is a BrightRunError
 * with a code and a remedy; nothing is written anywhere (persisting is the caller's job).
 */
export async function extract(file: string, options: ExtractOptions = {}, callbacks: ExtractCallbacks = {}): Promise<ExtractedDocument> {
  const started = Date.now();
  const { signal } = callbacks;
  throwIfAborted(signal);
  const input = await readInput(file, options, callbacks.data);
  throwIfAborted(signal);
  const { size, id } = input;
  const ctx: BackendContext = { file, options, ...(signal ? { signal } : {}), ...(callbacks.onUnit ? { onUnit: callbacks.onUnit } : {}) };
  const magic = detectMagic(input.data!.subarray(0, HEAD_BYTES));
  const { format, detectedBy, result } = magic.kind === 'text-or-unknown' ? extractTextual(decodeInput(input, ctx), ctx) : await dispatch(input.data!, magic, ctx, callbacks.ocr);
  const warnings: ExtractionWarning[] = [...result.warnings];
  // The final guard: backends clean text as they build it; this verifies it, and catches anything they missed.
  const removed = (result.controlCharsRemoved ?? 0) + cleanDocumentText(result);
  if (removed) warnings.push({ code: 'CONTROL_CHARS_REMOVED', message: `${removed.toLocaleString('en')} control character(s) or noncharacter(s) were removed from the text.` });
  const named = formatFromName(file);
  if (namesDisagree(named, format)) {
    warnings.unshift({ code: 'NAME_MISMATCH', message: `The file is named like ${named?.toUpperCase()} but its content is ${format.toUpperCase()}; it was extracted as ${format.toUpperCase()}.` });
  }
  if (!result.text.trim()) {
    if (format === 'txt' || format === 'md' || format === 'csv') throw emptyFile(file, 'contains only whitespace');
    const skipped = warnings.some((w) => w.code === 'SKIPPED_CONTENT');
    warnings.push({ code: 'EMPTY_TEXT', message: format === 'pdf' || format === 'image' ? 'No text was found (no text layer, and OCR found nothing).' : skipped ? 'No text was extracted; parts of the document that hold text were skipped (see above).' : 'The document contains no text.' });
  }
  return {
    id,
    source: { path: file, name: path.basename(file), size },
    format,
    detectedBy,
    ...(result.encoding ? { encoding: result.encoding } : {}),
    metadata: result.metadata,
    ...(result.pages ? { pages: result.pages } : {}),
    blocks: result.blocks,
    text: result.text,
    markdown: result.markdown,
    warnings,
    extractor: { name: 'brightrun', version: EXTRACTOR_VERSION, backend: result.backend },
    timings: { totalMs: Date.now() - started, ...(result.ocrMs ? { ocrMs: result.ocrMs } : {}) },
    ocrPages: result.ocrPages ?? 0,
    extractedAt: new Date().toISOString(),
  };
}

/**
 * The file's bytes, held only here: a text file lets go of them once decoded (decodeInput), so a 100 MB CSV does
 * not keep its raw bytes beside its text while it is parsed. No other frame keeps a reference meanwhile.
 */
interface Input {
  data: Buffer | undefined;
  size: number;
  id: string;
}

async function readInput(file: string, options: ExtractOptions, shared: Buffer | undefined): Promise<Input> {
  const data = shared ? privateUnlessPdf(shared) : await readChecked(file, options);
  return { data, size: data.length, id: options.skipHash ? '' : createHash('sha256').update(data).digest('hex') };
}

/** Decodes a text file and drops its bytes. */
function decodeInput(input: Input, ctx: BackendContext): DecodedText {
  const data = input.data!;
  input.data = undefined;
  if (looksBinary(data.subarray(0, HEAD_BYTES))) throw unsupported(ctx.file, 'binary data of an unknown type', 'Bright Run extracts PDF, Word, PowerPoint, text, Markdown, CSV, JSON and images; convert the file to one of those.');
  return decodeText(data, HEAD_BYTES);
}

/** Binary formats, by their magic (text files go through decodeInput and extractTextual). */
async function dispatch(data: Buffer, magic: Exclude<Magic, { kind: 'text-or-unknown' }>, ctx: BackendContext, ocr: OcrService | undefined): Promise<{ format: DocumentFormat; detectedBy: string; result: BackendResult }> {
  const { file } = ctx;
  switch (magic.kind) {
    case 'pdf': {
      const r = await extractPdf(data, ctx, ocr ? { run: (page, n) => ocr.recognizePdfPage(page, n, ctx), concurrency: ocr.concurrency } : undefined);
      const { reader, ...rest } = r;
      return { format: 'pdf', detectedBy: 'magic %PDF-', result: { ...rest, backend: reader === 'brightrun' ? LIB.pdfText : LIB.pdf } };
    }
    case 'zip': {
      const zip = ZipArchive.open(data, file, ctx.options);
      const kind = classifyZip(zip.names());
      if ('unsupported' in kind) throw unsupported(file, kind.unsupported, kind.remedy);
      const pkg = new OoxmlPackage(zip, file, ctx.options, kind.format);
      pkg.precheckBodies();
      zip.verifyAll();
      if (kind.format === 'docx') return { format: 'docx', detectedBy: 'OOXML word/document.xml', result: { ...(await extractDocx(pkg)), backend: LIB.docx } };
      return { format: 'pptx', detectedBy: 'OOXML ppt/presentation.xml', result: { ...extractPptx(pkg), backend: LIB.pptx } };
    }
    case 'cfb': {
      const cfb = openCompoundFile(data, file);
      const kind = classifyCompound(cfb.streams);
      if ('encryptedOoxml' in kind) {
        throw new BrightRunError({ code: 'ENCRYPTED_FILE', file, message: `${file} is a password-protected Office document.`, remedy: 'Open it in Office, remove the password (File › Info › Protect), save, and add it again.' });
      }
      if ('unsupported' in kind) throw unsupported(file, kind.unsupported, kind.remedy);
      const summary = parsePropertySet(cfb.read('\u0005SummaryInformation'), 'summary');
      if (kind.format === 'doc') return { format: 'doc', detectedBy: 'compound file WordDocument stream', result: { ...(await extractDoc(data, cfb, summary, file)), backend: LIB.doc } };
      const docSummary = parsePropertySet(cfb.read('\u0005DocumentSummaryInformation'), 'document');
      return { format: 'ppt', detectedBy: 'compound file PowerPoint Document stream', result: { ...extractPpt(cfb, { ...summary, ...docSummary }, file), backend: LIB.ppt } };
    }
    case 'image': {
      if (!ocr || ctx.options.ocr === false) {
        throw new BrightRunError({ code: 'OCR_FAILED', file, message: `${file} is an image (${magic.type.toUpperCase()}) and OCR is off.`, remedy: 'Turn OCR on (brightrun.ocr.enabled, or extract.ocr in brightrun.json) to read text from images.' });
      }
      const r = await ocr.recognizeImage(data, magic.type, ctx);
      return { format: 'image', detectedBy: `magic ${magic.type}`, result: { ...r, backend: LIB.image } };
    }
    case 'unsupported':
      throw unsupported(file, magic.type, magic.remedy);
  }
}

/**
 * Text formats: the decoded text is cleaned (cleanText.ts) before any parser sees it, so every span is measured
 * on clean text. In data formats (CSV, JSON, JSON Lines) line breaks are syntax: there VT, FF and NEL are
 * removed rather than made line breaks, which would split a record.
 */
function extractTextual(decoded: DecodedText, ctx: BackendContext): { format: DocumentFormat; detectedBy: string; result: BackendResult } {
  const { file } = ctx;
  const { encoding } = decoded;
  const format = classifyText(cleanText(decoded.text.slice(0, HEAD_BYTES), 'remove').text, file, decoded.text.length <= HEAD_BYTES, looksLikeJsonLines);
  const { text, removed } = cleanText(decoded.text, format === 'txt' || format === 'md' ? 'newline' : 'remove');
  if (!text.trim()) throw emptyFile(file, 'contains only whitespace');
  const enc = { name: encoding.name, confidence: +encoding.confidence.toFixed(2) };
  const warnings: ExtractionWarning[] = encoding.confidence < 0.5 ? [{ code: 'ENCODING_GUESSED', message: `The text encoding was guessed as ${encoding.name} with low confidence; check accented letters.` }] : [];
  if (decoded.invalidUtf8) warnings.push(invalidUtf8Warning(decoded.invalidUtf8));
  const base = { encoding: enc, backend: LIB.text, ...(removed ? { controlCharsRemoved: removed } : {}) };
  const by = `text (${encoding.name}${encoding.bomLength ? ' BOM' : ''})`;
  switch (format) {
    case 'json': {
      const r = extractJson(text, file);
      return { format, detectedBy: `${by}, JSON`, result: { ...r, ...base, warnings: [...warnings, ...r.warnings] } };
    }
    case 'jsonl': {
      const r = extractJsonLines(text);
      return { format, detectedBy: `${by}, JSON Lines`, result: { ...r, ...base, warnings: [...warnings, ...r.warnings] } };
    }
    case 'csv': {
      const r = extractCsv(text, path.extname(file).toLowerCase() === '.tsv' ? '\t' : undefined);
      return { format, detectedBy: `${by}, delimited`, result: { ...r, ...base, backend: LIB.csv, warnings: [...warnings, ...r.warnings] } };
    }
    case 'md': {
      const { title, ...r } = extractMarkdown(text);
      return { format, detectedBy: `${by}, Markdown`, result: { ...r, metadata: title ? { title } : {}, warnings, ...base } };
    }
    default:
      return { format: 'txt', detectedBy: by, result: { ...extractPlainText(text), metadata: {}, warnings, ...base } };
  }
}

function invalidUtf8Warning(bad: NonNullable<DecodedText['invalidUtf8']>): ExtractionWarning {
  const bytes = bad.bytes === 1 ? '1 byte is' : `${bad.bytes.toLocaleString('en')} bytes are`;
  return { code: 'INVALID_UTF8', message: `The text is UTF-8, but ${bytes} not valid UTF-8 (the first at byte ${bad.firstOffset.toLocaleString('en')}, line ${bad.firstLine.toLocaleString('en')}); they were replaced with U+FFFD (�).` };
}

function tooLarge(file: string, size: number, maxBytes: number): BrightRunError {
  return new BrightRunError({
    code: 'FILE_TOO_LARGE',
    file,
    message: `${file} is ${Math.round(size / 1048576)} MB, over the ${Math.round(maxBytes / 1048576)} MB limit.`,
    remedy: 'Split it into smaller files, or raise the limit (setting brightrun.extract.maxFileSizeMB, or extract.maxFileSizeMB in brightrun.json).',
  });
}

function grewTooLarge(file: string, maxBytes: number): BrightRunError {
  return new BrightRunError({ code: 'FILE_TOO_LARGE', file, message: `${file} grew past the ${Math.round(maxBytes / 1048576)} MB limit while it was read.`, remedy: 'Wait until whatever writes it has finished, then extract it again.' });
}

function emptyFile(file: string, what: string): BrightRunError {
  return new BrightRunError({ code: 'EMPTY_FILE', file, message: `${file} ${what}: there is no text to extract.`, remedy: 'Remove it from the dataset, or add the right file.' });
}

function unsupported(file: string, what: string, remedy: string): BrightRunError {
  return new BrightRunError({ code: 'UNSUPPORTED_FORMAT', file, message: `${file} is ${what}, which Bright Run cannot extract.`, remedy });
}
