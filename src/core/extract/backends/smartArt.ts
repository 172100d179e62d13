import type { Document as XmlDocument, Element } from '@xmldom/xmldom';
import type { OoxmlPackage } from '../ooxmlPackage';
import { childElements, descendants, firstDescendant, localName } from '../xml';

/** One text of a diagram, at its depth in the diagram's hierarchy (0 = a top-level node). */
export interface DiagramItem {
  text: string;
  depth: number;
}

/** The point types that carry the diagram's own text (ECMA-376 Part 1 §21.4.7.2, ST_PtType). */
const TEXT_POINTS = new Set(['node', 'asst']);

/**
 * The text of a SmartArt diagram (DrawingML diagrams, ECMA-376 Part 1 §21.4), given the `dgm:relIds` element of
 * the graphic frame that shows it and the relationships of the part holding that frame (a slide, a Word body).
 *
 * The text lives in the diagram's data model (`r:dm` → `dgm:dataModel`, §21.4.3): its points (`dgm:pt`, text in
 * `dgm:t`) are ordered by the parent-of connections (`dgm:cxn` without a type, or `parOf`, §21.4.3.1), from the
 * document point down, each parent's children by `srcOrd` — the order the diagram reads in, which is not the
 * order of the point list. Points no connection reaches follow in list order. When the data model holds no
 * text (or is missing), Office's cached drawing (`dsp:drawing`, the part named by the data model's
 * `dsp:dataModelExt relId`, [MS-ODRAWXML] §2.3) gives its shapes' text in drawing order. Every part is read
 * through the package (memory budget; a damaged part is an UNREADABLE_PART warning and no text).
 */
export function readDiagram(pkg: OoxmlPackage, ownerRels: Map<string, string>, relIds: Element): DiagramItem[] {
  const dataPath = ownerRels.get(relIds.getAttribute('r:dm') ?? '');
  const data = dataPath ? pkg.auxiliary(dataPath) : undefined;
  const fromData = data ? dataModelItems(data) : [];
  if (fromData.length) return fromData;
  const ext = data ? firstDescendant(data, 'dataModelExt') : undefined;
  const drawingPath = ext ? ownerRels.get(ext.getAttribute('relId') ?? '') : undefined;
  const drawing = drawingPath ? pkg.auxiliary(drawingPath) : undefined;
  if (!drawing) return [];
  return descendants(drawing, 'sp')
    .map((sp) => childElements(sp).find((c) => localName(c) === 'txBody'))
    .map((body) => (body ? drawingText(body) : ''))
    .filter(Boolean)
    .map((text) => ({ text, depth: 0 }));
}

/** The diagram's items as list lines ("- text", two spaces a level), the form its block takes in the document. */
export function diagramListText(items: DiagramItem[]): string {
  return items.map((i) => `${'  '.repeat(Math.min(i.depth, 8))}- ${i.text.replace(/\s*\n\s*/g, ' ')}`).join('\n');
}

/** True for a `dgm:relIds` element (the graphic data of a diagram, §21.4.2.4). */
export function isDiagramRelIds(el: Element): boolean {
  return localName(el) === 'relIds' && !!el.namespaceURI?.endsWith('/diagram');
}

function dataModelItems(doc: XmlDocument): DiagramItem[] {
  const points = new Map<string, { type: string; text: string }>();
  const order: string[] = [];
  const ptLst = firstDescendant(doc, 'ptLst');
  for (const pt of ptLst ? childElements(ptLst).filter((c) => localName(c) === 'pt') : []) {
    const id = pt.getAttribute('modelId') ?? '';
    const t = childElements(pt).find((c) => localName(c) === 't');
    points.set(id, { type: pt.getAttribute('type') || 'node', text: t ? drawingText(t) : '' });
    order.push(id);
  }
  const children = new Map<string, Array<{ id: string; ord: number }>>();
  const cxnLst = firstDescendant(doc, 'cxnLst');
  for (const cxn of cxnLst ? childElements(cxnLst).filter((c) => localName(c) === 'cxn') : []) {
    const type = cxn.getAttribute('type') || 'parOf';
    if (type !== 'parOf') continue;
    const src = cxn.getAttribute('srcId') ?? '';
    const list = children.get(src) ?? [];
    list.push({ id: cxn.getAttribute('destId') ?? '', ord: Number(cxn.getAttribute('srcOrd')) || 0 });
    children.set(src, list);
  }
  const items: DiagramItem[] = [];
  const seen = new Set<string>();
  const visit = (id: string, depth: number) => {
    if (seen.has(id)) return; // a connection loop in a damaged model is read once
    seen.add(id);
    const pt = points.get(id);
    const isText = !!pt && TEXT_POINTS.has(pt.type);
    if (isText && pt.text) items.push({ text: pt.text, depth });
    const next = (children.get(id) ?? []).slice().sort((a, b) => a.ord - b.ord);
    for (const c of next) visit(c.id, pt?.type === 'doc' ? depth : depth + (isText ? 1 : 0));
  };
  for (const id of order) if (points.get(id)?.type === 'doc') visit(id, 0);
  for (const id of order) if (TEXT_POINTS.has(points.get(id)!.type)) visit(id, 0);
  return items;
}

/** Text of a DrawingML text body (a:p paragraphs of a:r/a:fld runs and a:br breaks), one line a paragraph. */
function drawingText(body: Element): string {
  const lines: string[] = [];
  for (const p of childElements(body).filter((c) => localName(c) === 'p')) {
    let text = '';
    const walk = (n: Element) => {
      for (const c of childElements(n)) {
        const name = localName(c);
        if (name === 't') text += c.textContent ?? '';
        else if (name === 'br') text += '\n';
        else if (name === 'r' || name === 'fld') walk(c);
      }
    };
    walk(p);
    if (text.trim()) lines.push(text.trim());
  }
  return lines.join('\n');
}
