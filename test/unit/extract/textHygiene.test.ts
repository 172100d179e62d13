import * as assert from 'node:assert/strict';
import { extract, type ExtractedDocument } from '../../../src/core';
import { PdfBuilder, utf16Hex } from '../../support/pdfBuilder';
import { useTempDir } from '../../support/tmp';
import { zipEntries } from '../../support/zipBuilder';

const FORBIDDEN = /[\p{Cc}\p{Noncharacter_Code_Point}\p{Cs}]/u;
const forbiddenIn = (s: string) => [...s].some((ch) => ch !== '\t' && ch !== '\n' && FORBIDDEN.test(ch));
const spans = (doc: ExtractedDocument) => doc.blocks.map((b) => doc.text.slice(b.start, b.end));
const removedCount = (doc: ExtractedDocument) => {
  const w = doc.warnings.find((x) => x.code === 'CONTROL_CHARS_REMOVED');
  return w ? Number(/^([\d,]+)/.exec(w.message)![1]!.replace(/,/g, '')) : 0;
};

/** Nothing forbidden anywhere in the document: text, Markdown, rows, metadata strings. */
function assertClean(doc: ExtractedDocument): void {
  assert.ok(!forbiddenIn(doc.text), `text: ${JSON.stringify(doc.text)}`);
  assert.ok(!forbiddenIn(doc.markdown), `markdown: ${JSON.stringify(doc.markdown)}`);
  for (const b of doc.blocks) for (const row of b.rows ?? []) for (const c of row) assert.ok(!forbiddenIn(c), `cell ${JSON.stringify(c)}`);
  for (const v of Object.values(doc.metadata)) for (const s of [v].flat()) if (typeof s === 'string') assert.ok(!forbiddenIn(s), `metadata ${JSON.stringify(s)}`);
}

const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
const P = 'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"';

