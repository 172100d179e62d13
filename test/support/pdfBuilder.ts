import { deflateSync } from 'node:zlib';

/**
 * Builds small, valid PDFs for tests: objects are numbered in order of `add`, pages are collected under one
 * /Pages node, and the file ends with a classic xref table — or an xref stream with the objects packed into an
 * object stream (`compressed: true`).
 */
export class PdfBuilder {
  private readonly objects: string[] = [''];
  private readonly streams = new Map<number, Buffer>();
  private readonly pages: number[] = [];
  readonly pagesRef: number;
  private info: number | undefined;
  private extraCount = 0;

  constructor(private readonly pagesExtra = '') {
    this.pagesRef = this.reserve();
  }

  reserve(): number {
    this.objects.push('null');
    return this.objects.length - 1;
  }

  add(body: string): number {
    this.objects.push(body);
    return this.objects.length - 1;
  }

  set(num: number, body: string): void {
    this.objects[num] = body;
  }

  /** A stream object; `deflate` compresses it with FlateDecode. */
  stream(data: string | Buffer, dict = '', deflate = false): number {
    const raw = Buffer.isBuffer(data) ? data : Buffer.from(data, 'latin1');
    const bytes = deflate ? deflateSync(raw) : raw;
    const num = this.add(`<< /Length ${bytes.length}${deflate ? ' /Filter /FlateDecode' : ''} ${dict} >>`);
    this.streams.set(num, bytes);
    return num;
  }

  /** Makes a reserved object a stream (for streams that refer to themselves). */
  setStream(num: number, data: string, dict = ''): void {
    const bytes = Buffer.from(data, 'latin1');
    this.objects[num] = `<< /Length ${bytes.length} ${dict} >>`;
    this.streams.set(num, bytes);
  }

  page(content: string, resources: string, extra = ''): number {
    const contents = this.stream(content);
    const num = this.add(`<< /Type /Page /Parent ${this.pagesRef} 0 R /MediaBox [0 0 612 792] /Resources ${resources} /Contents ${contents} 0 R ${extra} >>`);
    this.pages.push(num);
    return num;
  }

  /** Adds an object (a page or a /Pages node) to the root's /Kids. */
  addKid(num: number, pageCount = 1): void {
    this.pages.push(num);
    this.extraCount += pageCount - 1;
  }

  setInfo(body: string): void {
    this.info = this.add(body);
  }

  build(opts: { compressed?: boolean; catalogExtra?: string; trailerExtra?: string } = {}): Buffer {
    this.objects[this.pagesRef] = `<< /Type /Pages /Kids [${this.pages.map((p) => `${p} 0 R`).join(' ')}] /Count ${this.pages.length + this.extraCount} ${this.pagesExtra} >>`;
    const catalog = this.add(`<< /Type /Catalog /Pages ${this.pagesRef} 0 R ${opts.catalogExtra ?? ''} >>`);
    const trailer = `/Root ${catalog} 0 R${this.info ? ` /Info ${this.info} 0 R` : ''} ${opts.trailerExtra ?? ''}`;
    return opts.compressed ? this.buildCompressed(trailer) : this.buildClassic(trailer);
  }

  private buildClassic(trailer: string): Buffer {
    const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
    let offset = parts[0]!.length;
    const offsets: number[] = [0];
    for (let num = 1; num < this.objects.length; num++) {
      offsets[num] = offset;
      const chunk = this.objectBytes(num);
      parts.push(chunk);
      offset += chunk.length;
    }
    let xref = `xref\n0 ${this.objects.length}\n0000000000 65535 f \n`;
    for (let num = 1; num < this.objects.length; num++) xref += `${String(offsets[num]).padStart(10, '0')} 00000 n \n`;
    parts.push(Buffer.from(`${xref}trailer\n<< /Size ${this.objects.length} ${trailer} >>\nstartxref\n${offset}\n%%EOF\n`, 'latin1'));
    return Buffer.concat(parts);
  }

  /** Non-stream objects go into one object stream; an xref stream (PNG Up predictor) indexes everything. */
  private buildCompressed(trailer: string): Buffer {
    const parts: Buffer[] = [Buffer.from('%PDF-1.7\n', 'latin1')];
    let offset = parts[0]!.length;
    const packed = [...this.objects.keys()].filter((n) => n > 0 && !this.streams.has(n));
    const objStm = this.objects.length;
    const xrefNum = objStm + 1;
    const entries: Array<[number, number, number]> = [[0, 0, 0]];
    for (let num = 1; num < this.objects.length; num++) {
      if (this.streams.has(num)) {
        entries[num] = [1, offset, 0];
        const chunk = this.objectBytes(num);
        parts.push(chunk);
        offset += chunk.length;
      }
    }
    let header = '';
    let body = '';
    packed.forEach((num, i) => {
      entries[num] = [2, objStm, i];
      header += `${num} ${body.length} `;
      body += `${this.objects[num]}\n`;
    });
    const osData = deflateSync(Buffer.from(header + body, 'latin1'));
    entries[objStm] = [1, offset, 0];
    const os = Buffer.concat([Buffer.from(`${objStm} 0 obj\n<< /Type /ObjStm /N ${packed.length} /First ${header.length} /Length ${osData.length} /Filter /FlateDecode >>\nstream\n`, 'latin1'), osData, Buffer.from('\nendstream\nendobj\n')]);
    parts.push(os);
    offset += os.length;
    entries[xrefNum] = [1, offset, 0];
    // rows: type(1) field2(4) field3(2), PNG Up predictor
    const rowLen = 7;
    const rows: number[] = [];
    let prev = new Array<number>(rowLen).fill(0);
    for (const [t, a, b] of entries) {
      const row = [t, (a >>> 24) & 255, (a >>> 16) & 255, (a >>> 8) & 255, a & 255, (b >>> 8) & 255, b & 255];
      rows.push(2, ...row.map((v, i) => (v - prev[i]!) & 255));
      prev = row;
    }
    const xrefData = deflateSync(Buffer.from(rows));
    parts.push(
      Buffer.from(
        `${xrefNum} 0 obj\n<< /Type /XRef /Size ${entries.length} /W [1 4 2] /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns ${rowLen} >> ${trailer} /Length ${xrefData.length} >>\nstream\n`,
        'latin1',
      ),
      xrefData,
      Buffer.from(`\nendstream\nendobj\nstartxref\n${offset}\n%%EOF\n`, 'latin1'),
    );
    return Buffer.concat(parts);
  }

  private objectBytes(num: number): Buffer {
    const data = this.streams.get(num);
    if (!data) return Buffer.from(`${num} 0 obj\n${this.objects[num]}\nendobj\n`, 'latin1');
    return Buffer.concat([Buffer.from(`${num} 0 obj\n${this.objects[num]}\nstream\n`, 'latin1'), data, Buffer.from('\nendstream\nendobj\n', 'latin1')]);
  }
}

/** Big-endian UTF-16 hex of a string, for ToUnicode CMaps and text strings. */
export const utf16Hex = (s: string) => Buffer.from(s, 'utf16le').swap16().toString('hex').toUpperCase();
