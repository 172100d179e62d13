import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import CFB from 'cfb';
import { PdfBuilder } from './pdfBuilder';
import { zipEntries } from './zipBuilder';

/**
 * Whole documents generated for tests (the unit suite and the VS Code suite's workspaces), so that no test of a
 * format needs the public corpus: a DOCX, a PPTX, a multi-page PDF with a text layer, images OCR can read, and
 * image-only ("scanned") PDFs. The corpus suite (test/corpus) checks the same code on real-world files.
 */

const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
const P = 'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const coreXml = (title: string, author: string, lastModifiedBy = author) =>
  '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
  `<dc:title>${esc(title)}</dc:title><dc:creator>${esc(author)}</dc:creator><cp:lastModifiedBy>${esc(lastModifiedBy)}</cp:lastModifiedBy>` +
  '<dcterms:created xsi:type="dcterms:W3CDTF">2024-10-09T08:00:00Z</dcterms:created></cp:coreProperties>';

/** A Word document: a title, a heading, paragraphs, a numbered list and a table with a merged cell. */
export function docx(opts: { title?: string; author?: string; lastModifiedBy?: string } = {}): Buffer {
  const para = (text: string, style?: string, numPr = '') => `<w:p><w:pPr>${style ? `<w:pStyle w:val="${style}"/>` : ''}${numPr}</w:pPr><w:r><w:t xml:space="preserve">${esc(text)}</w:t></w:r></w:p>`;
  const item = (text: string) => para(text, 'ListParagraph', '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>');
  const cell = (text: string, span = 1) => `<w:tc>${span > 1 ? `<w:tcPr><w:gridSpan w:val="${span}"/></w:tcPr>` : ''}${para(text)}</w:tc>`;
  const body = [
    para('A day at the beach', 'Title'),
    para('Let’s swim!', 'Heading1'),
    para('The sea is calm today and the water is warm enough for a long swim along the coast.'),
    item('Wear sunglasses'),
    item('Bring a towel'),
    para('Tide table', 'Heading2'),
    `<w:tbl><w:tr>${cell('Time')}${cell('Height')}${cell('Note')}</w:tr><w:tr>${cell('Cell 1.0')}${cell('Merged Cell 1.1 1.2', 2)}</w:tr><w:tr>${cell('06:10')}${cell('1.2 m')}${cell('low')}</w:tr></w:tbl>`,
    para('Swim with a friend and stay between the flags.'),
  ].join('');
  return zipEntries({
    '[Content_Types].xml': '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    '_rels/.rels': `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r1" Type="${REL}/officeDocument" Target="word/document.xml"/><Relationship Id="r2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>`,
    'word/_rels/document.xml.rels': `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="s" Type="${REL}/styles" Target="styles.xml"/><Relationship Id="n" Type="${REL}/numbering" Target="numbering.xml"/></Relationships>`,
    'word/styles.xml': `<w:styles ${W}><w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style><w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/></w:style><w:style w:type="paragraph" w:styleId="ListParagraph"><w:name w:val="List Paragraph"/></w:style></w:styles>`,
    'word/numbering.xml': `<w:numbering ${W}><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>`,
    'word/document.xml': `<w:document ${W}><w:body>${body}</w:body></w:document>`,
    'docProps/core.xml': coreXml(opts.title ?? 'Beach day', opts.author ?? 'Christoph Auer', opts.lastModifiedBy ?? 'Maxim Lysak'),
  });
}

