import type { Document as XmlDocument, Element } from '@xmldom/xmldom';
import { BrightRunError } from '../../errors';
import type { BackendResult } from '../backendTypes';
import { DocumentBuilder } from '../documentBuilder';
import { readChart } from './ooxmlChart';
import { addComments, slideComments } from './ooxmlComments';
import { skippedTextWarning } from './ooxmlSkipped';
import { renderMath } from './omml';
import { diagramListText, isDiagramRelIds, readDiagram } from './smartArt';
import type { ExtractionWarning } from '../types';
import type { OoxmlPackage } from '../ooxmlPackage';
import { childElements, descendants, firstDescendant, localName, ooxmlMetadata } from '../xml';

const TITLE_PLACEHOLDERS = new Set(['title', 'ctrTitle']);
const SKIPPED_PLACEHOLDERS = new Set(['sldNum', 'dt', 'ftr', 'hdr']);

/**
 * PPTX: slides in presentation order (presentation.xml's slide list, resolved through its relationships),
 * each slide's shapes in drawing order — titles become headings, text boxes paragraphs, tables tables,
 * groups are entered, SmartArt diagrams become lists (smartArt.ts) — then the slide's speaker notes and
 * comments (classic and modern, with their authors; ooxmlComments.ts). Metadata from docProps. presentation.xml, its
 * relationships and the slides are the body (damaged: CORRUPT_FILE naming the part); a slide's relationships,
 * notes, charts and the properties are auxiliary (damaged: skipped with an UNREADABLE_PART warning).
 */
export function extractPptx(pkg: OoxmlPackage): Omit<BackendResult, 'backend'> {
  const { file } = pkg;
  if (!pkg.has('ppt/presentation.xml')) throw new BrightRunError({ code: 'CORRUPT_FILE', file, message: `${file} has no ppt/presentation.xml part.`, remedy: 'Open it in PowerPoint or LibreOffice and save it again.' });
  const warnings: ExtractionWarning[] = [];
  const presentation = pkg.body('ppt/presentation.xml');
  const rels = pkg.relationships('ppt/presentation.xml', 'body');
  const slidePaths = descendants(presentation, 'sldId')
    .map((el) => rels.get(el.getAttribute('r:id') ?? ''))
    .filter((p): p is string => !!p);
  const b = new DocumentBuilder();
  slidePaths.forEach((slidePath, i) => {
    const number = i + 1;
    b.beginPage(number, 'text-layer', `slide ${number}`);
    if (!pkg.has(slidePath)) warnings.push({ code: 'PAGE_FAILED', message: `Slide ${number} could not be read: its part ${slidePath} is missing.`, page: number });
    else {
      const slide = pkg.body(slidePath);
      const slideRels = pkg.relationships(slidePath, 'auxiliary');
      const tree = firstDescendant(slide, 'spTree');
      if (tree) walkShapes(tree, b, number, { pkg, rels: slideRels });
      const notesPath = [...slideRels.values()].find((t) => /notesSlides\/notesSlide\d+\.xml$/.test(t));
      const notesDoc = notesPath ? pkg.auxiliary(notesPath) : undefined;
      const notes = notesDoc ? notesText(notesDoc) : '';
      if (notes) b.add({ type: 'notes', text: notes, slide: number });
      addComments(b, slideComments(pkg, slideRels), { slide: number });
    }
    b.endPage();
  });
  const metadata = { ...ooxmlMetadata(pkg), slides: slidePaths.length };
  const skipped = b.text.trim() ? undefined : skippedTextWarning(pkg);
  if (skipped) warnings.push(skipped);
  return {
    ...b.result(),
    metadata,
    warnings: [...pkg.warnings, ...warnings],
  };
}

interface SlideContext {
  pkg: OoxmlPackage;
  /** The slide's relationships: id → part path (charts, notes). */
  rels: Map<string, string>;
}

