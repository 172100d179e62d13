import type { Document, Element, Node } from '@xmldom/xmldom';
import type { DocumentMetadata } from './types';
import type { ZipArchive } from './zipArchive';

/** Parses XML (OOXML parts) or the XHTML that mammoth writes; never throws on recoverable markup errors. */
export function parseXml(text: string, mimeType: 'text/xml' | 'text/html' = 'text/xml'): Document {
  // Required on first use, so threads that never read XML do not load the parser.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DOMParser } = require('@xmldom/xmldom') as typeof import('@xmldom/xmldom');
  const parser = new DOMParser({ onError: () => undefined });
  return parser.parseFromString(text, mimeType);
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

export function descendants(node: Node, name: string): Element[] {
  const out: Element[] = [];
  const walk = (n: Node) => {
    for (let c = n.firstChild; c; c = c.nextSibling) {
      if (c.nodeType !== 1) continue;
      if (localName(c as Element) === name) out.push(c as Element);
      walk(c);
    }
  };
  walk(node);
  return out;
}

export function firstDescendant(node: Node, name: string): Element | undefined {
  return descendants(node, name)[0];
}

export function textContent(node: Node): string {
  return node.textContent ?? '';
}

/** Dublin Core metadata of an OOXML package (docProps/core.xml). */
export function parseCoreProperties(xml: string): Record<'title' | 'author' | 'subject' | 'keywords' | 'created' | 'modified' | 'lastModifiedBy', string | undefined> {
  const doc = parseXml(xml);
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

export function parseAppProperties(xml: string): { application?: string; pages?: number; slides?: number } {
  const doc = parseXml(xml);
  const num = (name: string) => {
    const v = Number(firstDescendant(doc, name)?.textContent);
    return Number.isFinite(v) && v > 0 ? v : undefined;
  };
  const app = firstDescendant(doc, 'Application')?.textContent?.trim();
  return { ...(app ? { application: app } : {}), ...(num('Pages') ? { pages: num('Pages') } : {}), ...(num('Slides') ? { slides: num('Slides') } : {}) };
}

/** Metadata of an OOXML package: docProps/core.xml (Dublin Core) and docProps/app.xml (application, counts). */
export function ooxmlMetadata(zip: ZipArchive): DocumentMetadata {
  const core = zip.has('docProps/core.xml') ? parseCoreProperties(zip.readText('docProps/core.xml')) : {};
  const app = zip.has('docProps/app.xml') ? parseAppProperties(zip.readText('docProps/app.xml')) : {};
  return compact({ ...core, creator: app.application, pages: app.pages, slides: app.slides });
}

/** Drops undefined values so metadata stays compact on disk. */
export function compact<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined && v !== '')) as Partial<T>;
}
