import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { extract } from '../../../src/core';
import { rc4 } from '../../../src/core/extract/pdf/security';
import type { OcrService } from '../../../src/core/extract/ocr/ocrService';
import { PdfBuilder } from '../../support/pdfBuilder';
import { useTempDir } from '../../support/tmp';

/**
 * Encrypted PDFs (standard security handler, ISO 32000-1 §7.6.3) are read by the own reader, so the budgets and
 * checks that keep pdf.js in bounds apply to them too. The test files are encrypted here with RC4-128 (R3): O by
 * Algorithm 3, U by Algorithm 5, per-object keys by Algorithm 1; pdf.js, which reads them as well, is the
 * independent check that they are encrypted right.
 */
const PAD = Buffer.from('28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a', 'hex');
const md5 = (...parts: Uint8Array[]) => parts.reduce((h, p) => h.update(p), createHash('md5')).digest();
const ID0 = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
const P = -3904; // printing allowed, copying not: what "copy-protected" files set

function rc4Security(owner: string, user: string) {
  const pad = (pw: string) => Buffer.concat([Buffer.from(pw, 'latin1'), PAD]).subarray(0, 32);
  let ok = md5(pad(owner));
  for (let i = 0; i < 50; i++) ok = md5(ok);
  let o: Uint8Array = rc4(ok, pad(user));
  for (let i = 1; i <= 19; i++) o = rc4(ok.map((b) => b ^ i), o);
  const pBytes = Buffer.alloc(4);
  pBytes.writeInt32LE(P);
  let key = md5(pad(user), o, pBytes, ID0);
  for (let i = 0; i < 50; i++) key = md5(key.subarray(0, 16));
  key = key.subarray(0, 16);
  let u: Uint8Array = rc4(key, md5(PAD, ID0));
  for (let i = 1; i <= 19; i++) u = rc4(key.map((b) => b ^ i), u);
  const objectKey = (num: number) => md5(key, Buffer.from([num & 255, (num >> 8) & 255, (num >> 16) & 255, 0, 0])).subarray(0, 16);
  return {
    dict: `<< /Filter /Standard /V 2 /R 3 /Length 128 /P ${P} /O <${Buffer.from(o).toString('hex')}> /U <${Buffer.concat([u, Buffer.alloc(16)]).toString('hex')}> >>`,
    encrypt: (num: number, data: Buffer) => Buffer.from(rc4(objectKey(num), data)),
  };
}

/** A PDF whose streams and strings are RC4-encrypted; `pages` are content streams (already Flate-compressed or not). */
function encryptedPdf(pages: Array<{ content: Buffer; filter?: string }>, title: string, owner = 'owner', user = ''): Buffer {
  const sec = rc4Security(owner, user);
  const b = new PdfBuilder();
  const font = b.add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  for (const page of pages) {
    const contents = b.reserve();
    const data = sec.encrypt(contents, page.content);
    b.setStream(contents, data.toString('latin1'), page.filter ? `/Filter /${page.filter}` : '');
    const num = b.add(`<< /Type /Page /Parent ${b.pagesRef} 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 ${font} 0 R >> >> /Contents ${contents} 0 R >>`);
    b.addKid(num);
  }
  const info = b.reserve();
  b.set(info, `<< /Title <${sec.encrypt(info, Buffer.from(title, 'latin1')).toString('hex')}> >>`);
  const encrypt = b.add(sec.dict);
  return b.build({ trailerExtra: `/Info ${info} 0 R /Encrypt ${encrypt} 0 R /ID [<${ID0.toString('hex')}> <${ID0.toString('hex')}>]` });
}

const text = (s: string) => Buffer.from(`BT /F1 12 Tf 72 700 Td (${s}) Tj ET`, 'latin1');

describe('encrypted PDFs (standard security handler)', function () {
  this.timeout(60_000);
  const tmp = useTempDir();

  it('reads an RC4-128 file with the empty user password itself, as pdf.js reads it', async () => {
    const file = await tmp.write('enc.pdf', encryptedPdf([{ content: text('Encrypted but readable.') }, { content: deflateSync(text('Second page.')), filter: 'FlateDecode' }], 'A secret title'));
    const own = await extract(file, { ocr: false });
    assert.equal(own.extractor.backend, 'brightrun-pdf');
    assert.match(own.text, /Encrypted but readable\.[\s\S]*Second page\./);
    assert.equal(own.metadata.title, 'A secret title');
    process.env.BRIGHTRUN_PDF_READER = 'pdfjs';
    try {
      const reference = await extract(file, { ocr: false });
      assert.equal(reference.extractor.backend, 'pdfjs-dist@5.6');
      assert.equal(reference.text, own.text);
    } finally {
      delete process.env.BRIGHTRUN_PDF_READER;
    }
  });

  it('opens a file that needs a user password with that password or the owner password; without one, asks for it', async () => {
    const file = await tmp.write('locked.pdf', encryptedPdf([{ content: text('Behind a password.') }], 'Locked', 'boss', 'user-pw'));
    assert.match((await extract(file, { ocr: false, password: 'user-pw' })).text, /Behind a password/);
    const byOwner = await extract(file, { ocr: false, password: 'boss' });
    assert.equal(byOwner.extractor.backend, 'brightrun-pdf');
    assert.match(byOwner.text, /Behind a password/);
    await assert.rejects(extract(file, { ocr: false }), { code: 'PASSWORD_REQUIRED' });
    await assert.rejects(extract(file, { ocr: false, password: 'nope' }), { code: 'WRONG_PASSWORD' });
  });

  it('keeps the decompression budget on encrypted files: a Flate bomb is refused, not handed to pdf.js', async () => {
    const bomb = deflateSync(Buffer.alloc(24 * 1048576, 0x20), { level: 9 });
    const file = await tmp.write('bomb.pdf', encryptedPdf([{ content: bomb, filter: 'FlateDecode' }], 'Bomb'));
    const started = Date.now();
    await assert.rejects(extract(file, { ocr: false, maxUncompressedBytes: 4 * 1048576 }), (e: { code?: string; remedy?: string }) => e.code === 'RESOURCE_LIMIT' && /extract\.maxDecompressedMB/.test(e.remedy ?? ''));
    assert.ok(Date.now() - started < 5000, 'refused quickly');
  });

  it('does not OCR the blank pages of an encrypted file', async () => {
    const calls: number[] = [];
    const ocr: OcrService = {
      concurrency: 1,
      recognizePdfPage: async (_page: unknown, n: number) => {
        calls.push(n);
        return { text: '', confidence: 0 };
      },
      recognizeImage: async () => {
        throw new Error('not expected');
      },
      dispose: async () => undefined,
    } as unknown as OcrService;
    const file = await tmp.write('blank.pdf', encryptedPdf(Array.from({ length: 20 }, () => ({ content: Buffer.from(' ') })), 'Blank'));
    const doc = await extract(file, {}, { ocr });
    assert.deepEqual(calls, []);
    assert.ok(doc.warnings.some((w) => w.code === 'BLANK_PAGES'));
  });
});