/** A PowerPoint deck: each slide a title and body lines; the first slide also a table. */
export function pptx(slides: Array<{ title: string; lines: string[] }> = [{ title: 'Adding a Bullet Slide', lines: ['Find the bullet slide layout', 'Use _TextFrame.text for first bullet', 'Use _TextFrame.add_paragraph() for subsequent bullets'] }, { title: 'Second slide', lines: ['More to say'] }], opts: { title?: string; author?: string; chart?: boolean } = {}): Buffer {
  const sp = (text: string, ph?: string) => `<p:sp><p:nvSpPr><p:nvPr>${ph ? `<p:ph type="${ph}"/>` : ''}</p:nvPr></p:nvSpPr><p:txBody>${text}</p:txBody></p:sp>`;
  const paras = (lines: string[]) => lines.map((l) => `<a:p><a:r><a:t>${esc(l)}</a:t></a:r></a:p>`).join('');
  const table = '<p:graphicFrame><a:graphic><a:graphicData><a:tbl><a:tr><a:tc><a:txBody><a:p><a:r><a:t>Column A</a:t></a:r></a:p></a:txBody></a:tc><a:tc><a:txBody><a:p><a:r><a:t>Column B</a:t></a:r></a:p></a:txBody></a:tc></a:tr><a:tr><a:tc><a:txBody><a:p><a:r><a:t>1</a:t></a:r></a:p></a:txBody></a:tc><a:tc><a:txBody><a:p><a:r><a:t>2</a:t></a:r></a:p></a:txBody></a:tc></a:tr></a:tbl></a:graphicData></a:graphic></p:graphicFrame>';
  const entries: Record<string, string> = {
    '[Content_Types].xml': '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    '_rels/.rels': `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r1" Type="${REL}/officeDocument" Target="ppt/presentation.xml"/></Relationships>`,
    'ppt/presentation.xml': `<p:presentation ${P} xmlns:r="${REL}"><p:sldIdLst>${slides.map((_, i) => `<p:sldId id="${256 + i}" r:id="rId${i + 1}"/>`).join('')}</p:sldIdLst></p:presentation>`,
    'ppt/_rels/presentation.xml.rels': `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${slides.map((_, i) => `<Relationship Id="rId${i + 1}" Type="${REL}/slide" Target="slides/slide${i + 1}.xml"/>`).join('')}</Relationships>`,
    'docProps/core.xml': coreXml(opts.title ?? 'Deck', opts.author ?? 'Ann'),
  };
  const chart = '<p:graphicFrame><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart"><c:chart xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" xmlns:r="' + REL + '" r:id="rIdChart"/></a:graphicData></a:graphic></p:graphicFrame>';
  slides.forEach((s, i) => {
    entries[`ppt/slides/slide${i + 1}.xml`] = `<p:sld ${P}><p:cSld><p:spTree>${sp(paras([s.title]), 'title')}${sp(paras(s.lines), 'body')}${i === 0 ? table : ''}${i === 0 && opts.chart ? chart : ''}</p:spTree></p:cSld></p:sld>`;
  });
  if (opts.chart) {
    entries['ppt/slides/_rels/slide1.xml.rels'] = `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdChart" Type="${REL}/chart" Target="../charts/chart1.xml"/></Relationships>`;
    const pt = (idx: number, v: string) => `<c:pt idx="${idx}"><c:v>${v}</c:v></c:pt>`;
    const ser = (name: string, values: string[]) => `<c:ser><c:tx><c:strRef><c:strCache><c:pt idx="0"><c:v>${name}</c:v></c:pt></c:strCache></c:strRef></c:tx><c:cat><c:strRef><c:strCache>${['2019', '2020', '2021'].map((y, k) => pt(k, y)).join('')}</c:strCache></c:strRef></c:cat><c:val><c:numRef><c:numCache>${values.map((v, k) => pt(k, v)).join('')}</c:numCache></c:numRef></c:val></c:ser>`;
    entries['ppt/charts/chart1.xml'] = `<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><c:chart><c:title><c:tx><c:rich><a:p><a:r><a:t>Wild Duck Observations by Year</a:t></a:r></a:p></c:rich></c:tx></c:title><c:plotArea><c:barChart>${ser('Freshwater Ducks', ['120', '135', '150'])}${ser('Saltwater Ducks', ['80', '90', '95'])}</c:barChart></c:plotArea></c:chart></c:chartSpace>`;
  }
  return zipEntries(entries);
}

const HELVETICA = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>';
const pdfString = (s: string) => `(${s.replace(/[\\()]/g, (c) => `\\${c}`)})`;

