import * as assert from 'node:assert/strict';
import CFB from 'cfb';
import { extract, type BrightRunError, type ExtractedDocument } from '../../../src/core';
import { useTempDir } from '../../support/tmp';
import { buildZip, eocd, zip64End, zipBody, type ZipPart } from '../../support/zipBuilder';

const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
const REL = (id: string, type: string, target: string) => `<Relationship Id="${id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/${type}" Target="${target}"/>`;
const RELS_NS = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"';
const para = (text: string) => `<w:p><w:r><w:t>${text}</w:t></w:r></w:p>`;
const wordDocument = (body: string) => `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document ${W}><w:body>${body}</w:body></w:document>`;
const CORE = '<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Report</dc:title><dc:creator>Ann</dc:creator></cp:coreProperties>';
const APP = '<?xml version="1.0" encoding="UTF-8"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>Microsoft Office Word</Application><Pages>2</Pages></Properties>';
const STYLES = `<?xml version="1.0" encoding="UTF-8"?><w:styles ${W}><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style></w:styles>`;

/** The parts of a small DOCX: a heading (style Heading1) and the given paragraphs; `over` replaces or adds parts. */
function docxParts(paragraphs: string[], over: Record<string, string | Buffer> = {}): Record<string, string | Buffer> {
  return {
    '[Content_Types].xml': '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    '_rels/.rels': `<?xml version="1.0" encoding="UTF-8"?><Relationships ${RELS_NS}>${REL('r1', 'officeDocument', 'word/document.xml')}</Relationships>`,
    'word/_rels/document.xml.rels': `<?xml version="1.0" encoding="UTF-8"?><Relationships ${RELS_NS}>${REL('s', 'styles', 'styles.xml')}${REL('n', 'numbering', 'numbering.xml')}</Relationships>`,
    'word/styles.xml': STYLES,
    'word/document.xml': wordDocument(`<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Findings</w:t></w:r></w:p>${paragraphs.map(para).join('')}`),
    'docProps/core.xml': CORE,
    'docProps/app.xml': APP,
    ...over,
  };
}

const P = 'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
const slideXml = (title: string, body: string, extra = '') =>
  `<?xml version="1.0" encoding="UTF-8"?><p:sld ${P}><p:cSld><p:spTree><p:sp><p:nvSpPr><p:nvPr><p:ph type="title"/></p:nvPr></p:nvSpPr><p:txBody><a:p><a:r><a:t>${title}</a:t></a:r></a:p></p:txBody></p:sp><p:sp><p:txBody><a:p><a:r><a:t>${body}</a:t></a:r></a:p></p:txBody></p:sp>${extra}</p:spTree></p:cSld></p:sld>`;
const chartFrame = '<p:graphicFrame><a:graphic><a:graphicData><c:chart xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" r:id="rc"/></a:graphicData></a:graphic></p:graphicFrame>';

/** The parts of a two-slide PPTX; slide 1 has notes and a chart. */
function pptxParts(over: Record<string, string | Buffer> = {}): Record<string, string | Buffer> {
  const rel = (id: string, target: string) => `<Relationship Id="${id}" Target="${target}"/>`;
  return {
    '[Content_Types].xml': '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    'ppt/presentation.xml': `<?xml version="1.0" encoding="UTF-8"?><p:presentation ${P}><p:sldIdLst><p:sldId r:id="rId1"/><p:sldId r:id="rId2"/></p:sldIdLst></p:presentation>`,
    'ppt/_rels/presentation.xml.rels': `<?xml version="1.0" encoding="UTF-8"?><Relationships ${RELS_NS}>${rel('rId1', 'slides/slide1.xml')}${rel('rId2', 'slides/slide2.xml')}</Relationships>`,
    'ppt/slides/slide1.xml': slideXml('Plan', 'First steps', chartFrame),
    'ppt/slides/_rels/slide1.xml.rels': `<?xml version="1.0" encoding="UTF-8"?><Relationships ${RELS_NS}>${rel('rn', '../notesSlides/notesSlide1.xml')}${rel('rc', '../charts/chart1.xml')}</Relationships>`,
    'ppt/notesSlides/notesSlide1.xml': `<?xml version="1.0" encoding="UTF-8"?><p:notes ${P}><p:cSld><p:spTree><p:sp><p:nvSpPr><p:nvPr><p:ph type="body"/></p:nvPr></p:nvSpPr><p:txBody><a:p><a:r><a:t>Speak slowly.</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:notes>`,
    'ppt/charts/chart1.xml': '<?xml version="1.0" encoding="UTF-8"?><c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart"><c:chart><c:plotArea><c:barChart/></c:plotArea></c:chart></c:chartSpace>',
    'ppt/slides/slide2.xml': slideXml('Results', 'It worked'),
    'docProps/core.xml': CORE,
    ...over,
  };
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const utf16 = (text: string, order: 'le' | 'be') => {
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  return order === 'le' ? le : Buffer.from(le).swap16();
};
const withBom = (parts: Record<string, string | Buffer>) => Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, Buffer.concat([BOM, Buffer.from(v)])]));
const unreadable = (doc: ExtractedDocument) => doc.warnings.filter((w) => w.code === 'UNREADABLE_PART').map((w) => w.message);
const rejectsWith = (code: string, pattern: RegExp) => (e: BrightRunError) => {
  assert.equal(e.code, code, e.message);
  assert.match(e.message, pattern);
  return true;
};