function walkShapes(parent: Element, b: DocumentBuilder, slide: number, ctx: SlideContext): void {
  for (const el of childElements(parent)) {
    switch (localName(el)) {
      case 'sp': {
        const ph = firstDescendant(el, 'ph');
        const type = ph?.getAttribute('type') ?? '';
        if (SKIPPED_PLACEHOLDERS.has(type)) break;
        const body = childElements(el).find((c) => localName(c) === 'txBody');
        if (!body) break;
        const paras = paragraphs(body);
        const md = paras.some((p) => p.md !== p.text) ? { markdownSource: paras.map((p) => p.md).join(TITLE_PLACEHOLDERS.has(type) ? ' ' : '\n') } : {};
        if (TITLE_PLACEHOLDERS.has(type)) b.heading(paras.map((p) => p.text).join(' '), 2, { slide, ...md });
        else if (paras.length) b.paragraph(paras.map((p) => p.text).join('\n'), { slide, ...md });
        break;
      }
      case 'grpSp':
        walkShapes(el, b, slide, ctx);
        break;
      case 'graphicFrame': {
        const table = firstDescendant(el, 'tbl');
        if (table) {
          const cells = descendants(table, 'tr').map((tr) => childElements(tr).filter((c) => localName(c) === 'tc').map(paragraphs));
          const md = cells.some((r) => r.some((c) => c.some((p) => p.md !== p.text))) ? cells.map((r) => r.map((c) => c.map((p) => p.md).join(' '))) : undefined;
          b.table(cells.map((r) => r.map((c) => c.map((p) => p.text).join(' '))), { slide }, undefined, md);
        }
        const chartRef = descendants(el, 'chart').map((c) => c.getAttribute('r:id')).find(Boolean);
        const chartPath = chartRef ? ctx.rels.get(chartRef) : undefined;
        const chartDoc = chartPath ? ctx.pkg.auxiliary(chartPath) : undefined;
        if (chartDoc) {
          const chart = readChart(chartDoc);
          if (chart.title) b.paragraph(chart.title, { slide });
          b.paragraph(chart.kind, { slide });
          if (chart.rows.length) b.table(chart.rows, { slide });
        }
        const diagram = descendants(el, 'relIds').find(isDiagramRelIds);
        const items = diagram ? readDiagram(ctx.pkg, ctx.rels, diagram) : [];
        if (items.length) b.add({ type: 'list', text: diagramListText(items), slide });
        break;
      }
      case 'AlternateContent': {
        const choice = childElements(el).find((c) => localName(c) === 'Choice') ?? childElements(el).find((c) => localName(c) === 'Fallback');
        if (choice) walkShapes(choice, b, slide, ctx);
        break;
      }
      default:
        break;
    }
  }
}

/** A paragraph's text, and its Markdown source when it holds equations (LaTeX there, linear text here). */
interface Para {
  text: string;
  md: string;
}

/** Text of each a:p under a node: runs (a:t), fields (a:fld), line breaks (a:br) and equations (a14:m, omml.ts). */
function paragraphs(node: Element): Para[] {
  const out: Para[] = [];
  for (const p of descendants(node, 'p')) {
    if (p.namespaceURI && !p.namespaceURI.includes('drawingml')) continue;
    let text = '';
    let md = '';
    const walk = (n: Element) => {
      for (const c of childElements(n)) {
        const name = localName(c);
        if (name === 't') {
          text += c.textContent ?? '';
          md += c.textContent ?? '';
        } else if (name === 'br') {
          text += '\n';
          md += '\n';
        } else if (name === 'r' || name === 'fld') walk(c);
        else if (name === 'AlternateContent') {
          const choice = childElements(c).find((x) => localName(x) === 'Choice') ?? childElements(c).find((x) => localName(x) === 'Fallback');
          if (choice) walk(choice);
        } else if (name === 'm') {
          // PowerPoint's equations (a14:m in mc:AlternateContent's Choice): m:oMathPara or m:oMath inside.
          for (const math of childElements(c).filter((e) => /^oMath(Para)?$/.test(localName(e)))) {
            const r = renderMath(math);
            text += r.text;
            md += r.markdown;
          }
        }
      }
    };
    walk(p);
    if (text.trim()) out.push({ text: text.trim(), md: md.trim() });
  }
  return out;
}

function paragraphTexts(node: Element): string[] {
  return paragraphs(node).map((p) => p.text);
}

function notesText(notes: XmlDocument): string {
  const tree = firstDescendant(notes, 'spTree');
  if (!tree) return '';
  const parts: string[] = [];
  for (const sp of descendants(tree, 'sp')) {
    const type = firstDescendant(sp, 'ph')?.getAttribute('type');
    if (type !== 'body') continue;
    parts.push(...paragraphTexts(sp));
  }
  return parts.join('\n').trim();
}