describe('extract: no control characters reach a document', () => {
  const tmp = useTempDir();

  it('TXT: VT, FF and NEL become line breaks; other C0, DEL, C1 and noncharacters go', async () => {
    const source = 'First paragraph of plain prose,\u000bwith a vertical tab\u0001 and a bell\u0007.\r\n\r\nPage two\u000cstarts here\u0085after NEL, C1\u0080\u009b and DEL\u007f gone\ufffe.\n';
    const doc = await extract(await tmp.write('controls.txt', source));
    assert.equal(doc.format, 'txt');
    assert.equal(doc.text, 'First paragraph of plain prose,\nwith a vertical tab and a bell.\n\nPage two\nstarts here\nafter NEL, C1 and DEL gone.\n');
    assert.deepEqual(spans(doc), ['First paragraph of plain prose,\nwith a vertical tab and a bell.', 'Page two\nstarts here\nafter NEL, C1 and DEL gone.']);
    assert.equal(removedCount(doc), 6);
    assertClean(doc);
  });

  it('Markdown: heading spans and the title are measured on the clean text', async () => {
    const prose = 'A paragraph long enough that a few controls do not make the file look binary.';
    const doc = await extract(await tmp.write('notes.md', `# Ti\u0001tle\u0002\n\nSome\u001b[0m text. ${prose}\n\n- item\u0008 one\n`));
    assert.equal(doc.text, `# Title\n\nSome[0m text. ${prose}\n\n- item one\n`);
    assert.deepEqual(spans(doc), ['# Title', `Some[0m text. ${prose}`, '- item one']);
    assert.equal(doc.metadata.title, 'Title');
    assert.equal(removedCount(doc), 4);
    assertClean(doc);
  });

  it('CSV: controls leave the cells; FF and VT do not split rows', async () => {
    const doc = await extract(await tmp.write('t.csv', 'name,note\nann,hi\u0001there\nbob,"x\u000cy"\ncy,z\u000bw\u0085\n'));
    assert.equal(doc.text, 'name\tnote\nann\thithere\nbob\txy\ncy\tzw');
    assert.deepEqual(doc.blocks[0]!.rows, [['name', 'note'], ['ann', 'hithere'], ['bob', 'xy'], ['cy', 'zw']]);
    assert.equal(removedCount(doc), 4);
    assertClean(doc);
  });

  it('JSON and JSON Lines: raw control bytes go, escaped ones stay as written, record spans hold', async () => {
    const json = await extract(await tmp.write('d.json', '[{"a": "x\u0001y"},\u000c {"b": "\\u0001"}, "n\u0085"]'));
    assert.equal(json.format, 'json');
    assert.equal(json.text, '[{"a": "xy"}, {"b": "\\u0001"}, "n"]');
    assert.deepEqual(spans(json), ['{"a": "xy"}', '{"b": "\\u0001"}', '"n"']);
    assert.equal(removedCount(json), 3);
    assertClean(json);
    const jsonl = await extract(await tmp.write('d.jsonl', '{"a":"1\u0085"}\n{"b":2}\u000b\n{"c":"\u009b"}\n'));
    assert.equal(jsonl.format, 'jsonl');
    assert.equal(jsonl.text, '{"a":"1"}\n{"b":2}\n{"c":""}\n');
    assert.deepEqual(spans(jsonl), ['{"a":"1"}', '{"b":2}', '{"c":""}']);
    assert.equal(jsonl.metadata.recordCount, 3);
    assertClean(jsonl);
  });

  it('DOCX: character references and raw controls in runs, tables and properties', async () => {
    const run = (t: string) => `<w:p><w:r><w:t xml:space="preserve">${t}</w:t></w:r></w:p>`;
    const file = await tmp.write(
      'c.docx',
      zipEntries({
        '[Content_Types].xml': '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        '_rels/.rels': '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        'word/document.xml': `<w:document ${W}><w:body>${run('Esc&#x1b;ape and C1&#x85;&#x9b; refs')}${run('Raw\u0001 bytes\u007f and \ufffe')}<w:tbl><w:tr><w:tc>${run('cell&#x1b;one')}</w:tc><w:tc>${run('two')}</w:tc></w:tr></w:tbl></w:body></w:document>`,
        'docProps/core.xml': '<cp:coreProperties xmlns:cp="x" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Bad&#x1b; title</dc:title></cp:coreProperties>',
      }),
    );
    const doc = await extract(file);
    assert.equal(doc.format, 'docx');
    assertClean(doc);
    assert.equal(doc.text, 'Escape and C1\n refs\n\nRaw bytes and\n\ncellone\ttwo');
    assert.deepEqual(spans(doc), ['Escape and C1\n refs', 'Raw bytes and', 'cellone\ttwo']);
    assert.equal(doc.metadata.title, 'Bad title');
    assert.ok(removedCount(doc) >= 5);
  });

  it('PPTX: slide text, notes-free titles and page spans stay right', async () => {
    const slide = `<p:sld ${P}><p:cSld><p:spTree><p:sp><p:nvSpPr><p:nvPr><p:ph type="title"/></p:nvPr></p:nvSpPr><p:txBody><a:p><a:r><a:t>Ti&#x1b;tle\u0007</a:t></a:r></a:p></p:txBody></p:sp><p:sp><p:txBody><a:p><a:r><a:t>Body&#x0c;text&#x85;more\u0080</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>`;
    const file = await tmp.write(
      'c.pptx',
      zipEntries({
        '[Content_Types].xml': '<Types/>',
        'ppt/presentation.xml': '<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><p:sldIdLst><p:sldId r:id="rId1"/></p:sldIdLst></p:presentation>',
        'ppt/_rels/presentation.xml.rels': '<Relationships><Relationship Id="rId1" Target="slides/slide1.xml"/></Relationships>',
        'ppt/slides/slide1.xml': slide,
      }),
    );
    const doc = await extract(file);
    assertClean(doc);
    assert.equal(doc.text, 'Title\n\nBody\ntext\nmore');
    assert.deepEqual(spans(doc), ['Title', 'Body\ntext\nmore']);
    assert.equal(doc.text.slice(doc.pages![0]!.start, doc.pages![0]!.end), doc.text);
    assert.equal(removedCount(doc), 3);
  });

  it('PDF: text mapped to controls and noncharacters, and an Info title with controls', async () => {
    const b = new PdfBuilder();
    const chars = 'Hi\u0007\u0085\uffffyou';
    const entries = Array.from(chars).map((c, i) => `<${(i + 1).toString(16).padStart(4, '0')}> <${utf16Hex(c)}>`);
    const cmap = b.stream(`/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /T def 1 begincodespacerange <0000> <FFFF> endcodespacerange ${entries.length} beginbfchar ${entries.join(' ')} endbfchar endcmap end end`, '', true);
    const descendant = b.add('<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Test /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 500 >>');
    const font = b.add(`<< /Type /Font /Subtype /Type0 /BaseFont /Test /Encoding /Identity-H /DescendantFonts [${descendant} 0 R] /ToUnicode ${cmap} 0 R >>`);
    const codes = Array.from(chars, (_c, i) => (i + 1).toString(16).padStart(4, '0')).join('');
    b.page(`BT /F1 12 Tf 72 700 Td <${codes}> Tj ET`, `<< /Font << /F1 ${font} 0 R >> >>`);
    b.setInfo('<< /Title (Report\\007 one) >>');
    const doc = await extract(await tmp.write('c.pdf', b.build()));
    assertClean(doc);
    assert.match(doc.text, /^Hi\s*you$/);
    assert.equal(doc.metadata.title, 'Report one');
    assert.ok(removedCount(doc) >= 1);
  });
});
