// Test-data generators for the benchmarks: a large valid PDF (text pages plus big image streams) and a large CSV.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const WORDS = 'pump seal bearing impeller casing valve pressure flow vibration alignment coupling strainer suction discharge motor shaft sleeve gland torque lubrication inspection maintenance procedure technician record'.split(' ');

function sentence(i) {
  const n = 8 + (i % 9);
  const w = [];
  for (let k = 0; k < n; k++) w.push(WORDS[(i * 7 + k * 13) % WORDS.length]);
  return w.join(' ');
}

/**
 * Writes a PDF of `pages` text pages (about 45 lines each, standard Helvetica) and pads it to `targetBytes`
 * with uncompressed greyscale image XObjects drawn on some pages, so the file is large but text extraction
 * stays a fair comparison. Returns the number of pages.
 */
export async function writeLargePdf(file, { pages = 400, targetBytes = 100 * 1024 * 1024 } = {}) {
  const out = createWriteStream(file);
  let offset = 0;
  const offsets = [];
  const write = async (s) => {
    const buf = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
    offset += buf.length;
    if (!out.write(buf)) await once(out, 'drain');
  };
  const obj = async (id, body) => {
    offsets[id] = offset;
    await write(`${id} 0 obj\n`);
    await write(body);
    await write('\nendobj\n');
  };
  const imageCount = Math.max(0, Math.ceil((targetBytes - pages * 2600) / (1200 * 1200)));
  const imgW = 1200;
  const imgH = 1200;
  // ids: 1 catalog, 2 pages, 3 font, then per page: page, content; then images
  const firstPage = 4;
  const firstImage = firstPage + pages * 2;
  await write('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n');
  await obj(1, '<< /Type /Catalog /Pages 2 0 R >>');
  const kids = Array.from({ length: pages }, (_, i) => `${firstPage + i * 2} 0 R`).join(' ');
  await obj(2, `<< /Type /Pages /Count ${pages} /Kids [${kids}] >>`);
  await obj(3, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  for (let p = 0; p < pages; p++) {
    const image = p < imageCount ? firstImage + p : undefined;
    const lines = [];
    for (let l = 0; l < 45; l++) lines.push(`(${sentence(p * 45 + l)}) Tj T*`);
    const content = `BT /F1 10 Tf 12 TL 50 790 Td ${lines.join(' ')} ET${image ? ` q 100 0 0 100 450 20 cm /Im0 Do Q` : ''}`;
    const resources = `<< /Font << /F1 3 0 R >>${image ? ` /XObject << /Im0 ${image} 0 R >>` : ''} >>`;
    await obj(firstPage + p * 2, `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources ${resources} /Contents ${firstPage + p * 2 + 1} 0 R >>`);
    await obj(firstPage + p * 2 + 1, `<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
  }
  const pixels = Buffer.alloc(imgW * imgH);
  for (let i = 0; i < imageCount; i++) {
    for (let k = 0; k < pixels.length; k++) pixels[k] = (k * 31 + i * 17) & 0xff;
    offsets[firstImage + i] = offset;
    await write(`${firstImage + i} 0 obj\n<< /Type /XObject /Subtype /Image /Width ${imgW} /Height ${imgH} /ColorSpace /DeviceGray /BitsPerComponent 8 /Length ${pixels.length} >>\nstream\n`);
    await write(pixels);
    await write('\nendstream\nendobj\n');
  }
  const count = firstImage + imageCount;
  const xref = offset;
  let table = `xref\n0 ${count}\n0000000000 65535 f \n`;
  for (let id = 1; id < count; id++) table += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
  await write(table);
  await write(`trailer\n<< /Size ${count} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  out.end();
  await once(out, 'finish');
  return pages;
}

/** Writes a CSV of about `targetBytes` (header + rows with quoted commas), returns the row count. */
export async function writeLargeCsv(file, targetBytes = 100 * 1024 * 1024) {
  const out = createWriteStream(file);
  let bytes = 0;
  let rows = 0;
  const header = 'id,date,asset,technician,action,hours\n';
  out.write(header);
  bytes += header.length;
  while (bytes < targetBytes) {
    const line = `${rows},2026-${String((rows % 12) + 1).padStart(2, '0')}-${String((rows % 28) + 1).padStart(2, '0')},P-${100 + (rows % 50)},tech ${rows % 17},"${sentence(rows)}, checked",${(rows * 7) % 5000}\n`;
    if (!out.write(line)) await once(out, 'drain');
    bytes += line.length;
    rows++;
  }
  out.end();
  await once(out, 'finish');
  return rows;
}

/** A small text PDF of `pages` pages (about 20 lines each, standard Helvetica), different for each `seed`. */
export function smallPdf(seed, pages = 2) {
  const parts = ['%PDF-1.4\n%\xe2\xe3\xcf\xd3\n'];
  const offsets = [];
  let offset = parts[0].length;
  const obj = (id, body) => {
    offsets[id] = offset;
    const text = `${id} 0 obj\n${body}\nendobj\n`;
    parts.push(text);
    offset += Buffer.byteLength(text, 'latin1');
  };
  obj(1, '<< /Type /Catalog /Pages 2 0 R >>');
  obj(2, `<< /Type /Pages /Count ${pages} /Kids [${Array.from({ length: pages }, (_, p) => `${4 + p * 2} 0 R`).join(' ')}] >>`);
  obj(3, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  for (let p = 0; p < pages; p++) {
    const lines = [`(Report ${seed}, page ${p + 1}) Tj T*`];
    for (let l = 0; l < 20; l++) lines.push(`(${sentence(seed * 31 + p * 20 + l)} ${seed}) Tj T*`);
    const content = `BT /F1 10 Tf 12 TL 50 790 Td ${lines.join(' ')} ET`;
    obj(4 + p * 2, `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents ${5 + p * 2} 0 R >>`);
    obj(5 + p * 2, `<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
  }
  const count = 4 + pages * 2;
  let table = `xref\n0 ${count}\n0000000000 65535 f \n`;
  for (let id = 1; id < count; id++) table += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
  parts.push(table, `trailer\n<< /Size ${count} /Root 1 0 R >>\nstartxref\n${offset}\n%%EOF\n`);
  return Buffer.from(parts.join(''), 'latin1');
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A ZIP of `entries` ({name: string}), stored without compression (what a DOCX needs to be read). */
function storedZip(entries) {
  const local = [];
  const central = [];
  let offset = 0;
  for (const [name, text] of Object.entries(entries)) {
    const data = Buffer.from(text, 'utf8');
    const nameBytes = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0);
    head.writeUInt16LE(20, 4);
    head.writeUInt32LE(crc, 14);
    head.writeUInt32LE(data.length, 18);
    head.writeUInt32LE(data.length, 22);
    head.writeUInt16LE(nameBytes.length, 26);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt32LE(crc, 16);
    dir.writeUInt32LE(data.length, 20);
    dir.writeUInt32LE(data.length, 24);
    dir.writeUInt16LE(nameBytes.length, 28);
    dir.writeUInt32LE(offset, 42);
    local.push(head, nameBytes, data);
    central.push(dir, nameBytes);
    offset += head.length + nameBytes.length + data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(central.length / 2, 8);
  end.writeUInt16LE(central.length / 2, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...local, cd, end]);
}

/** A small Word document (a heading and a dozen paragraphs), different for each `seed`. */
export function smallDocx(seed) {
  const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
  const para = (text, style) => `<w:p>${style ? `<w:pPr><w:pStyle w:val="${style}"/></w:pPr>` : ''}<w:r><w:t xml:space="preserve">${text}</w:t></w:r></w:p>`;
  const body = [para(`Procedure ${seed}`, 'Heading1'), ...Array.from({ length: 12 }, (_, i) => para(`${sentence(seed * 13 + i)} (${seed}.${i}).`))].join('');
  return storedZip({
    '[Content_Types].xml': '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    '_rels/.rels': '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
    'word/document.xml': `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="${W}"><w:body>${body}</w:body></w:document>`,
  });
}
