import * as CFB from 'cfb';
import fc from 'fast-check';
import { deflateSync } from 'node:zlib';
import { PdfBuilder } from './pdfBuilder';
import { buildZip, eocd, zip64End, zipBody } from './zipBuilder';

/**
 * Structure-aware generators of hostile documents for the fuzzing suite (test/unit/fuzz): each produces files
 * that are mostly well-formed where a parser looks first, and hostile where it goes next — the classes of
 * docs/threat-model.md. A generated input is `{ name, data }`; the name's extension is chosen to agree or
 * disagree with the content, since detection must go by content.
 */
export interface HostileInput {
  name: string;
  data: Buffer;
  /** What the generator built, for the failure report. */
  what: string;
}

const latin1 = (s: string) => Buffer.from(s, 'latin1');

/** Byte-level damage applied on top of a structured input: none, truncation, flipped bytes or a spliced run. */
function damage(data: Buffer, how: { kind: number; at: number; len: number; byte: number }): Buffer {
  const at = data.length ? how.at % data.length : 0;
  switch (how.kind % 6) {
    case 0:
    case 1:
    case 2:
      return data; // most inputs keep their structure, so the parsers get past their first checks
    case 3:
      return data.subarray(0, Math.max(1, at));
    case 4: {
      const copy = Buffer.from(data);
      for (let i = 0; i < how.len % 16; i++) copy[(at + i * 7919) % copy.length] = (how.byte + i) & 255;
      return copy;
    }
    default:
      return Buffer.concat([data.subarray(0, at), Buffer.alloc(how.len % 4096, how.byte), data.subarray(at)]);
  }
}

const damageArb = fc.record({ kind: fc.nat(), at: fc.nat(), len: fc.nat(), byte: fc.nat(255) });

// ── text ───────────────────────────────────────────────────────────────────────────────────────────

/** Runs that make backtracking regular expressions explode: long runs of one of ' #*_|`\t', then a letter. */
const pathologicalRun = fc.tuple(fc.constantFrom(' ', '#', '*', '_', '|', '`', '\t', '-', '=', '>', '\\', '[', '.'), fc.integer({ min: 1, max: 60_000 }), fc.constantFrom('a', '', '\n', '#', ' x')).map(([c, n, tail]) => c.repeat(n) + tail);
/** C0, C1, DEL, noncharacters, lone surrogates, BOMs and bidi controls. */
const nastyChar = fc.constantFrom('\u0000', '\u0001', '\u0008', '\u000b', '\u000c', '\u001b', '\u007f', '\u0085', '\u009b', '\ufffe', '\uffff', '\ufdd0', '\ud800', '\udfff', '\ufeff', '\u202e', '\u2028', '\r', '\r\n', '\n', '\t', '\u{1fffe}', '\u{10ffff}');
const textPiece = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 200 }) },
  { weight: 2, arbitrary: pathologicalRun },
  { weight: 2, arbitrary: fc.array(nastyChar, { maxLength: 20 }).map((a) => a.join('')) },
  { weight: 1, arbitrary: fc.constantFrom('# Heading\n', '| a | b |\n|---|---|\n', '```\ncode\n```\n', 'a,b,c\n1,2,3\n', '{"k": "v"}\n', '* item\n', '> quote\n') },
);

export const hostileText: fc.Arbitrary<HostileInput> = fc
  .tuple(fc.array(textPiece, { minLength: 1, maxLength: 12 }), fc.constantFrom('utf8', 'utf8bom', 'utf16le', 'latin1', 'utf8-stray'), fc.constantFrom('.txt', '.md', '.csv', '.json', '.jsonl', '.tsv', ''), fc.nat(255))
  .map(([pieces, encoding, ext, stray]) => {
    const text = pieces.join('');
    let data: Buffer;
    if (encoding === 'utf8bom') data = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    else if (encoding === 'utf16le') data = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    else if (encoding === 'latin1') data = latin1(text.replace(/[^\u0000-\u00ff]/g, '?'));
    else if (encoding === 'utf8-stray') {
      const b = Buffer.from(text);
      data = Buffer.concat([b.subarray(0, b.length >> 1), Buffer.from([0x80 | (stray & 0x7f)]), b.subarray(b.length >> 1)]);
    } else data = Buffer.from(text);
    return { name: `doc${ext}`, data: data.length ? data : Buffer.from('x'), what: `text ${encoding} ${ext} ${data.length} B` };
  });

// ── PDF ────────────────────────────────────────────────────────────────────────────────────────────

