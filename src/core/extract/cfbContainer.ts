import CFB from 'cfb';
import { BrightRunError } from '../errors';
import { validateCompoundFile } from './cfbValidate';
import type { DocumentMetadata } from './types';
import { compact } from './xml';

/** A compound file (OLE2: .doc, .ppt, .xls, encrypted OOXML), with the stream names used for detection. */
export interface CompoundFile {
  streams: Set<string>;
  read(name: string): Buffer | undefined;
}

/**
 * Opens a compound file after validating its structure (cfbValidate.ts: FAT chains, directory tree), so neither
 * the `cfb` package nor word-extractor ever walks a looping or out-of-range link.
 */
export function openCompoundFile(data: Buffer, file: string): CompoundFile {
  validateCompoundFile(data, file);
  let cfb: CFB.CFB$Container;
  try {
    cfb = CFB.read(data, { type: 'buffer' });
  } catch (err) {
    throw new BrightRunError(
      { code: 'CORRUPT_FILE', file, message: `${file} is a damaged Office compound file: its structure cannot be read.`, remedy: 'Open it in Office or LibreOffice and save it again (as DOCX or PPTX), or restore a good copy.' },
      { cause: err },
    );
  }
  const streams = new Set(cfb.FileIndex.filter((e) => e.type === 2).map((e) => e.name));
  return {
    streams,
    read(name: string) {
      const entry = CFB.find(cfb, name);
      if (!entry?.content) return undefined;
      return Buffer.isBuffer(entry.content) ? entry.content : Buffer.from(entry.content as Uint8Array);
    },
  };
}

export interface SummaryInformation {
  title?: string;
  subject?: string;
  author?: string;
  keywords?: string;
  comments?: string;
  lastModifiedBy?: string;
  created?: string;
  modified?: string;
  pages?: number;
  application?: string;
  /** PIDSI_DOC_SECURITY bit 0: the document is password protected. */
  passwordProtected?: boolean;
  slides?: number;
}

/** The document metadata a SummaryInformation stream provides. */
export function summaryMetadata(s: SummaryInformation): DocumentMetadata {
  return compact({
    title: s.title,
    subject: s.subject,
    author: s.author,
    keywords: s.keywords,
    lastModifiedBy: s.lastModifiedBy,
    created: s.created,
    modified: s.modified,
    creator: s.application,
    pages: s.pages,
    slides: s.slides,
  });
}

const SUMMARY_IDS: Record<number, keyof SummaryInformation> = { 2: 'title', 3: 'subject', 4: 'author', 5: 'keywords', 6: 'comments', 8: 'lastModifiedBy', 12: 'created', 13: 'modified', 14: 'pages', 18: 'application' };

/** Reads a [MS-OLEPS] property set stream (\x05SummaryInformation, \x05DocumentSummaryInformation). */
export function parsePropertySet(data: Buffer | undefined, kind: 'summary' | 'document'): SummaryInformation {
  const out: SummaryInformation = {};
  if (!data || data.length < 48) return out;
  try {
    const setOffset = data.readUInt32LE(44);
    const count = data.readUInt32LE(setOffset + 4);
    let codepage = 1252;
    const props: Array<[number, number]> = [];
    for (let i = 0; i < Math.min(count, 256); i++) props.push([data.readUInt32LE(setOffset + 8 + i * 8), data.readUInt32LE(setOffset + 12 + i * 8)]);
    const cp = props.find(([id]) => id === 1);
    if (cp) codepage = data.readUInt16LE(setOffset + cp[1] + 4);
    for (const [id, offset] of props) {
      const p = setOffset + offset;
      const type = data.readUInt32LE(p);
      let value: string | number | undefined;
      // Strings are NUL-terminated ([MS-OLEPS] CodePageString, UnicodeString): what follows the NUL is padding.
      if (type === 0x1e) {
        const len = data.readUInt32LE(p + 4);
        const raw = data.subarray(p + 8, p + 8 + len);
        value = (codepage === 65001 ? raw.toString('utf8') : codepage === 1200 ? raw.toString('utf16le') : raw.toString('latin1')).split('\0', 1)[0]!.trim();
      } else if (type === 0x1f) {
        const len = data.readUInt32LE(p + 4);
        value = data.toString('utf16le', p + 8, p + 8 + len * 2).split('\0', 1)[0]!.trim();
      } else if (type === 0x40) {
        const ticks = data.readBigUInt64LE(p + 4);
        if (ticks > 0n) value = new Date(Number(ticks / 10000n - 11644473600000n)).toISOString();
      } else if (type === 3) {
        value = data.readInt32LE(p + 4);
      } else if (type === 2) {
        value = data.readInt16LE(p + 4);
      }
      if (value === undefined || value === '') continue;
      if (kind === 'summary') {
        if (id === 19 && typeof value === 'number') out.passwordProtected = (value & 1) === 1;
        const key = SUMMARY_IDS[id];
        if (key) (out as Record<string, unknown>)[key] = key === 'pages' ? Number(value) : value;
      } else if (id === 7 && typeof value === 'number') {
        out.slides = value;
      }
    }
  } catch {
    // a damaged property set only costs metadata
  }
  return out;
}
