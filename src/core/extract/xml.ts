import type { Document, Element, Node } from '@xmldom/xmldom';
import type { OoxmlPackage } from './ooxmlPackage';
import type { DocumentMetadata } from './types';

/** Parses the XHTML that mammoth writes (or XML known to be well formed); never throws on recoverable markup errors. */
export function parseXml(text: string, mimeType: 'text/xml' | 'text/html' = 'text/xml'): Document {
  // Required on first use, so threads that never read XML do not load the parser.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DOMParser } = require('@xmldom/xmldom') as typeof import('@xmldom/xmldom');
  const parser = new DOMParser({ onError: () => undefined });
  return parser.parseFromString(text, mimeType);
}

/** The head of a part in which a DTD would be declared (after the XML declaration, comments and PIs). */
const DOCTYPE_IN_PROLOG = /^\s*(?:<\?[^]*?\?>\s*|<!--[^]*?-->\s*)*<!DOCTYPE/i;

/**
 * Parses an XML part strictly: `error` says, in words for users, why it is not a well-formed part — the parser
 * reported an error (a truncated or garbled part, an undefined entity), it has no root element, or it declares
 * a DTD. xmldom never fetches external entities or expands ones a DTD declares (they stay as written and count
 * as errors), so no part can make it read files or blow up; a DTD is refused to keep the text honest.
 * The parser's own messages stay out of what users see.
 */
export function parseXmlStrict(text: string): { doc?: Document; error?: string } {
  if (DOCTYPE_IN_PROLOG.test(text.slice(0, 65536))) return { error: 'it declares a DTD, which Office parts may not' };
  let failed = false;
  let doc: Document | undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { DOMParser } = require('@xmldom/xmldom') as typeof import('@xmldom/xmldom');
    // Warnings (e.g. a U+FFFD in the text) are not damage; errors and fatal errors are (mammoth refuses them too).
    doc = new DOMParser({ onError: (level) => void (level !== 'warning' && (failed = true)) }).parseFromString(text, 'text/xml');
  } catch {
    failed = true;
  }
  if (!doc?.documentElement) return { error: text.trim() ? 'it is not well-formed XML (truncated or damaged)' : 'it is empty' };
  if (failed) return { error: 'it is not well-formed XML (truncated or damaged)' };
  return { doc };
}

/**
 * Text of an XML part's bytes: UTF-8 or UTF-16 (LE/BE), each with or without a byte-order mark, detected as XML
 * 1.0 Appendix F does (BOM, else the bytes of "<?"); the BOM is dropped. Anything else is read as UTF-8.
 */
export function decodeXmlBytes(bytes: Buffer): string {
  const b0 = bytes[0];
  const b1 = bytes[1];
  if (b0 === 0xef && b1 === 0xbb && bytes[2] === 0xbf) return bytes.toString('utf8', 3);
  if (b0 === 0xff && b1 === 0xfe) return utf16(bytes.subarray(2), 'le');
  if (b0 === 0xfe && b1 === 0xff) return utf16(bytes.subarray(2), 'be');
  if (b0 === 0x3c && b1 === 0x00 && bytes[2] === 0x3f && bytes[3] === 0x00) return utf16(bytes, 'le');
  if (b0 === 0x00 && b1 === 0x3c && bytes[2] === 0x00 && bytes[3] === 0x3f) return utf16(bytes, 'be');
  return bytes.toString('utf8');
}

function utf16(bytes: Buffer, order: 'le' | 'be'): string {
  const even = bytes.subarray(0, bytes.length & ~1);
  return (order === 'le' ? even : Buffer.from(even).swap16()).toString('utf16le');
}

export function childElements(node: Node): Element[] {
  const out: Element[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.nodeType === 1) out.push(c as Element);
  return out;
}

/** Local name without the namespace prefix ("a:t" → "t"). */
export function localName(el: Element): string {
  return el.localName ?? el.nodeName.replace(/^.*:/, '');
}

/**
 * The elements named `name` below `node`, in document order. Iterative (an explicit stack), so a hostile part
 * nested tens of thousands of levels deep cannot exhaust the call stack.
 */
export function descendants(node: Node, name: string): Element[] {
  const out: Element[] = [];
  const stack: Node[] = [];
  for (let c = node.lastChild; c; c = c.previousSibling) if (c.nodeType === 1) stack.push(c);
  while (stack.length) {
    const el = stack.pop() as Element;
    if (localName(el) === name) out.push(el);
    for (let c = el.lastChild; c; c = c.previousSibling) if (c.nodeType === 1) stack.push(c);
  }
  return out;
}

/** All text below a node, in document order, collected iteratively (see descendants). */
export function flatText(node: Node): string {
  const parts: string[] = [];
  const stack: Node[] = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.nodeType === 3 || n.nodeType === 4) parts.push(n.nodeValue ?? '');
    for (let c = n.lastChild; c; c = c.previousSibling) stack.push(c);
  }
  return parts.join('');
}

export function firstDescendant(node: Node, name: string): Element | undefined {
  return descendants(node, name)[0];
}

export function textContent(node: Node): string {
  return node.textContent ?? '';
}

/** Dublin Core metadata of an OOXML package (docProps/core.xml). */
export function parseCoreProperties(doc: Document): Record<'title' | 'author' | 'subject' | 'keywords' | 'created' | 'modified' | 'lastModifiedBy', string | undefined> {
  const get = (name: string) => {
    const v = firstDescendant(doc, name)?.textContent?.trim();
    return v ? v : undefined;
  };
  return {
    title: get('title'),
    author: get('creator'),
    subject: get('subject') ?? get('description'),
    keywords: get('keywords'),
    created: get('created'),
    modified: get('modified'),
    lastModifiedBy: get('lastModifiedBy'),
  };
}

export function parseAppProperties(doc: Document): { application?: string; pages?: number; slides?: number } {
  const num = (name: string) => {
    const v = Number(firstDescendant(doc, name)?.textContent);
    return Number.isFinite(v) && v > 0 ? v : undefined;
  };
  const app = firstDescendant(doc, 'Application')?.textContent?.trim();
  return { ...(app ? { application: app } : {}), ...(num('Pages') ? { pages: num('Pages') } : {}), ...(num('Slides') ? { slides: num('Slides') } : {}) };
}

/**
 * Metadata of an OOXML package: docProps/core.xml (Dublin Core) and docProps/app.xml (application, counts).
 * A damaged properties part costs only its metadata (an UNREADABLE_PART warning on the package).
 */
export function ooxmlMetadata(pkg: OoxmlPackage): DocumentMetadata {
  const coreDoc = pkg.auxiliary('docProps/core.xml');
  const appDoc = pkg.auxiliary('docProps/app.xml');
  const core = coreDoc ? parseCoreProperties(coreDoc) : {};
  const app = appDoc ? parseAppProperties(appDoc) : {};
  return compact({ ...core, creator: app.application, pages: app.pages, slides: app.slides });
}

/** Drops undefined values so metadata stays compact on disk. */
export function compact<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined && v !== '')) as Partial<T>;
}