/** A PDF with a text layer: one heading and a few lines of prose per page, and an /Info dictionary. */
export function textPdf(pages: string[][], opts: { title?: string; producer?: string; compressed?: boolean } = {}): Buffer {
  const b = new PdfBuilder();
  const font = b.add(HELVETICA);
  for (const lines of pages) {
    const ops = lines.map((l, i) => (i === 0 ? `/F1 16 Tf ${pdfString(l)} Tj /F1 11 Tf T*` : `${pdfString(l)} Tj T*`)).join(' ');
    b.page(`BT 18 TL 72 720 Td ${ops} ET`, `<< /Font << /F1 ${font} 0 R >> >>`);
  }
  b.setInfo(`<< /Title ${pdfString(opts.title ?? 'Generated document')} /Producer ${pdfString(opts.producer ?? 'Bright Run test fixtures')} /CreationDate (D:20250124135915Z00'00') >>`);
  return b.build({ compressed: opts.compressed });
}

/** A five-page PDF, a heading and three lines a page. */
export function multiPagePdf(opts: { producer?: string; compressed?: boolean } = {}): Buffer {
  const pages = Array.from({ length: 5 }, (_, i) => [`Chapter ${i + 1}: The ${['harbour', 'lighthouse', 'market', 'river', 'station'][i]}`, `This is page ${i + 1} of a generated document with a text layer.`, 'Boats come in at dawn and leave again before the evening tide.', `Line three of page ${i + 1} closes the page.`]);
  return textPdf(pages, { title: 'Five pages', ...opts });
}

/** Lines of English prose for OCR inputs (common words, so recall is meaningful). */
export const OCR_LINES = [
  'This is a lot of 12 point text to test the',
  'OCR code and see if it works on all types',
  'of file format. The quick brown dog jumped',
  'over the lazy fox. The quick brown dog',
  'jumped over the lazy fox. The quick brown',
];

interface CanvasModule {
  createCanvas(w: number, h: number): {
    getContext(kind: '2d'): { fillStyle: string; font: string; textBaseline: string; fillRect(x: number, y: number, w: number, h: number): void; fillText(t: string, x: number, y: number): void; getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray }; translate(x: number, y: number): void; rotate(a: number): void };
    encode(kind: 'png'): Promise<Buffer>;
  };
}

/** Renders lines of text black on white (optionally rotated by 90/180/270°); the gray pixels and the PNG. */
export async function renderText(lines: string[], opts: { width?: number; fontPx?: number; rotate?: 0 | 90 | 180 | 270 } = {}): Promise<{ width: number; height: number; gray: Uint8Array; png: Buffer }> {
  // An optional dependency of the product (it rasterises PDF pages for OCR); always installed on dev machines.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createCanvas } = require('@napi-rs/canvas') as CanvasModule;
  const fontPx = opts.fontPx ?? 40;
  const lineH = Math.round(fontPx * 1.5);
  const w0 = opts.width ?? Math.round(fontPx * 24);
  const h0 = lineH * (lines.length + 2);
  const rotate = opts.rotate ?? 0;
  const [width, height] = rotate % 180 === 0 ? [w0, h0] : [h0, w0];
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.translate(width / 2, height / 2);
  ctx.rotate((rotate * Math.PI) / 180);
  ctx.translate(-w0 / 2, -h0 / 2);
  ctx.fillStyle = '#000000';
  ctx.font = `${fontPx}px "Liberation Serif", "DejaVu Serif", serif`;
  ctx.textBaseline = 'top';
  lines.forEach((l, i) => ctx.fillText(l, fontPx, lineH * (i + 1)));
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const gray = new Uint8Array(width * height);
  for (let i = 0; i < gray.length; i++) gray[i] = rgba[i * 4]!;
  return { width, height, gray, png: await canvas.encode('png') };
}

