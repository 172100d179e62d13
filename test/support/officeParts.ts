/**
 * Minimal DOCX and PPTX parts for tests (zipped by zipBuilder.ts): just the parts the readers need, written as
 * Office writes them, so a test states only what it is about.
 */
export const NS = {
  w: 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"',
  p: 'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"',
  a: 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"',
  r: 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"',
  m: 'xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math"',
  dgm: 'xmlns:dgm="http://schemas.openxmlformats.org/drawingml/2006/diagram"',
  dsp: 'xmlns:dsp="http://schemas.microsoft.com/office/drawing/2008/diagram"',
  c: 'xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart"',
  mc: 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"',
  a14: 'xmlns:a14="http://schemas.microsoft.com/office/drawing/2010/main"',
  p188: 'xmlns:p188="http://schemas.microsoft.com/office/powerpoint/2018/8/main"',
};
const XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>';
const CONTENT_TYPES = `${XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`;

/** A relationships part: [id, target] pairs (the type is not read). */
export function rels(...pairs: Array<[string, string]>): string {
  return `${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${pairs.map(([id, target]) => `<Relationship Id="${id}" Type="t" Target="${target}"/>`).join('')}</Relationships>`;
}

/** A Word body with the given body XML (w, r, m, a namespaces declared). */
export function docxParts(body: string, over: Record<string, string | Buffer> = {}, documentRels: Array<[string, string]> = []): Record<string, string | Buffer> {
  return {
    '[Content_Types].xml': CONTENT_TYPES,
    '_rels/.rels': rels(['r1', 'word/document.xml']),
    'word/_rels/document.xml.rels': rels(...documentRels),
    'word/document.xml': `${XML}<w:document ${NS.w} ${NS.r} ${NS.m} ${NS.a}><w:body>${body}</w:body></w:document>`,
    ...over,
  };
}

export const wp = (text: string) => `<w:p><w:r><w:t xml:space="preserve">${text}</w:t></w:r></w:p>`;

/** A slide whose shape tree holds `shapes` (p, a, r namespaces declared). */
export function slide(shapes: string, extraNs = ''): string {
  return `${XML}<p:sld ${NS.p} ${NS.a} ${NS.r} ${extraNs}><p:cSld><p:spTree>${shapes}</p:spTree></p:cSld></p:sld>`;
}

/** A text box with one paragraph of `runs` (a:r… or other paragraph content). */
export const textBox = (runs: string) => `<p:sp><p:txBody><a:bodyPr/><a:p>${runs}</a:p></p:txBody></p:sp>`;
export const run = (text: string) => `<a:r><a:t>${text}</a:t></a:r>`;

/** A PPTX of the given slides (slideN.xml), with per-slide relationships in `slideRels[N-1]`; `over` adds parts. */
export function pptxParts(slides: string[], slideRels: Array<Array<[string, string]>> = [], over: Record<string, string | Buffer> = {}): Record<string, string | Buffer> {
  const parts: Record<string, string | Buffer> = {
    '[Content_Types].xml': CONTENT_TYPES,
    'ppt/presentation.xml': `${XML}<p:presentation ${NS.p} ${NS.r}><p:sldIdLst>${slides.map((_, i) => `<p:sldId id="${256 + i}" r:id="s${i + 1}"/>`).join('')}</p:sldIdLst></p:presentation>`,
    'ppt/_rels/presentation.xml.rels': rels(...slides.map((_, i): [string, string] => [`s${i + 1}`, `slides/slide${i + 1}.xml`])),
  };
  slides.forEach((s, i) => {
    parts[`ppt/slides/slide${i + 1}.xml`] = s;
    if (slideRels[i]?.length) parts[`ppt/slides/_rels/slide${i + 1}.xml.rels`] = rels(...slideRels[i]!);
  });
  return { ...parts, ...over };
}

/** A SmartArt data model: `nodes` are [id, text] points; `tree` are [parent id, child id, srcOrd] connections. */
export function diagramData(nodes: Array<[string, string]>, tree: Array<[string, string, number]>, drawingRelId?: string): string {
  const pts = [`<dgm:pt modelId="doc" type="doc"><dgm:t><a:p/></dgm:t></dgm:pt>`, ...nodes.map(([id, text]) => `<dgm:pt modelId="${id}"><dgm:prSet/><dgm:t><a:bodyPr/><a:p>${text ? run(text) : ''}</a:p></dgm:t></dgm:pt>`)];
  // Presentation points and their presOf connections carry no text of their own: they must not show up.
  pts.push('<dgm:pt modelId="pres1" type="pres"><dgm:prSet presName="x"/></dgm:pt>', '<dgm:pt modelId="sib" type="sibTrans"><dgm:t><a:p><a:r><a:t>not me</a:t></a:r></a:p></dgm:t></dgm:pt>');
  const cxns = tree.map(([src, dest, ord]) => `<dgm:cxn modelId="c-${dest}" srcId="${src}" destId="${dest}" srcOrd="${ord}" destOrd="0"/>`);
  cxns.push('<dgm:cxn modelId="p1" type="presOf" srcId="n1" destId="pres1" srcOrd="0" destOrd="0"/>');
  const ext = drawingRelId ? `<dgm:extLst><a:ext uri="http://schemas.microsoft.com/office/drawing/2008/diagram"><dsp:dataModelExt ${NS.dsp} relId="${drawingRelId}"/></a:ext></dgm:extLst>` : '';
  return `${XML}<dgm:dataModel ${NS.dgm} ${NS.a}><dgm:ptLst>${pts.join('')}</dgm:ptLst><dgm:cxnLst>${cxns.join('')}</dgm:cxnLst>${ext}</dgm:dataModel>`;
}

/** Office's cached diagram drawing: one positioned shape per text. */
export function diagramDrawing(texts: string[]): string {
  return `${XML}<dsp:drawing ${NS.dgm} ${NS.dsp} ${NS.a}><dsp:spTree>${texts.map((t) => `<dsp:sp modelId="x"><dsp:txBody><a:bodyPr/><a:p>${run(t)}</a:p></dsp:txBody></dsp:sp>`).join('')}</dsp:spTree></dsp:drawing>`;
}

/** The graphic data of a diagram (inside p:graphicFrame or wp:inline). */
export const diagramGraphic = (dm = 'dm') => `<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/diagram"><dgm:relIds ${NS.dgm} r:dm="${dm}" r:lo="lo" r:qs="qs" r:cs="cs"/></a:graphicData></a:graphic>`;
export const diagramFrame = (dm = 'dm') => `<p:graphicFrame><p:xfrm/>${diagramGraphic(dm)}</p:graphicFrame>`;