const pdfNumber = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.constantFrom(0, 1e9, -1e9, 3.4e38, 1e-30, 99999999), fc.double({ noNaN: true, min: -1e6, max: 1e6 }));
const pdfStringBytes = fc.uint8Array({ maxLength: 40 }).map((b) => `<${Buffer.from(b).toString('hex')}>`);
const contentOp = fc.oneof(
  pdfStringBytes.map((s) => `${s} Tj`),
  fc.tuple(pdfStringBytes, pdfNumber, pdfStringBytes).map(([a, n, b]) => `[${a} ${n} ${b}] TJ`),
  fc.tuple(fc.constantFrom('/F1', '/F2', '/F3', '/Missing'), pdfNumber).map(([f, n]) => `${f} ${n} Tf`),
  fc.tuple(pdfNumber, pdfNumber).map(([x, y]) => `${x} ${y} Td`),
  fc.array(pdfNumber, { minLength: 6, maxLength: 6 }).map((m) => `${m.join(' ')} cm`),
  fc.array(pdfNumber, { minLength: 6, maxLength: 6 }).map((m) => `${m.join(' ')} Tm`),
  fc.constantFrom('BT', 'ET', 'q', 'Q', 'Q Q Q', 'T*', '/Im1 Do', '/Fm1 Do', '/Im2 Do', '0 0 m 100 100 l S', '1 Tr', '(\\000\\001\\033) Tj', 'BI /W 4 /H 4 /BPC 8 /CS /G ID xxxxxxxxxxxxxxxx EI', 'BI /W 99999 /H 99999 /BPC 8 /CS /G ID x EI'),
);

/** A simple font with a custom encoding and no ToUnicode, or a Type3 font, or a standard one. */
const fontDict = fc.oneof(
  fc.constant('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>'),
  fc.array(fc.constantFrom('/g1', '/a97', '/uni0001', '/glyph42', '/.notdef', '/space', '/A', '/cid00012', '/uniD800', '/u1FFFE', '/controlSTX'), { minLength: 1, maxLength: 20 }).map(
    (names) => `<< /Type /Font /Subtype /Type1 /BaseFont /ABCDEF+Custom /FirstChar 0 /LastChar 255 /Encoding << /Type /Encoding /Differences [0 ${names.join(' ')}] >> >>`,
  ),
  fc.constant('<< /Type /Font /Subtype /Type3 /FontBBox [0 0 1 1] /FontMatrix [0.001 0 0 0.001 0 0] /CharProcs << >> /Encoding << /Differences [0 /a /b] >> /FirstChar 0 /LastChar 1 /Widths [500 500] >>'),
  fc.constant('<< /Type /Font /Subtype /TrueType /BaseFont /Arial /FirstChar 0 /LastChar 0 /Widths [500] >>'),
);

/** Streams that decode to far more than they hold. */
const deflatedZeros = new Map<number, Buffer>();
/** Deflated runs of zeros, made once per size (deflating 64 MB takes ~100 ms). */
function zerosDeflated(mb: number): Buffer {
  let z = deflatedZeros.get(mb);
  if (!z) deflatedZeros.set(mb, (z = deflateSync(Buffer.alloc(mb * 1048576), { level: 9 })));
  return z;
}
const bombStream = fc.tuple(fc.constantFrom('flate', 'flate2', 'lzw-ish'), fc.constantFrom(1, 8, 40, 64)).map(([kind, mb]) => {
  if (kind === 'flate') return { dict: '/Filter /FlateDecode', data: zerosDeflated(mb) };
  if (kind === 'flate2') return { dict: '/Filter [/FlateDecode /FlateDecode]', data: deflateSync(zerosDeflated(mb), { level: 9 }) };
  return { dict: '/Filter /LZWDecode', data: Buffer.from([0x80, 0x0b, 0x60, 0x50, 0x22, 0x0c, 0x0c, 0x85, 0x01]) };
});

