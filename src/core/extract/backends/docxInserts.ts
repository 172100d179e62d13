import type { Element, Node } from '@xmldom/xmldom';
import { randomBytes } from 'node:crypto';
import type { DocumentBuilder } from '../documentBuilder';
import type { OoxmlPackage } from '../ooxmlPackage';
import { descendants, localName } from '../xml';
import { readChart } from './ooxmlChart';
import { renderMath, type RenderedMath } from './omml';
import { diagramListText, isDiagramRelIds, readDiagram } from './smartArt';

const W_NS = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
const MAIN = 'word/document.xml';
/** Elements that hold paragraphs, not runs: a placeholder put there needs a paragraph of its own. */
const BLOCK_CONTAINERS = new Set(['body', 'tc', 'txbxContent', 'docPartBody', 'customXml']);

/** What mammoth does not read, put back where it was: an equation (inline), or blocks (a chart, a diagram). */
export type Insert =
  | { kind: 'math'; math: RenderedMath }
  | { kind: 'blocks'; /** The blocks' text, where only inline text fits (a table cell, a list item). */ text: string; add(b: DocumentBuilder): void };

/** word/document.xml as mammoth is to read it, and what its placeholders stand for. */
export interface PreparedBody {
  xml: string;
  inserts: Map<string, Insert>;
  /** Matches one placeholder (global). */
  token: RegExp;
}

/**
 * Equations (m:oMath, m:oMathPara) and the graphic data of charts and SmartArt diagrams — their use, not the
 * namespace declarations Word puts on every body's root.
 */
const WANTED = /<(?:[\w.-]+:)?oMath[\s>/]|uri="[^"]*drawingml\/2006\/(?:chart|diagram)"/;

/**
 * mammoth drops Office Math, charts and SmartArt. Before it reads the body, each equation (OMML, ECMA-376 Part 1
 * §22.1) and each drawing whose graphic data is a chart (§21.2) or a diagram (§21.4) is replaced by a run holding
 * a placeholder — a random nonce and a number, which no document text can match — and rendered here: the
 * equation as LaTeX and linear text (omml.ts), the chart's parts read as a title, kind and data table
 * (ooxmlChart.ts), the diagram's as a list (smartArt.ts). After conversion the placeholders are replaced where
 * mammoth put them, so each sits at its place in the text. Bodies without any of them are passed on as written
 * (one substring test); otherwise the body is parsed once more here (same memory check as for mammoth's own
 * parse) and serialized, and the DOM is dropped before mammoth starts. Chart and diagram parts are auxiliary:
 * damaged, they cost only themselves (UNREADABLE_PART).
 */
export function prepareWordBody(pkg: OoxmlPackage): PreparedBody {
  const nonce = randomBytes(6).toString('hex');
  const token = new RegExp(`\u27e6brightrun-${nonce}-\\d+\u27e7`, 'g');
  const inserts = new Map<string, Insert>();
  const text = pkg.text(MAIN, 'mammoth');
  if (!WANTED.test(text)) return { xml: text, inserts, token };
  const doc = pkg.body(MAIN, 'mammoth');
  const rels = pkg.relationships(MAIN, 'auxiliary');
  const place = (node: Element, insert: Insert) => {
    const id = `\u27e6brightrun-${nonce}-${inserts.size}\u27e7`;
    inserts.set(id, insert);
    const parentName = node.parentNode ? localName(node.parentNode as Element) : '';
    const t = doc.createElementNS(W_NS, 'w:t');
    t.setAttribute('xml:space', 'preserve');
    t.appendChild(doc.createTextNode(id));
    let replacement: Element = t;
    if (parentName !== 'r') {
      replacement = doc.createElementNS(W_NS, 'w:r');
      replacement.appendChild(t);
      if (BLOCK_CONTAINERS.has(parentName) || (parentName === 'sdtContent' && !insideParagraph(node))) {
        const p = doc.createElementNS(W_NS, 'w:p');
        p.appendChild(replacement);
        replacement = p;
      }
    }
    node.parentNode!.replaceChild(replacement, node);
  };
  for (const el of descendants(doc, 'graphicData')) {
    const uri = el.getAttribute('uri') ?? '';
    const insert = uri.endsWith('/chart') ? chartInsert(pkg, rels, el) : uri.endsWith('/diagram') ? diagramInsert(pkg, rels, el) : undefined;
    const holder = outermost(el, ['AlternateContent', 'drawing', 'pict', 'object']);
    if (insert && holder && attached(holder)) place(holder, insert);
  }
  for (const el of descendants(doc, 'oMathPara')) if (el.parentNode) place(el, { kind: 'math', math: renderMath(el) });
  for (const el of descendants(doc, 'oMath')) if (el.parentNode && !insideMath(el)) place(el, { kind: 'math', math: renderMath(el) });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { XMLSerializer } = require('@xmldom/xmldom') as typeof import('@xmldom/xmldom');
  return { xml: new XMLSerializer().serializeToString(doc), inserts, token };
}

