import type { OoxmlPackage } from '../ooxmlPackage';
import type { ExtractionWarning } from '../types';
import { descendants } from '../xml';

/**
 * Parts that hold no content of the document itself: packaging, properties, themes, masters and layouts (their
 * "Click to edit" prompts), styles and settings, diagram layouts and styles, authors, custom XML, and Word's
 * glossary (building blocks offered for insertion, not part of the text).
 */
const NOT_CONTENT = [
  /^\[Content_Types\]\.xml$/, /(^|\/)_rels\//, /^docProps\//, /^customXml\//, /\/theme\//, /\/(slideLayouts|slideMasters|notesMasters|handoutMasters)\//,
  /^word\/glossary\//, /\/(styles|stylesWithEffects|settings|fontTable|webSettings|numbering|presProps|viewProps|tableStyles|commentAuthors|authors|people|commentsIds|commentsExtensible)\.xml$/,
  /\/diagrams\/(layout|quickStyle|colors)[^/]*\.xml$/,
];
const MAX_LISTED = 5;

/**
 * For a document whose extraction found no text: the parts that do hold text (text elements — w:t, a:t, m:t,
 * p:text — with something in them), so the user learns what was skipped rather than that the document is
 * empty. Parts are read through the package (memory budget; a damaged one is an UNREADABLE_PART warning and
 * not counted). Undefined when no part holds text.
 */
export function skippedTextWarning(pkg: OoxmlPackage): ExtractionWarning | undefined {
  const found: Array<{ part: string; chars: number }> = [];
  for (const part of pkg.zip.names().sort()) {
    if (!part.endsWith('.xml') || NOT_CONTENT.some((re) => re.test(part))) continue;
    const doc = pkg.auxiliary(part);
    if (!doc) continue;
    const chars = [...descendants(doc, 't'), ...descendants(doc, 'text')].reduce((n, el) => n + (el.textContent ?? '').trim().length, 0);
    if (chars) found.push({ part, chars });
  }
  if (!found.length) return undefined;
  const listed = found.slice(0, MAX_LISTED).map((f) => `${f.part} (${f.chars} characters)`);
  if (found.length > MAX_LISTED) listed.push(`and ${found.length - MAX_LISTED} more`);
  return {
    code: 'SKIPPED_CONTENT',
    message: `No text was extracted, but ${found.length === 1 ? 'this part holds' : `${found.length} parts hold`} text that was skipped: ${listed.join(', ')}. Bright Run does not read this kind of content yet; please report the file.`,
  };
}
