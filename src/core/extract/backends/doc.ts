import { BrightRunError } from '../../errors';
import type { BackendResult } from '../backendTypes';
import { summaryMetadata, type CompoundFile, type SummaryInformation } from '../cfbContainer';
import { DocumentBuilder } from '../documentBuilder';

/**
 * Word 97–2003 (.doc) with word-extractor (`filterUnicode: false`, so quotes and dashes stay as written).
 * Paragraphs become blocks; tab-separated rows (how Word stores table cells) become tables; text boxes,
 * footnotes and endnotes follow the body. Metadata from the SummaryInformation stream.
 */
export async function extractDoc(data: Buffer, cfb: CompoundFile, summary: SummaryInformation, file: string): Promise<Omit<BackendResult, 'backend'>> {
  const wordStream = cfb.read('WordDocument');
  // FibBase.fEncrypted (bit 8 of the flags at offset 0x0A): the text is encrypted and unreadable without the password.
  if (wordStream && wordStream.length > 12 && (wordStream.readUInt16LE(0x0a) & 0x0100) !== 0) {
    throw new BrightRunError({ code: 'ENCRYPTED_FILE', file, message: `${file} is a password-protected Word document.`, remedy: 'Open it in Word, remove the password (File › Info › Protect Document), save, and add it again.' });
  }
  let doc;
  try {
    const { default: WordExtractor } = await import('word-extractor');
    doc = await new WordExtractor().extract(data);
  } catch (err) {
    throw new BrightRunError({ code: 'CORRUPT_FILE', file, message: `${file} cannot be read as a Word document: its text tables are damaged.`, remedy: 'Open it in Word or LibreOffice and save it as DOCX, then add that file.' }, { cause: err });
  }
  const opts = { filterUnicode: false };
  const b = new DocumentBuilder();
  addWordText(b, doc.getBody(opts));
  addWordText(b, doc.getTextboxes({ ...opts, includeHeadersAndFooters: false, includeBody: true }));
  for (const notes of [doc.getFootnotes(opts), doc.getEndnotes(opts)]) if (notes.trim()) b.add({ type: 'notes', text: notes.trim() });
  return {
    ...b.result(),
    metadata: summaryMetadata(summary),
    warnings: [],
  };
}

/** Word text: paragraphs end with newlines; a run of lines with tabs is a table (cells end with a tab). */
function addWordText(b: DocumentBuilder, text: string): void {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let table: string[][] = [];
  const flush = () => {
    if (table.length) b.table(table);
    table = [];
  };
  for (const line of lines) {
    if (line.includes('\t')) {
      table.push(line.replace(/\t$/, '').split('\t'));
      continue;
    }
    flush();
    if (line.trim()) b.paragraph(line);
  }
  flush();
}