/** The text with each placeholder replaced by its equation (linear or LaTeX) or its blocks' inline text. */
export function fillInserts(body: PreparedBody, text: string, form: 'text' | 'markdown'): string {
  if (!body.inserts.size) return text;
  return text.replace(body.token, (id) => {
    const insert = body.inserts.get(id);
    if (!insert) return '';
    if (insert.kind === 'blocks') return insert.text;
    return form === 'text' ? insert.math.text : insert.math.markdown;
  });
}

function chartInsert(pkg: OoxmlPackage, rels: Map<string, string>, data: Element): Insert | undefined {
  const ref = descendants(data, 'chart').map((c) => c.getAttribute('r:id')).find(Boolean);
  const part = ref ? rels.get(ref) : undefined;
  const doc = part ? pkg.auxiliary(part) : undefined;
  if (!doc) return undefined;
  const chart = readChart(doc);
  const text = [chart.title, chart.kind, ...chart.rows.map((r) => r.join(' '))].filter(Boolean).join('; ');
  return {
    kind: 'blocks',
    text,
    add: (b) => {
      if (chart.title) b.paragraph(chart.title);
      b.paragraph(chart.kind);
      if (chart.rows.length) b.table(chart.rows);
    },
  };
}

function diagramInsert(pkg: OoxmlPackage, rels: Map<string, string>, data: Element): Insert | undefined {
  const relIds = descendants(data, 'relIds').find(isDiagramRelIds);
  const items = relIds ? readDiagram(pkg, rels, relIds) : [];
  if (!items.length) return undefined;
  return { kind: 'blocks', text: items.map((i) => i.text).join('; '), add: (b) => b.add({ type: 'list', text: diagramListText(items) }) };
}

/** The outermost ancestor (or the node) with one of the names, below the paragraph. */
function outermost(el: Element, names: string[]): Element | undefined {
  let found: Element | undefined;
  for (let n: Node | null = el; n && n.nodeType === 1; n = n.parentNode) {
    const name = localName(n as Element);
    if (name === 'p' || name === 'body') break;
    if (names.includes(name)) found = n as Element;
  }
  return found;
}

/** Still in the document (not inside something already replaced, e.g. the Fallback of a replaced AlternateContent). */
function attached(el: Element): boolean {
  let n: Node | null = el;
  while (n.parentNode) n = n.parentNode;
  return n.nodeType === 9;
}

function insideMath(el: Element): boolean {
  for (let n = el.parentNode; n && n.nodeType === 1; n = n.parentNode) if (/^oMath(Para)?$/.test(localName(n as Element))) return true;
  return false;
}

function insideParagraph(el: Element): boolean {
  for (let n = el.parentNode; n && n.nodeType === 1; n = n.parentNode) if (localName(n as Element) === 'p') return true;
  return false;
}