export const hostilePdf: fc.Arbitrary<HostileInput> = fc
  .record({
    pages: fc.array(fc.record({ ops: fc.array(contentOp, { maxLength: 25 }), box: fc.oneof(fc.constant('[0 0 612 792]'), fc.tuple(pdfNumber, pdfNumber).map(([w, h]) => `[0 0 ${w} ${h}]`), fc.constant('[0 0 14400 14400]')) }), { minLength: 1, maxLength: 6 }),
    blank: fc.integer({ min: 0, max: 200 }),
    fonts: fc.array(fontDict, { minLength: 3, maxLength: 3 }),
    image: fc.tuple(fc.integer({ min: 1, max: 200_000 }), fc.integer({ min: 1, max: 200_000 })),
    bomb: fc.option(bombStream, { nil: undefined }),
    compressed: fc.boolean(),
    damage: damageArb,
  })
  .map((r) => {
    const b = new PdfBuilder();
    const image = b.stream(Buffer.alloc(64, 0x7f), `/Type /XObject /Subtype /Image /Width ${r.image[0]} /Height ${r.image[1]} /BitsPerComponent 8 /ColorSpace /DeviceGray`);
    const bomb = r.bomb ? b.add('null') : undefined;
    if (bomb !== undefined && r.bomb) {
      b.set(bomb, `<< /Type /XObject /Subtype /Form /BBox [0 0 10 10] /Length ${r.bomb.data.length} ${r.bomb.dict} >>`);
    }
    const form = bomb !== undefined && r.bomb ? bomb : b.stream('BT /F1 12 Tf (form) Tj ET', '/Type /XObject /Subtype /Form /BBox [0 0 100 100]');
    const fonts = r.fonts.map((f) => b.add(f));
    const resources = `<< /Font << /F1 ${fonts[0]} 0 R /F2 ${fonts[1]} 0 R /F3 ${fonts[2]} 0 R >> /XObject << /Im1 ${image} 0 R /Fm1 ${form} 0 R /Im2 ${image} 0 R >> >>`;
    for (const p of r.pages) {
      const num = b.page(p.ops.join('\n'), resources);
      b.set(num, (b as unknown as { objects: string[] }).objects[num]!.replace('[0 0 612 792]', p.box));
    }
    for (let i = 0; i < r.blank; i++) b.page('', '<< >>');
    let data = b.build({ compressed: r.compressed });
    if (bomb !== undefined && r.bomb) data = spliceStream(data, bomb, r.bomb.data);
    return { name: 'doc.pdf', data: damage(data, r.damage), what: `pdf ${r.pages.length}+${r.blank} pages, image ${r.image.join('×')}, bomb ${r.bomb ? r.bomb.dict : 'none'}, damage ${r.damage.kind % 6}` };
  });

/** Replaces the (empty) body of object `num` by a stream with `data` — the builder writes it as a plain object. */
function spliceStream(pdf: Buffer, num: number, data: Buffer): Buffer {
  const marker = latin1(`${num} 0 obj\n`);
  const at = pdf.indexOf(marker);
  if (at < 0) return pdf;
  const end = pdf.indexOf(latin1('\nendobj\n'), at);
  return Buffer.concat([pdf.subarray(0, end), latin1('\nstream\n'), data, latin1('\nendstream'), pdf.subarray(end)]);
}

// ── ZIP / OOXML ────────────────────────────────────────────────────────────────────────────────────

const CT = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>';
const RELS = '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>';
const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
const PPT_CT = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/><Override PartName="/ppt/slides/slide1.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.slide+xml"/></Types>';
const PPT_RELS = RELS.replace('word/document.xml', 'ppt/presentation.xml');
const P = 'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';