/** An image-only ("scanned") PDF: each page one full-page grayscale image of rendered text, no text layer. */
export async function scannedPdf(pages: string[][], opts: { fontPx?: number; rotate?: 0 | 180 } = {}): Promise<Buffer> {
  const b = new PdfBuilder();
  for (const lines of pages) {
    const img = await renderText(lines, { fontPx: opts.fontPx ?? 36, width: Math.round((opts.fontPx ?? 36) * 24), rotate: opts.rotate ?? 0 });
    const image = b.stream(deflateSync(img.gray), `/Type /XObject /Subtype /Image /Width ${img.width} /Height ${img.height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode`);
    const h = Math.round((540 * img.height) / img.width);
    b.page(`q 540 0 0 ${h} 36 ${756 - h} cm /Im1 Do Q`, `<< /XObject << /Im1 ${image} 0 R >> >>`);
  }
  return b.build();
}

/** A file cut short (a truncated download). */
export const truncate = (data: Buffer, keep = 0.6): Buffer => data.subarray(0, Math.floor(data.length * keep));

const PAD = Buffer.from('28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a', 'hex');
const md5 = (...parts: Buffer[]) => createHash('md5').update(Buffer.concat(parts)).digest();
const padded = (pw: string) => Buffer.concat([Buffer.from(pw, 'latin1'), PAD]).subarray(0, 32);

/** RC4, for the PDF standard security handler (not offered by every OpenSSL build). */
function rc4(key: Buffer, data: Buffer): Buffer {
  const s = Array.from({ length: 256 }, (_, i) => i);
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i]! + key[i % key.length]!) & 255;
    [s[i], s[j]] = [s[j]!, s[i]!];
  }
  const out = Buffer.alloc(data.length);
  for (let n = 0, i = 0, j = 0; n < data.length; n++) {
    i = (i + 1) & 255;
    j = (j + s[i]!) & 255;
    [s[i], s[j]] = [s[j]!, s[i]!];
    out[n] = data[n]! ^ s[(s[i]! + s[j]!) & 255]!;
  }
  return out;
}

/**
 * A one-page PDF encrypted with the standard security handler, revision 2 (40-bit RC4; PDF 1.7 §7.6.3,
 * algorithms 2–4). An empty user password makes an owner-password-only file that opens without one.
 */
