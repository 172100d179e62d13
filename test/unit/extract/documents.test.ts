import * as assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import CFB from 'cfb';
import { extract, type BrightRunError, type ExtractedDocument } from '../../../src/core';
import { doc as wordDoc, docx, ppt, pptx, truncate } from '../../support/fixtures';
import { useTempDir } from '../../support/tmp';

const blockTexts = (doc: ExtractedDocument, type: string) => doc.blocks.filter((b) => b.type === type).map((b) => doc.text.slice(b.start, b.end));

/** A minimal ZIP (stored or deflated entries) for building test containers. */
function zip(entries: Record<string, Buffer | string>, opts: { lieAboutSize?: boolean } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(entries)) {
    const raw = Buffer.isBuffer(content) ? content : Buffer.from(content);
    const data = deflateRawSync(raw);
    const nameBuf = Buffer.from(name);
    const declared = opts.lieAboutSize && raw.length > 10 ? 10 : raw.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(declared, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(declared, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, data);
    centrals.push(central, nameBuf);
    offset += local.length + nameBuf.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(Object.keys(entries).length, 8);
  eocd.writeUInt16LE(Object.keys(entries).length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

describe('extract: office documents', () => {
  const tmp = useTempDir();
  const write = (name: string, content: string | Buffer) => tmp.write(name, content);


  it('DOCX: headings, lists, tables and core metadata', async () => {
    const doc = await extract(await write('word_sample.docx', docx()));
    assert.equal(doc.format, 'docx');
    assert.equal(doc.metadata.author, 'Christoph Auer');
    assert.equal(doc.metadata.lastModifiedBy, 'Maxim Lysak');
    assert.match(doc.metadata.created ?? '', /^2024-10-09/);
    assert.ok(blockTexts(doc, 'heading').includes('Let’s swim!'));
    assert.ok(blockTexts(doc, 'list').some((l) => /^1\. Wear sunglasses$/m.test(l)));
    assert.match(doc.markdown, /^# /m);
    const table = doc.blocks.find((b) => b.type === 'table')!;
    assert.ok(table.rows && table.rows.length > 1);
    assert.match(doc.markdown, /\| --- \|/);
    // Merged cells fill their whole span in rows and Markdown, but appear once in the plain text.
    assert.match(doc.markdown, /\| Cell 1\.0 \| Merged Cell 1\.1 1\.2 \| Merged Cell 1\.1 1\.2 \|/);
    assert.match(doc.text, /Cell 1\.0\tMerged Cell 1\.1 1\.2\n/);
  });

  it('DOCX: heading numbers in every format, with start overrides and numbering from styles', async () => {
    const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
    const heading = (style: string, text: string, numPr = '') => `<w:p><w:pPr><w:pStyle w:val="${style}"/>${numPr}</w:pPr><w:r><w:t>${text}</w:t></w:r></w:p>`;
    const lvl = (ilvl: number, fmt: string, text: string, start = 1) => `<w:lvl w:ilvl="${ilvl}"><w:start w:val="${start}"/><w:numFmt w:val="${fmt}"/><w:lvlText w:val="${text}"/></w:lvl>`;
    const file = await write(
      'numbered.docx',
      zip({
        '[Content_Types].xml': '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        '_rels/.rels': '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        'word/_rels/document.xml.rels': '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="s" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="n" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/></Relationships>',
        'word/styles.xml': `<w:styles ${W}><w:style w:type="paragraph" w:styleId="H1"><w:name w:val="heading 1"/><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style><w:style w:type="paragraph" w:styleId="H2"><w:name w:val="heading 2"/><w:basedOn w:val="H1"/><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr></w:pPr></w:style><w:style w:type="paragraph" w:styleId="H3"><w:name w:val="heading 3"/></w:style></w:styles>`,
        'word/numbering.xml': `<w:numbering ${W}><w:abstractNum w:abstractNumId="0">${lvl(0, 'upperRoman', '%1.')}${lvl(1, 'lowerLetter', '%1.%2)')}</w:abstractNum><w:abstractNum w:abstractNumId="1">${lvl(0, 'decimalZero', 'Part %1')}</w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="7"/></w:lvlOverride></w:num></w:numbering>`,
        'word/document.xml': `<w:document ${W}><w:body>${heading('H1', 'Intro')}${heading('H2', 'Scope')}${heading('H2', 'Terms')}${heading('H1', 'Method')}${heading('H2', 'Data')}${heading('H3', 'Appendix', '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="2"/></w:numPr>')}${heading('H3', 'Plain')}</w:body></w:document>`,
      }),
    );
    const doc = await extract(file);
    assert.deepEqual(
      doc.blocks.filter((b) => b.type === 'heading').map((b) => doc.text.slice(b.start, b.end)),
      ['I. Intro', 'I.a) Scope', 'I.b) Terms', 'II. Method', 'II.a) Data', 'Part 07 Appendix', 'Plain'],
    );
  });





  it('DOC: text with Unicode punctuation kept, tables, summary metadata', async () => {
    const file = await write('fake.doc', wordDoc(['Lorem ipsum dolor sit amet.', 'Quotes “as typed” – and a dash stay.', 'Name\x07Score\x07', 'Ann\x073\x07', 'The end.'], { title: 'Fake', author: 'Mr. Miagi', lastModifiedBy: 'Editor', created: '2024-01-02T03:04:05.000Z' }));
    const doc = await extract(file);
    assert.equal(doc.format, 'doc');
    assert.equal(doc.metadata.author, 'Mr. Miagi');
    assert.equal(doc.metadata.lastModifiedBy, 'Editor');
    assert.equal(doc.metadata.created, '2024-01-02T03:04:05.000Z');
    assert.match(doc.text, /Lorem ipsum dolor sit amet\./);
    assert.match(doc.text, /“as typed” – and/);
    const table = doc.blocks.find((b) => b.type === 'table')!;
    assert.deepEqual(table.rows, [['Name', 'Score'], ['Ann', '3']]);
    const protectedDoc = wordDoc(['Secret.']);
    // FibBase.fEncrypted set in the WordDocument stream: refused as password-protected, not read as garbage.
    const at = protectedDoc.indexOf(Buffer.from([0xec, 0xa5, 0xc1, 0x00]));
    protectedDoc.writeUInt16LE(protectedDoc.readUInt16LE(at + 0x0a) | 0x0100, at + 0x0a);
    await assert.rejects(extract(await write('locked.doc', protectedDoc)), (e: BrightRunError) => e.code === 'ENCRYPTED_FILE' && /Word/.test(e.message));
  });

  it('PPT: slide text from the binary format, notes after their slide', async () => {
    const file = await write('deck.ppt', ppt([{ title: 'Adding a Bullet Slide', body: 'Find the bullet slide layout\rUse the text frame', notes: 'Say this slowly.' }, { title: 'Second slide', body: 'More text' }], { title: 'Deck', author: 'Ann' }));
    const doc = await extract(file);
    assert.equal(doc.format, 'ppt');
    assert.equal(doc.metadata.slides, 2);
    assert.equal(doc.metadata.author, 'Ann');
    assert.deepEqual(blockTexts(doc, 'heading'), ['Adding a Bullet Slide', 'Second slide']);
    assert.deepEqual(doc.blocks.map((b) => [b.type, b.slide]), [['heading', 1], ['paragraph', 1], ['notes', 1], ['heading', 2], ['paragraph', 2]]);
    assert.match(doc.text, /Find the bullet slide layout\nUse the text frame/);
    assert.equal(doc.pages?.length, 2);
  });

  it('PPTX: slides in order with titles, bodies, tables and metadata', async () => {
    const doc = await extract(await write('slides.pptx', pptx([{ title: 'Quarterly numbers', lines: ['Revenue grew', 'Costs fell'] }])));
    assert.equal(doc.format, 'pptx');
    assert.equal(doc.metadata.slides, 1);
    assert.deepEqual(doc.blocks.map((b) => b.type), ['heading', 'paragraph', 'table']);
    assert.deepEqual(doc.blocks.find((b) => b.type === 'table')!.rows, [['Column A', 'Column B'], ['1', '2']]);
    assert.equal(doc.pages?.[0]?.number, 1);
    assert.match(doc.markdown, /<!-- slide 1 -->/);
    const two = await extract(await write('two.pptx', pptx()));
    assert.equal(two.metadata.slides, 2);
    assert.match(two.text, /Adding a Bullet Slide[\s\S]*Second slide/);
  });

  it('PPTX: charts become their title, kind and data table', async () => {
    const doc = await extract(await write('chart.pptx', pptx(undefined, { chart: true })));
    const table = doc.blocks.filter((b) => b.type === 'table').at(-1)!;
    assert.deepEqual(table.rows![0], ['', 'Freshwater Ducks', 'Saltwater Ducks']);
    assert.deepEqual(table.rows![1], ['2019', '120', '80']);
    assert.ok(blockTexts(doc, 'paragraph').includes('Wild Duck Observations by Year'));
    assert.ok(blockTexts(doc, 'paragraph').includes('Bar chart'));
  });

  it('PPTX: speaker notes follow their slide', async () => {
    const notesXml = '<p:notes xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><p:cSld><p:spTree><p:sp><p:nvSpPr><p:nvPr><p:ph type="body"/></p:nvPr></p:nvSpPr><p:txBody><a:p><a:r><a:t>Say this slowly.</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:notes>';
    const slide = (title: string, body: string) =>
      `<p:sld xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><p:cSld><p:spTree><p:sp><p:nvSpPr><p:nvPr><p:ph type="title"/></p:nvPr></p:nvSpPr><p:txBody><a:p><a:r><a:t>${title}</a:t></a:r></a:p></p:txBody></p:sp><p:grpSp><p:sp><p:txBody><a:p><a:r><a:t>${body}</a:t></a:r><a:br/><a:r><a:t>line two</a:t></a:r></a:p></p:txBody></p:sp></p:grpSp><p:sp><p:nvSpPr><p:nvPr><p:ph type="sldNum"/></p:nvPr></p:nvSpPr><p:txBody><a:p><a:r><a:t>99</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>`;
    const rel = (id: string, target: string) => `<Relationship Id="${id}" Target="${target}"/>`;
    const file = await write(
      'deck.pptx',
      zip({
        '[Content_Types].xml': '<Types/>',
        'ppt/presentation.xml': '<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><p:sldIdLst><p:sldId r:id="rId2"/><p:sldId r:id="rId1"/></p:sldIdLst></p:presentation>',
        'ppt/_rels/presentation.xml.rels': `<Relationships>${rel('rId1', 'slides/slide1.xml')}${rel('rId2', 'slides/slide2.xml')}</Relationships>`,
        'ppt/slides/slide1.xml': slide('Second', 'body two'),
        'ppt/slides/slide2.xml': slide('First', 'body one'),
        'ppt/slides/_rels/slide2.xml.rels': `<Relationships>${rel('rId9', '../notesSlides/notesSlide1.xml')}</Relationships>`,
        'ppt/notesSlides/notesSlide1.xml': notesXml,
        'docProps/core.xml': '<cp:coreProperties xmlns:cp="x" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Deck</dc:title><dc:creator>Ann</dc:creator></cp:coreProperties>',
      }),
    );
    const doc = await extract(file);
    assert.equal(doc.text, 'First\n\nbody one\nline two\n\nSay this slowly.\n\nSecond\n\nbody two\nline two');
    assert.deepEqual(doc.blocks.map((b) => [b.type, b.slide]), [['heading', 1], ['paragraph', 1], ['notes', 1], ['heading', 2], ['paragraph', 2]]);
    assert.equal(doc.metadata.title, 'Deck');
    assert.equal(doc.metadata.author, 'Ann');
    assert.equal(doc.pages?.length, 2);
  });



  it('refuses a truncated PPTX, a zip bomb, and a lying zip directory', async () => {
    await assert.rejects(extract(await write('truncated.pptx', truncate(pptx()))), (e: BrightRunError) => e.code === 'CORRUPT_FILE' && /truncated/.test(e.message));
    const bomb = await write('bomb.docx', zip({ '[Content_Types].xml': '<Types/>', 'word/document.xml': Buffer.alloc(50 * 1024 * 1024, 0x20) }));
    await assert.rejects(extract(bomb), (e: BrightRunError) => e.code === 'ZIP_BOMB' && /expands/.test(e.message));
    const liar = await write('liar.docx', zip({ '[Content_Types].xml': '<Types/>', 'word/document.xml': Buffer.alloc(100_000, 0x20) }, { lieAboutSize: true }));
    await assert.rejects(extract(liar), (e: BrightRunError) => e.code === 'ZIP_BOMB' && /beyond its declared size/.test(e.message));
    await assert.rejects(extract(await write('garbage.docx', zip({ 'word/document.xml': Buffer.alloc(200_000, 0x41) }))), (e: BrightRunError) => e.code === 'CORRUPT_FILE' && /document.xml/.test(e.message));
  });

  it('names unsupported zip and compound kinds', async () => {
    await assert.rejects(extract(await write('book.xlsx', zip({ '[Content_Types].xml': '<Types/>', 'xl/workbook.xml': '<x/>' }))), (e: BrightRunError) => e.code === 'UNSUPPORTED_FORMAT' && /Excel/.test(e.message));
    await assert.rejects(extract(await write('a.zip', zip({ 'readme.txt': 'hi' }))), (e: BrightRunError) => /ZIP archive/.test(e.message));
    await assert.rejects(extract(await write('a.odt', zip({ mimetype: 'application/vnd.oasis.opendocument.text', 'content.xml': '<x/>' }))), (e: BrightRunError) => /OpenDocument/.test(e.message));
  });

  it('recognises password-protected Office files', async () => {
    const cfb = CFB.utils.cfb_new();
    CFB.utils.cfb_add(cfb, 'EncryptionInfo', Buffer.from([4, 0, 4, 0]));
    CFB.utils.cfb_add(cfb, 'EncryptedPackage', Buffer.alloc(64, 1));
    const file = await write('secret.docx', Buffer.from(CFB.write(cfb, { type: 'buffer' }) as Uint8Array));
    await assert.rejects(extract(file), (e: BrightRunError) => e.code === 'ENCRYPTED_FILE' && /remove the password/.test(e.remedy));
    const xls = CFB.utils.cfb_new();
    CFB.utils.cfb_add(xls, 'Workbook', Buffer.alloc(64, 1));
    await assert.rejects(extract(await write('old.xls', Buffer.from(CFB.write(xls, { type: 'buffer' }) as Uint8Array))), (e: BrightRunError) => /Excel 97/.test(e.message));
    const broken = Buffer.alloc(1024);
    Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(broken);
    await assert.rejects(extract(await write('broken.doc', broken)), { code: 'CORRUPT_FILE' });
  });
});