/** Text for an XML part: characters, character references (including to controls), entities, CDATA. */
const xmlText = fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 30 }).map(escapeXml), fc.constantFrom('&#x1b;', '&#0;', '&#x0;', '&#xFFFF;', '&#xD800;', '&#x85;', '&amp;', '&lt;', '&bogus;', '&#99999999;', ']]>', '<![CDATA[x]]>')), { maxLength: 10 }).map((a) => a.join(''));

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const partDamage = fc.constantFrom('none', 'none', 'bom', 'utf16', 'truncate', 'dtd', 'entity', 'garbage');
function damagePart(xml: string, how: string): Buffer {
  switch (how) {
    case 'bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml)]);
    case 'utf16':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>'), 'utf16le')]);
    case 'truncate':
      return Buffer.from(xml.slice(0, xml.length >> 1));
    case 'dtd':
      return Buffer.from(xml.replace('<?xml version="1.0"?>', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY ext SYSTEM "file:///etc/passwd">]>'));
    case 'entity':
      return Buffer.from(xml.replace('</w:t>', '&ext;</w:t>').replace('</a:t>', '&ext;</a:t>'));
    case 'garbage':
      return Buffer.from(`\u0000\u0001${xml}`);
    default:
      return Buffer.from(xml);
  }
}

const zipShape = fc.constantFrom('plain', 'plain', 'plain', 'zip64-second-directory', 'bad-zip64-extra', 'bomb-part');

export const hostileOoxml: fc.Arbitrary<HostileInput> = fc
  .record({ kind: fc.constantFrom('docx', 'pptx'), body: xmlText, core: xmlText, bodyDamage: partDamage, coreDamage: partDamage, stylesDamage: partDamage, shape: zipShape, damage: damageArb })
  .map((r) => {
    const core = `<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>${r.core}</dc:title></cp:coreProperties>`;
    const parts: Record<string, Buffer | string> =
      r.kind === 'docx'
        ? {
            '[Content_Types].xml': CT,
            '_rels/.rels': RELS,
            'word/document.xml': damagePart(`<?xml version="1.0"?><w:document ${W}><w:body><w:p><w:r><w:t>${r.body}</w:t></w:r></w:p></w:body></w:document>`, r.bodyDamage),
            'word/styles.xml': damagePart(`<?xml version="1.0"?><w:styles ${W}><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style></w:styles>`, r.stylesDamage),
            'docProps/core.xml': damagePart(core, r.coreDamage),
          }
        : {
            '[Content_Types].xml': PPT_CT,
            '_rels/.rels': PPT_RELS,
            'ppt/presentation.xml': `<?xml version="1.0"?><p:presentation ${P}><p:sldIdLst><p:sldId id="256" r:id="rId2"/></p:sldIdLst></p:presentation>`,
            'ppt/_rels/presentation.xml.rels': '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide" Target="slides/slide1.xml"/></Relationships>',
            'ppt/slides/slide1.xml': damagePart(`<?xml version="1.0"?><p:sld ${P}><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>${r.body}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>`, r.bodyDamage),
            'docProps/core.xml': damagePart(core, r.coreDamage),
          };
    let data: Buffer;
    if (r.shape === 'zip64-second-directory') {
      // A classic directory of the honest parts, and a ZIP64 end record that points at a second directory.
      const honest = zipBody(parts);
      const evil = zipBody({ ...parts, [r.kind === 'docx' ? 'word/document.xml' : 'ppt/slides/slide1.xml']: 'never validated' }, honest.local.length);
      const at = honest.local.length + evil.local.length + honest.central.length;
      const second = at + evil.central.length;
      data = Buffer.concat([honest.local, evil.local, honest.central, evil.central, zip64End(evil.count, evil.central.length, at, second), eocd(0xffff, honest.central.length, honest.local.length + evil.local.length)]);
    } else if (r.shape === 'bad-zip64-extra') {
      const list = Object.entries(parts).map(([name, d], i) => ({ name, data: d, ...(i === 2 ? { centralExtra: Buffer.from([0x01, 0x00, 0xff, 0x7f, 1, 2, 3]), centralUncompressed: 0xffffffff } : {}) }));
      data = buildZip(list);
    } else if (r.shape === 'bomb-part') {
      data = buildZip({ ...parts, 'word/media/bomb.bin': Buffer.alloc(64 * 1048576) });
    } else data = buildZip(parts);
    return { name: `doc.${r.kind}`, data: damage(data, r.damage), what: `${r.kind} ${r.shape} body:${r.bodyDamage} core:${r.coreDamage} styles:${r.stylesDamage} damage ${r.damage.kind % 6}` };
  });

// ── compound files (DOC, PPT) ──────────────────────────────────────────────────────────────────────

export const hostileCfb: fc.Arbitrary<HostileInput> = fc
  .record({ stream: fc.constantFrom('WordDocument', 'PowerPoint Document'), body: fc.uint8Array({ minLength: 0, maxLength: 5000 }), links: fc.array(fc.tuple(fc.nat(8), fc.constantFrom(0x44, 0x48, 0x4c), fc.integer({ min: -1, max: 12 })), { maxLength: 4 }), damage: damageArb })
  .map((r) => {
    const cfb = CFB.utils.cfb_new();
    CFB.utils.cfb_add(cfb, `/${r.stream}`, Buffer.from(r.body));
    CFB.utils.cfb_add(cfb, '/1Table', Buffer.alloc(600, 1));
    CFB.utils.cfb_add(cfb, '/\u0005SummaryInformation', Buffer.alloc(100));
    const data = Buffer.from(CFB.write(cfb, { type: 'buffer' }) as Uint8Array);
    // Re-point sibling/child ids of directory entries ([MS-CFB] §2.6.1: left 0x44, right 0x48, child 0x4C): cycles, out of range.
    const dirStart = (data.readUInt32LE(0x30) + 1) * 512;
    for (const [entry, field, value] of r.links) {
      const at = dirStart + entry * 128 + field;
      if (at + 4 <= data.length) data.writeInt32LE(value, at);
    }
    return { name: r.stream === 'WordDocument' ? 'doc.doc' : 'doc.ppt', data: damage(data, r.damage), what: `cfb ${r.stream} ${r.body.length} B, links ${JSON.stringify(r.links)}, damage ${r.damage.kind % 6}` };
  });

// ── images ─────────────────────────────────────────────────────────────────────────────────────────

function pngChunk(type: string, body: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32Png(Buffer.concat([latin1(type), body])));
  return Buffer.concat([len, latin1(type), body, crc]);
}