export function encryptedPdf(text: string, passwords: { user: string; owner: string }): Buffer {
  const id = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
  const P = -44; // print and copy refused: the owner password matters
  const o = rc4(md5(padded(passwords.owner)).subarray(0, 5), padded(passwords.user));
  const p = Buffer.alloc(4);
  p.writeInt32LE(P);
  const key = md5(padded(passwords.user), o, p, id).subarray(0, 5);
  const u = rc4(key, PAD);
  const objKey = (num: number) => md5(key, Buffer.from([num & 255, (num >> 8) & 255, (num >> 16) & 255, 0, 0])).subarray(0, 10);
  const content = rc4(objKey(4), Buffer.from(`BT /F1 12 Tf 16 TL 72 720 Td ${text.split('\n').map((l) => `${pdfString(l)} Tj T*`).join(' ')} ET`, 'latin1'));
  const objects: Buffer[] = [
    Buffer.from('<< /Type /Catalog /Pages 2 0 R >>'),
    Buffer.from('<< /Type /Pages /Kids [3 0 R] /Count 1 >>'),
    Buffer.from('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>'),
    Buffer.concat([Buffer.from(`<< /Length ${content.length} >>\nstream\n`), content, Buffer.from('\nendstream')]),
    Buffer.from(HELVETICA),
    Buffer.from(`<< /Filter /Standard /V 1 /R 2 /O <${o.toString('hex')}> /U <${u.toString('hex')}> /P ${P} >>`),
  ];
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n')];
  const offsets: number[] = [];
  let at = parts[0]!.length;
  objects.forEach((body, i) => {
    offsets.push(at);
    const chunk = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), body, Buffer.from('\nendobj\n')]);
    parts.push(chunk);
    at += chunk.length;
  });
  const xref = `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((n) => `${String(n).padStart(10, '0')} 00000 n \n`).join('')}`;
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Encrypt 6 0 R /ID [<${id.toString('hex')}> <${id.toString('hex')}>] >>\nstartxref\n${at}\n%%EOF\n`));
  return Buffer.concat(parts);
}

/**
 * A \x05SummaryInformation property set ([MS-OLEPS] 2.21): code page 1252, CodePageStrings for title (2),
 * author (4) and last author (8), a FILETIME for created (12), and a 4-byte integer for security (19).
 */
export function summaryInformation(props: { title?: string; author?: string; lastModifiedBy?: string; created?: string; passwordProtected?: boolean }): Buffer {
  const entries: Array<[number, Buffer]> = [];
  const value = (type: number, body: Buffer) => {
    const b = Buffer.concat([Buffer.alloc(4), body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
    b.writeUInt32LE(type, 0);
    return b;
  };
  const str = (text: string) => {
    const bytes = Buffer.concat([Buffer.from(text, 'latin1'), Buffer.alloc(1)]);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(bytes.length);
    return value(0x1e, Buffer.concat([len, bytes]));
  };
  const int = (type: number, n: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32LE(n);
    return value(type, b);
  };
  entries.push([1, int(2, 1252)]);
  if (props.title) entries.push([2, str(props.title)]);
  if (props.author) entries.push([4, str(props.author)]);
  if (props.lastModifiedBy) entries.push([8, str(props.lastModifiedBy)]);
  if (props.created) {
    const ft = Buffer.alloc(8);
    ft.writeBigUInt64LE((BigInt(Date.parse(props.created)) + 11644473600000n) * 10000n);
    entries.push([12, value(0x40, ft)]);
  }
  if (props.passwordProtected !== undefined) entries.push([19, int(3, props.passwordProtected ? 1 : 0)]);
  const tableLen = 8 + entries.length * 8;
  const table = Buffer.alloc(tableLen);
  let at = tableLen;
  entries.forEach(([id, v], i) => {
    table.writeUInt32LE(id, 8 + i * 8);
    table.writeUInt32LE(at, 12 + i * 8);
    at += v.length;
  });
  table.writeUInt32LE(at, 0);
  table.writeUInt32LE(entries.length, 4);
  const header = Buffer.alloc(48);
  header.writeUInt16LE(0xfffe, 0);
  header.writeUInt32LE(1, 24); // one property set
  Buffer.from('e0859ff2f94f6810ab9108002b27b3d9', 'hex').copy(header, 28); // FMTID_SummaryInformation
  header.writeUInt32LE(48, 44);
  return Buffer.concat([header, table, ...entries.map(([, v]) => v)]);
}

/** A compound file (OLE2) of the given streams. */
function compoundFile(streams: Record<string, Buffer>): Buffer {
  const cfb = CFB.utils.cfb_new();
  for (const [name, data] of Object.entries(streams)) CFB.utils.cfb_add(cfb, name, data);
  return Buffer.from(CFB.write(cfb, { type: 'buffer' }) as Uint8Array);
}

/**
 * A Word 97–2003 document ([MS-DOC]): a FIB in the WordDocument stream whose Clx (in the 1Table stream) holds
 * one piece of UTF-16 text. Paragraphs end with \r; a table row is its cells, each ending with \x07.
 */
export function doc(paragraphs: string[], summary?: Parameters<typeof summaryInformation>[0]): Buffer {
  const text = `${paragraphs.join('\r')}\r`;
  const body = Buffer.from(text, 'utf16le');
  const fib = Buffer.alloc(0x800);
  fib.writeUInt16LE(0xa5ec, 0); // wIdent
  fib.writeUInt16LE(0x00c1, 2); // nFib (Word 97)
  fib.writeUInt16LE(0x0200, 0x0a); // fWhichTblStm: the table stream is 1Table
  fib.writeUInt32LE(0x800, 0x18); // fcMin
  fib.writeUInt32LE(0x800 + body.length, 0x1c); // fcMac
  fib.writeUInt32LE(text.length, 0x4c); // ccpText
  const clx = Buffer.alloc(1 + 4 + 8 + 8);
  clx.writeUInt8(2, 0); // Pcdt
  clx.writeUInt32LE(16, 1); // PlcPcd: 2 CPs + 1 PCD
  clx.writeUInt32LE(0, 5);
  clx.writeUInt32LE(text.length, 9);
  clx.writeUInt32LE(0x800, 15); // PCD: fc of UTF-16 text (bit 30 clear), after 2 bytes of flags
  fib.writeUInt32LE(0, 0x1a2); // fcClx
  fib.writeUInt32LE(clx.length, 0x1a6); // lcbClx
  return compoundFile({ WordDocument: Buffer.concat([fib, body]), '1Table': clx, ...(summary ? { '\u0005SummaryInformation': summaryInformation(summary) } : {}) });
}

/**
 * A PowerPoint 97–2003 presentation ([MS-PPT]): a Current User stream pointing at a UserEditAtom, its persist
 * directory, a Document whose slide list holds each slide's placeholder text (title, body), the slides, and a
 * notes page for the first slide.
 */
export function ppt(slides: Array<{ title: string; body: string; notes?: string }>, summary?: Parameters<typeof summaryInformation>[0]): Buffer {
  const rec = (type: number, body: Buffer, opts: { container?: boolean; instance?: number } = {}) => {
    const h = Buffer.alloc(8);
    h.writeUInt16LE(((opts.instance ?? 0) << 4) | (opts.container ? 0xf : 0), 0);
    h.writeUInt16LE(type, 2);
    h.writeUInt32LE(body.length, 4);
    return Buffer.concat([h, body]);
  };
  const u32 = (...ns: number[]) => {
    const b = Buffer.alloc(4 * ns.length);
    ns.forEach((n, i) => b.writeUInt32LE(n, i * 4));
    return b;
  };
  const textHeader = (kind: number) => rec(0x0f9f, u32(kind));
  // persist ids: 1 document, then per slide 2 + 2i (slide) and 3 + 2i (its notes)
  const slideList = Buffer.concat(
    slides.flatMap((s, i) => [rec(0x03f3, u32(2 + 2 * i, 0, 0, 0, 0)), textHeader(0), rec(0x0fa0, Buffer.from(s.title, 'utf16le')), textHeader(1), rec(0x0fa8, Buffer.from(s.body, 'latin1'))]),
  );
  const parts: Buffer[] = [];
  const offsets = new Map<number, number>();
  let at = 0;
  const put = (persistId: number | undefined, b: Buffer) => {
    if (persistId !== undefined) offsets.set(persistId, at);
    parts.push(b);
    at += b.length;
    return at - b.length;
  };
  put(1, rec(0x03e8, rec(0x0ff0, slideList, { container: true, instance: 0 }), { container: true }));
  slides.forEach((s, i) => {
    const slideAtom = Buffer.alloc(24);
    if (s.notes) slideAtom.writeUInt32LE(3 + 2 * i, 16); // notesIdRef
    put(2 + 2 * i, rec(0x03ee, rec(0x03ef, slideAtom), { container: true }));
    if (s.notes) put(3 + 2 * i, rec(0x03f0, Buffer.concat([textHeader(2), rec(0x0fa0, Buffer.from(s.notes, 'utf16le'))]), { container: true }));
  });
  const ids = [...offsets.keys()].sort((a, b) => a - b);
  const dirEntries: Buffer[] = [];
  for (const id of ids) dirEntries.push(u32(id | (1 << 20), offsets.get(id)!)); // one entry per id: first id, count 1
  const dirAt = put(undefined, rec(0x1772, Buffer.concat(dirEntries)));
  const edit = Buffer.alloc(28);
  edit.writeUInt32LE(0, 8); // offsetLastEdit: none
  edit.writeUInt32LE(dirAt, 12); // offsetPersistDirectory
  edit.writeUInt32LE(1, 16); // docPersistIdRef
  const editAt = put(undefined, rec(0x0ff5, edit));
  const current = rec(0x0ff6, Buffer.concat([u32(20, 0xe391c05f, editAt), Buffer.alloc(8)]));
  return compoundFile({ 'PowerPoint Document': Buffer.concat(parts), 'Current User': current, ...(summary ? { '\u0005SummaryInformation': summaryInformation(summary) } : {}) });
}
