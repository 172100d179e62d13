import { BrightRunError } from '../../errors';
import type { BackendResult } from '../backendTypes';
import { DocumentBuilder } from '../documentBuilder';
import { numberLabels } from './docxNumbering';
import { addComments, wordComments } from './ooxmlComments';
import { skippedTextWarning } from './ooxmlSkipped';
import { fillInserts, prepareWordBody, type PreparedBody } from './docxInserts';
import type { ExtractionWarning } from '../types';
import type { OoxmlPackage } from '../ooxmlPackage';
import { childElements, descendants, localName, ooxmlMetadata, parseXml, textContent } from '../xml';
import type { Element } from '@xmldom/xmldom';

/** Elements that separate words when met inside a cell or a list item (nested tables, paragraphs). */
const BLOCK_TAGS = new Set(['p', 'table', 'tr', 'td', 'th', 'li', 'ul', 'ol', 'div', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre']);

const STYLE_MAP = [
  "p[style-name='Title'] => h1:fresh",
  "p[style-name='Subtitle'] => h2:fresh",
  "p[style-name='Heading 7'] => h6:fresh",
  "p[style-name='Quote'] => blockquote > p:fresh",
  "p[style-name='Code'] => pre:separator('\\n')",
];

/** What an unreadable auxiliary part becomes for mammoth: an element with no children (no styles, no notes). */
const EMPTY_PART = '<brightrun-unreadable-part/>';

/**
 * DOCX with mammoth: its semantic HTML (headings, lists, tables) is walked into blocks; metadata comes from
 * docProps/core.xml and docProps/app.xml. Images are dropped (their alt text is kept).
 *
 * mammoth never sees the archive's bytes (its ZIP library reads ZIP64 records and prepended data its own way):
 * it is given mammoth's "file" input (`{ file: { exists, read } }`, lib/unzip.js of mammoth 1.13) over the
 * package validated by zipArchive.ts, whose parts arrive decoded (BOM, UTF-16) and checked: the body within the
 * memory budget and well formed, auxiliary parts (styles, numbering, notes, comments, relationships) replaced
 * by an empty element, with an UNREADABLE_PART warning, when damaged.
 */
export async function extractDocx(pkg: OoxmlPackage): Promise<Omit<BackendResult, 'backend'>> {
  const warnings: ExtractionWarning[] = [];
  // Checked in a call of its own, so no variable here keeps that DOM alive while mammoth builds its own.
  if (!isWordBody(pkg)) throw pkg.damaged(MAIN, 'it is not a Word document body');
  // Equations, charts and diagrams, which mammoth drops, become placeholders it keeps in place (docxInserts.ts).
  const prepared = prepareWordBody(pkg);
  // Loaded on first use: mammoth's module graph is large and most batches never need it.
  const { default: mammoth } = await import('mammoth');
  let result;
  try {
    result = await mammoth.convertToHtml(
      { file: mammothFile(pkg, prepared.xml) } as unknown as { buffer: Buffer },
      {
        styleMap: STYLE_MAP,
        includeDefaultStyleMap: true,
        convertImage: mammoth.images.imgElement(async () => ({ src: '' })),
      },
    );
  } catch (err) {
    if (err instanceof BrightRunError) throw err;
    throw pkg.damaged(MAIN, 'its content could not be converted', err);
  }
  const errors = result.messages.filter((m) => m.type === 'error');
  if (errors.length) warnings.push({ code: 'UNREADABLE_PART', message: `Some content could not be read: ${errors.map((m) => m.message).join('; ')}` });
  const b = new DocumentBuilder();
  const root = parseXml(`<body>${result.value}</body>`, 'text/html');
  const body = root.getElementsByTagName('body')[0] ?? root.documentElement;
  if (body) {
    // Automatic heading numbers, applied only when the headings line up one to one with mammoth's.
    const labels = numberLabels(pkg);
    const headings = childElements(body).filter((el) => /^h[1-6]$/i.test(localName(el)) && inlineText(el));
    if (labels && labels.headings.length === headings.length && labels.headings.some(Boolean)) {
      headings.forEach((h, i) => labels.headings[i] && h.insertBefore(h.ownerDocument!.createTextNode(`${labels.headings[i]} `), h.firstChild));
    }
    // List items get Word's own numbers ("2.3.1.") when they line up one to one with mammoth's items.
    const listItems = descendants(body, 'li').filter((li) => inlineText(li));
    const itemLabels = labels && labels.items.length === listItems.length ? new Map(listItems.map((li, i) => [li, labels.items[i]!])) : undefined;
    walkBlocks(body, b, { labels: itemLabels, prepared });
  }
  addComments(b, wordComments(pkg));
  const skipped = b.text.trim() ? undefined : skippedTextWarning(pkg);
  if (skipped) warnings.push(skipped);
  const metadata = ooxmlMetadata(pkg);
  return {
    ...b.result(),
    metadata,
    warnings: [...pkg.warnings, ...warnings],
  };
}

const MAIN = 'word/document.xml';

function isWordBody(pkg: OoxmlPackage): boolean {
  const root = pkg.body(MAIN, 'mammoth').documentElement;
  return !!root && localName(root) === 'document';
}

/** mammoth's file input: `exists(name)` and `read(name, encoding?)` (a string for "utf-8"/"base64", else bytes). */
function mammothFile(pkg: OoxmlPackage, body: string): { exists(name: string): boolean; read(name: string, encoding?: string): Promise<string | Uint8Array> } {
  return {
    exists: (name) => pkg.has(name),
    read: async (name, encoding) => {
      if (!encoding) return pkg.zip.read(name);
      if (encoding === 'base64') return pkg.zip.read(name).toString('base64');
      if (name === MAIN) return body;
      return pkg.auxiliaryText(name, 'mammoth') ?? EMPTY_PART;
    },
  };
}

type ItemLabels = Map<Element, string> | undefined;

interface WalkContext {
  labels: ItemLabels;
  prepared: PreparedBody;
}

function walkBlocks(parent: Element, b: DocumentBuilder, ctx: WalkContext): void {
  const { prepared } = ctx;
  const fill = (text: string) => ({ text: fillInserts(prepared, text, 'text'), md: fillInserts(prepared, text, 'markdown') });
  for (const el of childElements(parent)) {
    const tag = localName(el).toLowerCase();
    if (/^h[1-6]$/.test(tag)) {
      const { text, md } = fill(inlineText(el));
      b.heading(text, Number(tag[1]), md === text ? {} : { markdownSource: md });
    } else if (tag === 'ul' || tag === 'ol') {
      const { text, md } = fill(listText(el, tag === 'ol', 0, ctx.labels));
      b.add({ type: 'list', text, ...(md === text ? {} : { markdownSource: md }) });
    } else if (tag === 'table') {
      const { grid, once } = tableRows(el);
      const cells = (rows: string[][], form: 'text' | 'markdown') => rows.map((r) => r.map((c) => fillInserts(prepared, c, form)));
      b.table(cells(grid, 'text'), {}, cells(once, 'text'), prepared.inserts.size ? cells(grid, 'markdown') : undefined);
    } else if (tag === 'pre') b.add({ type: 'code', text: fillInserts(prepared, textContent(el), 'text') });
    else if (tag === 'blockquote' || tag === 'div') walkBlocks(el, b, ctx);
    else {
      // A paragraph (or anything else with text); a chart or diagram inside it becomes blocks at its place.
      const raw = inlineText(el);
      if (!raw.trim()) continue;
      const pieces = prepared.inserts.size ? raw.split(new RegExp(`(${prepared.token.source})`)) : [raw];
      let pending = '';
      const flush = () => {
        const { text, md } = fill(pending.trim());
        if (text.trim()) b.paragraph(text, md === text ? {} : { markdownSource: md });
        pending = '';
      };
      for (let i = 0; i < pieces.length; i++) {
        const piece = pieces[i]!;
        const insert = prepared.inserts.get(piece);
        if (insert?.kind === 'blocks') {
          flush();
          insert.add(b);
        } else if (!(i % 2 === 1 && !insert) ) pending += piece;
      }
      flush();
    }
  }
}

function inlineText(el: Element): string {
  let out = '';
  const walk = (n: Element) => {
    for (let c = n.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === 3) out += c.nodeValue ?? '';
      else if (c.nodeType === 1) {
        const e = c as Element;
        const tag = localName(e).toLowerCase();
        if (tag === 'br') out += '\n';
        else if (tag === 'img') continue; // pictures carry no document text; generated alt text would be noise
        else if (BLOCK_TAGS.has(tag)) {
          out += ' ';
          walk(e);
          out += ' ';
        } else walk(e);
      }
    }
  };
  walk(el);
  return out.replace(/[ \t\u00a0]+/g, ' ').replace(/ *\n */g, '\n').trim();
}

function listText(list: Element, ordered: boolean, depth: number, labels: ItemLabels): string {
  const lines: string[] = [];
  let n = 1;
  for (const li of childElements(list)) {
    if (localName(li).toLowerCase() !== 'li') continue;
    let own = '';
    const nested: string[] = [];
    for (let c = li.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === 1 && /^(ul|ol)$/i.test(localName(c as Element))) nested.push(listText(c as Element, localName(c as Element).toLowerCase() === 'ol', depth + 1, labels));
      else if (c.nodeType === 1) own += inlineText(c as Element) + ' ';
      else if (c.nodeType === 3) own += c.nodeValue ?? '';
    }
    const label = labels?.get(li);
    const marker = ordered ? (label || `${n}.`) : '-';
    n++;
    lines.push(`${'  '.repeat(depth)}${marker} ${own.replace(/\s+/g, ' ').trim()}`);
    lines.push(...nested.filter(Boolean));
  }
  return lines.join('\n');
}