function crc32Png(b: Buffer): number {
  let c = ~0;
  for (const byte of b) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

export const hostileImage: fc.Arbitrary<HostileInput> = fc
  .record({ kind: fc.constantFrom('png', 'png', 'tiff', 'gif', 'bmp', 'jpeg'), w: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 100_000 })), h: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 100_000 })), damage: damageArb })
  .map((r) => {
    let data: Buffer;
    if (r.kind === 'png') {
      const ihdr = Buffer.alloc(13);
      ihdr.writeUInt32BE(r.w, 0);
      ihdr.writeUInt32BE(r.h, 4);
      ihdr[8] = 8; // bit depth
      ihdr[9] = 0; // grayscale
      const rows = Math.min(r.h, 64);
      const raw = Buffer.alloc(rows * (Math.min(r.w, 4096) + 1), 0);
      data = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))]);
    } else if (r.kind === 'tiff') {
      // Little-endian TIFF, one IFD: width, height, 8-bit gray, one strip that is far too short.
      const entries: Array<[number, number, number, number]> = [[256, 4, 1, r.w], [257, 4, 1, r.h], [258, 3, 1, 8], [259, 3, 1, 1], [262, 3, 1, 1], [273, 4, 1, 8 + 2 + 9 * 12 + 4], [277, 3, 1, 1], [278, 4, 1, r.h], [279, 4, 1, 16]];
      const ifd = Buffer.alloc(2 + entries.length * 12 + 4);
      ifd.writeUInt16LE(entries.length, 0);
      entries.forEach(([tag, type, count, value], i) => {
        const at = 2 + i * 12;
        ifd.writeUInt16LE(tag, at);
        ifd.writeUInt16LE(type, at + 2);
        ifd.writeUInt32LE(count, at + 4);
        if (type === 3) ifd.writeUInt16LE(value & 0xffff, at + 8);
        else ifd.writeUInt32LE(value >>> 0, at + 8);
      });
      data = Buffer.concat([Buffer.from([0x49, 0x49, 42, 0, 8, 0, 0, 0]), ifd, Buffer.alloc(16, 0x80)]);
    } else if (r.kind === 'gif') {
      const head = Buffer.alloc(13);
      latin1('GIF89a').copy(head);
      head.writeUInt16LE(r.w & 0xffff, 6);
      head.writeUInt16LE(r.h & 0xffff, 8);
      data = Buffer.concat([head, latin1(',\0\0\0\0'), Buffer.from([r.w & 255, r.w >> 8 & 255, r.h & 255, r.h >> 8 & 255, 0, 2, 2, 0x4c, 0x01, 0]), latin1(';')]);
    } else if (r.kind === 'bmp') {
      const head = Buffer.alloc(54);
      latin1('BM').copy(head);
      head.writeUInt32LE(54 + 16, 2);
      head.writeUInt32LE(54, 10);
      head.writeUInt32LE(40, 14);
      head.writeInt32LE(r.w, 18);
      head.writeInt32LE(r.h, 22);
      head.writeUInt16LE(1, 26);
      head.writeUInt16LE(24, 28);
      data = Buffer.concat([head, Buffer.alloc(16, 0xff)]);
    } else {
      // JPEG: SOI, a baseline frame header with the dimensions, and no scan.
      const sof = Buffer.from([0xff, 0xc0, 0, 11, 8, (r.h >> 8) & 255, r.h & 255, (r.w >> 8) & 255, r.w & 255, 1, 1, 0x11, 0]);
      data = Buffer.concat([Buffer.from([0xff, 0xd8]), sof, Buffer.from([0xff, 0xd9])]);
    }
    return { name: `img.${r.kind === 'jpeg' ? 'jpg' : r.kind}`, data: damage(data, r.damage), what: `${r.kind} ${r.w}×${r.h}, damage ${r.damage.kind % 6}` };
  });
