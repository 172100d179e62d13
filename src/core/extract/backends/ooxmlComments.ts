import type { Element } from '@xmldom/xmldom';
import type { DocumentBuilder } from '../documentBuilder';
import type { OoxmlPackage } from '../ooxmlPackage';
import { childElements, descendants, localName } from '../xml';

/** A comment or a reply, with its author's name when the authors part names one. */
export interface OfficeComment {
  author?: string;
  text: string;
  reply?: boolean;
}

/**
 * The comments on a slide, in the order of its comment parts and of the comments in each (their order of
 * creation). Two forms, found through the slide's relationships:
 * - classic comments (PresentationML, ECMA-376 Part 1 §19.4): `ppt/comments/commentN.xml` (`p:cmLst/p:cm`,
 *   text in `p:text`), authors in `ppt/commentAuthors.xml` (`p:cmAuthorLst/p:cmAuthor`, §19.4.2, by `id`);
 * - modern (threaded) comments of PowerPoint 365 ([MS-PPTX], namespace
 *   http://schemas.microsoft.com/office/powerpoint/2018/8/main, "p188"): `ppt/comments/modernComment_*.xml`
 *   (`p188:cmLst/p188:cm`, text in `p188:txBody`, replies in `p188:replyLst/p188:reply`), authors in
 *   `ppt/authors.xml` (`p188:authorLst/p188:author`, by `id`).
 * Comment and author parts are auxiliary: damaged, they are skipped with an UNREADABLE_PART warning.
 */
export function slideComments(pkg: OoxmlPackage, slideRels: Map<string, string>): OfficeComment[] {
  const out: OfficeComment[] = [];
  for (const target of slideRels.values()) {
    if (/\/comments\/comment[^/]*\.xml$/i.test(target)) {
      const doc = pkg.auxiliary(target);
      if (!doc) continue;
      const authors = authorNames(pkg, 'ppt/commentAuthors.xml', 'cmAuthor');
      for (const cm of descendants(doc, 'cm')) {
        const text = descendants(cm, 'text').map((t) => t.textContent ?? '').join('\n').trim();
        if (text) out.push(named(authors.get(cm.getAttribute('authorId') ?? ''), text));
      }
    } else if (/\/comments\/modernComment[^/]*\.xml$/i.test(target)) {
      const doc = pkg.auxiliary(target);
      if (!doc) continue;
      const authors = authorNames(pkg, 'ppt/authors.xml', 'author');
      for (const cm of descendants(doc, 'cm')) {
        const body = childElements(cm).find((c) => localName(c) === 'txBody');
        const text = body ? drawingText(body) : '';
        if (text) out.push(named(authors.get(cm.getAttribute('authorId') ?? ''), text));
        for (const reply of descendants(cm, 'reply')) {
          const replyBody = childElements(reply).find((c) => localName(c) === 'txBody');
          const replyText = replyBody ? drawingText(replyBody) : '';
          if (replyText) out.push({ ...named(authors.get(reply.getAttribute('authorId') ?? ''), replyText), reply: true });
        }
      }
    }
  }
  return out;
}

/**
 * The comments of a Word document (`word/comments.xml`, WordprocessingML §17.13.4: `w:comment` with `w:author`,
 * its text in paragraphs), in the part's order. mammoth leaves them out; they are added after the body.
 */
export function wordComments(pkg: OoxmlPackage): OfficeComment[] {
  const doc = pkg.auxiliary('word/comments.xml');
  if (!doc) return [];
  const out: OfficeComment[] = [];
  for (const c of descendants(doc, 'comment')) {
    const text = descendants(c, 'p')
      .map((p) => descendants(p, 't').map((t) => t.textContent ?? '').join(''))
      .filter((t) => t.trim())
      .join('\n')
      .trim();
    if (text) out.push(named(c.getAttribute('w:author') ?? c.getAttribute('author') ?? undefined, text));
  }
  return out;
}

/** Adds comments as paragraphs, "Comment by Ann: …" ("Reply by …" for replies), quoted in the Markdown. */
export function addComments(b: DocumentBuilder, comments: OfficeComment[], where: { slide?: number } = {}): void {
  for (const c of comments) {
    const text = `${c.reply ? 'Reply' : 'Comment'}${c.author ? ` by ${c.author}` : ''}: ${c.text}`;
    b.add({ type: 'paragraph', text, markdown: text.split('\n').map((l) => `> ${l}`).join('\n'), ...where });
  }
}

function named(author: string | undefined, text: string): OfficeComment {
  const name = author?.trim();
  return name ? { author: name, text } : { text };
}

const authorsRead = new WeakMap<OoxmlPackage, Map<string, Map<string, string>>>();

/** id → name from an authors part, read once per package (a missing or damaged one names nobody). */
function authorNames(pkg: OoxmlPackage, part: string, element: string): Map<string, string> {
  const cache = authorsRead.get(pkg) ?? new Map<string, Map<string, string>>();
  authorsRead.set(pkg, cache);
  const cached = cache.get(part);
  if (cached) return cached;
  const doc = pkg.auxiliary(part);
  const map = new Map<string, string>();
  for (const a of doc ? descendants(doc, element) : []) map.set(a.getAttribute('id') ?? '', a.getAttribute('name') ?? '');
  cache.set(part, map);
  return map;
}

function drawingText(body: Element): string {
  return descendants(body, 'p')
    .map((p) => descendants(p, 't').map((t) => t.textContent ?? '').join(''))
    .filter((t) => t.trim())
    .join('\n')
    .trim();
}
