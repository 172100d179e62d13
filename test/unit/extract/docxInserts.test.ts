import * as assert from 'node:assert/strict';
import { extract } from '../../../src/core';
import { diagramData, diagramGraphic, docxParts, NS, wp } from '../../support/officeParts';
import { useTempDir } from '../../support/tmp';
import { buildZip } from '../../support/zipBuilder';

const mr = (t: string) => `<m:r><m:t>${t}</m:t></m:r>`;
const sup = (base: string, s: string) => `<m:sSup><m:e>${mr(base)}</m:e><m:sup>${mr(s)}</m:sup></m:sSup>`;
const pythagoras = `<m:oMath>${sup('a', '2')}${mr('+')}${sup('b', '2')}${mr('=')}${sup('c', '2')}</m:oMath>`;
const wr = (t: string) => `<w:r><w:t xml:space="preserve">${t}</w:t></w:r>`;
const drawing = (graphic: string) => `<w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing">${graphic}</wp:inline></w:drawing></w:r>`;
const CHART = `<?xml version="1.0" encoding="UTF-8"?><c:chartSpace ${NS.c} ${NS.a}><c:chart><c:title><c:tx><c:rich><a:p><a:r><a:t>Sales</a:t></a:r></a:p></c:rich></c:tx></c:title><c:plotArea><c:barChart><c:ser><c:tx><c:v>2024</c:v></c:tx><c:cat><c:strCache><c:pt idx="0"><c:v>North</c:v></c:pt><c:pt idx="1"><c:v>South</c:v></c:pt></c:strCache></c:cat><c:val><c:numCache><c:pt idx="0"><c:v>10</c:v></c:pt><c:pt idx="1"><c:v>7</c:v></c:pt></c:numCache></c:val></c:ser></c:barChart></c:plotArea></c:chart></c:chartSpace>`;
const chartGraphic = `<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart"><c:chart ${NS.c} r:id="ch"/></a:graphicData></a:graphic>`;

describe('extract: what mammoth drops in DOCX, put back in place', () => {
  const tmp = useTempDir();

  it('an inline equation stays in its sentence: LaTeX in the Markdown, linear in the text', async () => {
    const body = `<w:p>${wr('The formula ')}${pythagoras}${wr(' is the Pythagorean theorem.')}</w:p>`;
    const doc = await extract(await tmp.write('eq.docx', buildZip(docxParts(body))));
    assert.equal(doc.text, 'The formula a^2+b^2=c^2 is the Pythagorean theorem.');
    assert.equal(doc.markdown.trim(), 'The formula $a^2+b^2=c^2$ is the Pythagorean theorem.');
  });

  it('display equations (m:oMathPara) are $$…$$; equations in table cells too', async () => {
    const frac = `<m:oMathPara><m:oMath><m:f><m:num>${mr('x')}</m:num><m:den>${mr('y+1')}</m:den></m:f></m:oMath></m:oMathPara>`;
    const cell = (x: string) => `<w:tc><w:p>${x}</w:p></w:tc>`;
    const table = `<w:tbl><w:tr>${cell(wr('Area'))}${cell(`<m:oMath>${mr('π')}${sup('r', '2')}</m:oMath>`)}</w:tr></w:tbl>`;
    const body = `${wp('Before:')}<w:p>${frac}</w:p>${table}`;
    const doc = await extract(await tmp.write('display.docx', buildZip(docxParts(body))));
    assert.equal(doc.text, 'Before:\n\nx/(y+1)\n\nArea\tπr^2');
    assert.match(doc.markdown, /Before:\n\n\$\$\\frac\{x\}\{y\+1\}\$\$\n\n\| Area \| \$\\pi r\^2\$ \|/);
    assert.deepEqual(doc.blocks.find((b) => b.type === 'table')?.rows, [['Area', 'πr^2']]);
  });

  it('a chart becomes its title, kind and data table at its place', async () => {
    const body = `${wp('Intro')}<w:p>${drawing(chartGraphic)}</w:p>${wp('Outro')}`;
    const parts = docxParts(body, { 'word/charts/chart1.xml': CHART }, [['ch', 'charts/chart1.xml']]);
    const doc = await extract(await tmp.write('chart.docx', buildZip(parts)));
    assert.equal(doc.text, 'Intro\n\nSales\n\nBar chart\n\n\t2024\nNorth\t10\nSouth\t7\n\nOutro');
    assert.deepEqual(doc.blocks.map((b) => b.type), ['paragraph', 'paragraph', 'paragraph', 'table', 'paragraph']);
  });

  it('a SmartArt diagram becomes a list at its place, splitting the paragraph it sits in', async () => {
    const data = diagramData([['n2', 'Second'], ['n1', 'First']], [['doc', 'n1', 0], ['doc', 'n2', 1]]);
    const body = `<w:p>${wr('See:')}${drawing(diagramGraphic())}${wr('Done.')}</w:p>`;
    const parts = docxParts(body, { 'word/diagrams/data1.xml': data }, [['dm', 'diagrams/data1.xml']]);
    const doc = await extract(await tmp.write('smart.docx', buildZip(parts)));
    assert.equal(doc.text, 'See:\n\n- First\n- Second\n\nDone.');
    assert.deepEqual(doc.blocks.map((b) => b.type), ['paragraph', 'list', 'paragraph']);
  });

  it('a damaged chart part costs the chart only (UNREADABLE_PART), and a document without any is passed through', async () => {
    const body = `${wp('Kept')}<w:p>${drawing(chartGraphic)}</w:p>`;
    const parts = docxParts(body, { 'word/charts/chart1.xml': '<c:chartSpace><c:chart>' }, [['ch', 'charts/chart1.xml']]);
    const doc = await extract(await tmp.write('bad-chart.docx', buildZip(parts)));
    assert.equal(doc.text, 'Kept');
    assert.match(doc.warnings.map((w) => `${w.code} ${w.message}`).join('\n'), /UNREADABLE_PART The part word\/charts\/chart1\.xml could not be read \(it is not well-formed XML/);
    const plain = await extract(await tmp.write('plain.docx', buildZip(docxParts(wp('1 ⟦brightrun-x-0⟧ 2')))));
    assert.equal(plain.text, '1 ⟦brightrun-x-0⟧ 2');
  });

  it('an equation straight in the body gets a paragraph; a diagram in mc:AlternateContent is read once', async () => {
    const data = diagramData([['n1', 'Only once']], [['doc', 'n1', 0]]);
    const alternate = `<mc:AlternateContent ${NS.mc}><mc:Choice Requires="wps">${drawing(diagramGraphic())}</mc:Choice><mc:Fallback>${drawing(diagramGraphic())}</mc:Fallback></mc:AlternateContent>`;
    const body = `<m:oMathPara><m:oMath>${mr('x=1')}</m:oMath></m:oMathPara><w:p>${alternate}</w:p>`;
    const parts = docxParts(body, { 'word/diagrams/data1.xml': data }, [['dm', 'diagrams/data1.xml']]);
    const doc = await extract(await tmp.write('alt.docx', buildZip(parts)));
    assert.equal(doc.text, 'x=1\n\n- Only once');
    assert.match(doc.markdown, /^\$\$x=1\$\$\n\n- Only once/);
  });
});