/**
 * A table as a rectangular grid where a merged cell's text fills every position it spans (what Markdown and
 * structured rows need), and the same grid with spanned positions empty (for plain text, so merged text is
 * not repeated).
 */
function tableRows(table: Element): { grid: string[][]; once: string[][] } {
  const grid: string[][] = [];
  const once: string[][] = [];
  const rowElements: Element[] = [];
  const collect = (el: Element) => {
    for (const c of childElements(el)) {
      const tag = localName(c).toLowerCase();
      if (tag === 'tr') rowElements.push(c);
      else if (tag === 'thead' || tag === 'tbody' || tag === 'tfoot') collect(c);
    }
  };
  collect(table);
  rowElements.forEach((tr, r) => {
    grid[r] ??= [];
    let col = 0;
    for (const cell of childElements(tr).filter((c) => /^t[dh]$/i.test(localName(c)))) {
      while (grid[r]![col] !== undefined) col++;
      const text = inlineText(cell).replace(/\n/g, ' ');
      const colspan = Math.max(1, Number(cell.getAttribute('colspan')) || 1);
      const rowspan = Math.max(1, Number(cell.getAttribute('rowspan')) || 1);
      for (let dr = 0; dr < rowspan; dr++) {
        const row = (grid[r + dr] ??= []);
        const onceRow = (once[r + dr] ??= []);
        for (let dc = 0; dc < colspan; dc++) {
          row[col + dc] = text;
          onceRow[col + dc] = dr === 0 && dc === 0 ? text : '';
        }
      }
      col += colspan;
    }
  });
  const width = Math.max(0, ...grid.map((row) => row.length));
  const square = (rows: string[][]) => rows.map((row) => Array.from({ length: width }, (_, i) => row[i] ?? ''));
  return { grid: square(grid), once: square(once) };
}