describe('extract: hostile Office packages', () => {
  const tmp = useTempDir();

  describe('one reading of a ZIP', () => {
    it('refuses a ZIP64 end record that points to a second central directory', async () => {
      // Checked directory: "Visible text". A second directory, reached only through ZIP64, holds another body.
      const first = zipBody(docxParts(['Visible text']));
      const base = first.local.length + first.central.length;
      const second = zipBody(docxParts(['Hidden text']), base);
      const cd2Offset = base + second.local.length;
      const z64At = cd2Offset + second.central.length;
      const classic = eocd(0xffff, first.central.length, first.local.length);
      const data = Buffer.concat([first.local, first.central, second.local, second.central, zip64End(second.count, second.central.length, cd2Offset, z64At), classic]);
      await assert.rejects(extract(await tmp.write('two-dirs.docx', data)), rejectsWith('CORRUPT_FILE', /classic and ZIP64 end records point to different central directories/));
    });

    it('reads an honest ZIP64 archive (all classic fields deferred to ZIP64)', async () => {
      const { local, central, count } = zipBody(docxParts(['Sixty-four bits']));
      const data = Buffer.concat([local, central, zip64End(count, central.length, local.length, local.length + central.length), eocd(0xffff, 0xffffffff, 0xffffffff)]);
      const doc = await extract(await tmp.write('z64.docx', data));
      assert.equal(doc.text, 'Findings\n\nSixty-four bits');
    });

    it('refuses ZIP64 extra fields that run past their record or lack a value, as CORRUPT_FILE', async () => {
      const parts = (extra: Buffer): ZipPart[] => Object.entries(docxParts(['x'])).map(([name, data]) => (name === 'word/document.xml' ? { name, data, centralUncompressed: 0xffffffff, centralExtra: extra } : { name, data }));
      const header = (size: number, body: number) => Buffer.concat([Buffer.from([1, 0, size & 0xff, size >> 8]), Buffer.alloc(body)]);
      await assert.rejects(extract(await tmp.write('past.docx', buildZip(parts(header(16, 4))))), rejectsWith('CORRUPT_FILE', /extra field of word\/document\.xml runs past its record/));
      await assert.rejects(extract(await tmp.write('short.docx', buildZip(parts(header(4, 4))))), rejectsWith('CORRUPT_FILE', /ZIP64 extra field of word\/document\.xml is too short/));
      await assert.rejects(extract(await tmp.write('none.docx', buildZip(parts(Buffer.alloc(0))))), rejectsWith('CORRUPT_FILE', /ZIP64 sizes of word\/document\.xml are missing/));
      // A directory cut off inside a record, and a record whose lengths run past the directory.
      const whole = buildZip(docxParts(['x']));
      const cut = Buffer.from(whole);
      cut.writeUInt16LE(0xffff, cut.length - 22 + 0); // not a signature any more: no end record is found
      await assert.rejects(extract(await tmp.write('cut.docx', cut)), rejectsWith('CORRUPT_FILE', /central directory is missing/));
      const long = Buffer.from(whole);
      const cdOffset = long.readUInt32LE(long.length - 6);
      long.writeUInt16LE(0xfff0, cdOffset + 32); // the first record's comment length
      await assert.rejects(extract(await tmp.write('long.docx', long)), rejectsWith('CORRUPT_FILE', /runs past the directory/));
    });

    it('refuses local headers that disagree with the directory, duplicate names and overlapping parts', async () => {
      const renamed = Object.entries(docxParts(['x'])).map(([name, data]): ZipPart => (name === 'word/document.xml' ? { name, data, localName: 'word/other.xml' } : { name, data }));
      await assert.rejects(extract(await tmp.write('renamed.docx', buildZip(renamed))), rejectsWith('CORRUPT_FILE', /local header of word\/document\.xml names another part/));
      const twice: ZipPart[] = [...Object.entries(docxParts(['x'])).map(([name, data]) => ({ name, data })), { name: 'word/document.xml', data: wordDocument(para('Other')) }];
      await assert.rejects(extract(await tmp.write('twice.docx', buildZip(twice))), rejectsWith('CORRUPT_FILE', /names the part word\/document\.xml twice/));
      const { local, central, count } = zipBody(docxParts(['x']));
      const overlapping = Buffer.from(central);
      overlapping.writeUInt32LE(0, overlapping.length - central.length + 42 + 46 + '[Content_Types].xml'.length); // 2nd record → 1st local header
      const data = Buffer.concat([local, overlapping, eocd(count, central.length, local.length)]);
      await assert.rejects(extract(await tmp.write('overlap.docx', data)), rejectsWith('CORRUPT_FILE', /local header of _rels\/\.rels names another part/));
    });
  });

  describe('budgets', () => {
    it('a package over the decompression budget is RESOURCE_LIMIT naming extract.maxDecompressedMB', async () => {
      const file = await tmp.write('big.docx', buildZip(docxParts(['y'.repeat(20_000)])));
      await assert.rejects(extract(file, { maxUncompressedBytes: 10_000 }), (e: BrightRunError) => {
        assert.equal(e.code, 'RESOURCE_LIMIT');
        assert.match(e.message, /decompression budget/);
        assert.match(e.remedy, /extract\.maxDecompressedMB/);
        return true;
      });
      assert.equal((await extract(file)).text.length, 'Findings\n\n'.length + 20_000);
    });

    it('a part whose parse would exceed the memory budget is RESOURCE_LIMIT naming extract.maxMemoryMB, before parsing', async () => {
      const docx = await tmp.write('wide.docx', buildZip(docxParts(['z'.repeat(200_000)])));
      await assert.rejects(extract(docx, { maxMemoryMB: 1 }), (e: BrightRunError) => {
        assert.equal(e.code, 'RESOURCE_LIMIT');
        assert.match(e.message, /word\/document\.xml .* memory/);
        assert.match(e.remedy, /extract\.maxMemoryMB/);
        return true;
      });
      // Dense markup: small in bytes, but each '<' is a DOM node.
      const dense = slideXml('Dense', 'x', '<p:sp/>'.repeat(40_000));
      const pptx = await tmp.write('dense.pptx', buildZip(pptxParts({ 'ppt/slides/slide2.xml': dense })));
      await assert.rejects(extract(pptx, { maxMemoryMB: 4 }), rejectsWith('RESOURCE_LIMIT', /ppt\/slides\/slide2\.xml/));
      assert.match((await extract(pptx)).text, /Dense/);
    });
  });

  describe('byte-order marks and UTF-16', () => {
    it('DOCX whose parts start with a UTF-8 BOM, or are UTF-16 with a BOM', async () => {
      const doc = await extract(await tmp.write('bom.docx', buildZip(withBom(docxParts(['Über café'])))));
      assert.equal(doc.text, 'Findings\n\nÜber café');
      assert.deepEqual(doc.blocks.map((b) => b.type), ['heading', 'paragraph']);
      assert.equal(doc.metadata.title, 'Report');
      assert.equal(doc.metadata.pages, 2);
      assert.deepEqual(unreadable(doc), []);
      const parts = docxParts(['Zweite Seite']);
      const doc16 = await extract(await tmp.write('utf16.docx', buildZip({ ...parts, 'word/document.xml': utf16(parts['word/document.xml'] as string, 'le'), 'word/styles.xml': utf16(STYLES, 'be'), 'docProps/core.xml': utf16(CORE, 'be') })));
      assert.equal(doc16.text, 'Findings\n\nZweite Seite');
      assert.equal(doc16.blocks[0]!.type, 'heading');
      assert.equal(doc16.metadata.author, 'Ann');
    });

    it('PPTX whose parts start with a UTF-8 BOM, or are UTF-16 with a BOM', async () => {
      const doc = await extract(await tmp.write('bom.pptx', buildZip(withBom(pptxParts()))));
      assert.equal(doc.text, 'Plan\n\nFirst steps\n\nBar chart\n\nSpeak slowly.\n\nResults\n\nIt worked');
      assert.equal(doc.metadata.title, 'Report');
      const doc16 = await extract(await tmp.write('utf16.pptx', buildZip(pptxParts({ 'ppt/slides/slide2.xml': utf16(slideXml('Ergebnisse', 'Es klappte'), 'le') }))));
      assert.match(doc16.text, /Ergebnisse\n\nEs klappte$/);
    });
  });

  describe('damaged parts', () => {
    it('DOCX: truncated properties and damaged styles/numbering cost only themselves, with UNREADABLE_PART', async () => {
      const doc = await extract(await tmp.write('damaged-aux.docx', buildZip(docxParts(['Body survives'], {
        'docProps/core.xml': CORE.slice(0, 120),
        'docProps/app.xml': APP.slice(0, APP.length - 20),
        'word/styles.xml': STYLES.replace('</w:styles>', '<w:style'),
        'word/numbering.xml': `<w:numbering ${W}><w:num>`,
      }))));
      assert.equal(doc.text, 'Findings\n\nBody survives');
      assert.equal(doc.metadata.title, undefined);
      const warned = unreadable(doc);
      for (const part of ['docProps/core.xml', 'docProps/app.xml', 'word/styles.xml', 'word/numbering.xml']) assert.ok(warned.some((m) => m.includes(`part ${part} `)), `${part}: ${warned.join(' | ')}`);
      assert.ok(warned.every((m) => !/xmldom|TypeError|RangeError|ParseError/.test(m)), warned.join(' | '));
    });

    it('DOCX: a damaged or DTD-declaring document.xml is CORRUPT_FILE naming it; a DTD in an auxiliary part is skipped', async () => {
      const parts = docxParts(['x']);
      const truncated = (parts['word/document.xml'] as string).slice(0, -30);
      await assert.rejects(extract(await tmp.write('cut-body.docx', buildZip({ ...parts, 'word/document.xml': truncated }))), (e: BrightRunError) => {
        assert.equal(e.code, 'CORRUPT_FILE');
        assert.match(e.message, /its part word\/document\.xml cannot be read \(it is not well-formed XML/);
        assert.match(e.remedy, /Word or LibreOffice/);
        return true;
      });
      const dtd = `<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><w:document ${W}><w:body>${para('&lol2;')}</w:body></w:document>`;
      await assert.rejects(extract(await tmp.write('dtd.docx', buildZip({ ...parts, 'word/document.xml': dtd }))), rejectsWith('CORRUPT_FILE', /word\/document\.xml cannot be read \(it declares a DTD/));
      const external = `<?xml version="1.0"?><!DOCTYPE cp:coreProperties SYSTEM "file:///etc/passwd">${CORE.replace(/^<\?xml[^>]*>/, '')}`;
      const doc = await extract(await tmp.write('dtd-core.docx', buildZip({ ...parts, 'docProps/core.xml': external })));
      assert.equal(doc.text, 'Findings\n\nx');
      assert.match(unreadable(doc).join(), /docProps\/core\.xml could not be read \(it declares a DTD/);
      await assert.rejects(extract(await tmp.write('root.docx', buildZip({ ...parts, 'word/document.xml': `<w:styles ${W}/>` }))), rejectsWith('CORRUPT_FILE', /not a Word document body/));
    });

    it('PPTX: a damaged slide is CORRUPT_FILE naming it; damaged notes, charts and properties are warnings', async () => {
      await assert.rejects(extract(await tmp.write('cut-slide.pptx', buildZip(pptxParts({ 'ppt/slides/slide2.xml': slideXml('A', 'B').slice(0, 200) })))), rejectsWith('CORRUPT_FILE', /its part ppt\/slides\/slide2\.xml cannot be read/));
      await assert.rejects(extract(await tmp.write('cut-pres.pptx', buildZip(pptxParts({ 'ppt/presentation.xml': '<p:presentation' })))), rejectsWith('CORRUPT_FILE', /ppt\/presentation\.xml/));
      const doc = await extract(await tmp.write('aux.pptx', buildZip(pptxParts({
        'ppt/notesSlides/notesSlide1.xml': '<p:notes><p:cSld>',
        'ppt/charts/chart1.xml': '\u0000garbage',
        'docProps/core.xml': CORE.slice(0, 60),
      }))));
      assert.equal(doc.text, 'Plan\n\nFirst steps\n\nResults\n\nIt worked');
      assert.equal(unreadable(doc).length, 3);
      assert.match(unreadable(doc).join(), /ppt\/charts\/chart1\.xml.*ppt\/notesSlides\/notesSlide1\.xml.*docProps\/core\.xml/);
    });
  });

  describe('compound files', () => {
    /** A v3 compound file with a WordDocument stream and two more, and where its directory starts. */
    function compound(): { data: Buffer; dir: number } {
      const cfb = CFB.utils.cfb_new();
      CFB.utils.cfb_add(cfb, 'WordDocument', Buffer.alloc(5000, 1));
      CFB.utils.cfb_add(cfb, '1Table', Buffer.alloc(600, 2));
      CFB.utils.cfb_add(cfb, 'Data', Buffer.alloc(100, 3));
      const data = Buffer.from(CFB.write(cfb, { type: 'buffer' }) as Uint8Array);
      return { data, dir: (data.readUInt32LE(0x30) + 1) * 512 };
    }
    /** A directory entry by name: entries are 128-byte records at 128-byte boundaries of directory sectors. */
    const entryNamed = (data: Buffer, _dir: number, name: string) => {
      for (let at = 512; at + 128 <= data.length; at += 128) if (data[at + 0x42] === 2 && data.toString('utf16le', at, at + name.length * 2) === name) return at;
      throw new Error(`no entry ${name}`);
    };

    it('a sibling cycle in the directory is CORRUPT_FILE, quickly', async () => {
      const { data, dir } = compound();
      const rootChild = data.readUInt32LE(dir + 0x4c);
      // The red-black tree's leaves get a left-sibling link back to the root's child.
      for (const name of ['WordDocument', '1Table', 'Data']) {
        const at = entryNamed(data, dir, name);
        if ((at - dir) / 128 !== rootChild && data.readUInt32LE(at + 0x44) === 0xffffffff) data.writeUInt32LE(rootChild, at + 0x44);
      }
      const started = Date.now();
      await assert.rejects(extract(await tmp.write('cycle.doc', data)), rejectsWith('CORRUPT_FILE', /directory tree has a cycle/));
      assert.ok(Date.now() - started < 2000);
    });

    it('out-of-range links, FAT loops and streams longer than their sectors are CORRUPT_FILE', async () => {
      const a = compound();
      a.data.writeUInt32LE(4000, entryNamed(a.data, a.dir, 'WordDocument') + 0x48);
      await assert.rejects(extract(await tmp.write('range.doc', a.data)), rejectsWith('CORRUPT_FILE', /links to entry 4000/));
      const b = compound();
      const start = b.data.readUInt32LE(entryNamed(b.data, b.dir, 'WordDocument') + 0x74);
      const fat = (b.data.readUInt32LE(0x4c) + 1) * 512;
      b.data.writeUInt32LE(start, fat + (start + 2) * 4); // the stream's third sector leads back to its first
      await assert.rejects(extract(await tmp.write('loop.doc', b.data)), rejectsWith('CORRUPT_FILE', /WordDocument" loops back on itself/));
      const c = compound();
      c.data.writeUInt32LE(50_000, entryNamed(c.data, c.dir, 'WordDocument') + 0x78);
      await assert.rejects(extract(await tmp.write('long.doc', c.data)), rejectsWith('CORRUPT_FILE', /WordDocument" is 50000 bytes but its sectors hold 5120/));
    });
  });
});
