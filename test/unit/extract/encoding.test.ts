import * as assert from 'node:assert/strict';
import { extract } from '../../../src/core';
import { decodeText, utf8Evidence } from '../../../src/core/extract/encoding';
import { useTempDir } from '../../support/tmp';

const accents = 'Le café est prêt, déjà servi à Noël. Ça coûte 5 € à Zürich. ';

describe('encoding: one stray byte does not re-decode a file', () => {
  const tmp = useTempDir();

  it('UTF-8 with one invalid byte stays UTF-8: U+FFFD there, and an INVALID_UTF8 warning saying where', async () => {
    const bytes = Buffer.concat([Buffer.from(accents.repeat(3) + '\nsecond line '), Buffer.from([0xff]), Buffer.from(' end é\n')]);
    const doc = await extract(await tmp.write('stray.txt', bytes));
    assert.equal(doc.encoding?.name, 'utf-8');
    assert.equal(doc.text, accents.repeat(3) + '\nsecond line \ufffd end é\n');
    const w = doc.warnings.find((x) => x.code === 'INVALID_UTF8');
    assert.ok(w, 'warned');
    const at = Buffer.byteLength(accents.repeat(3) + '\nsecond line ');
    assert.match(w.message, new RegExp(`1 byte is not valid UTF-8 \\(the first at byte ${at}, line 2\\)`));
    assert.ok(!doc.warnings.some((x) => x.code === 'ENCODING_GUESSED'));
  });

  it('a real Windows-1252 file (é as 0xE9 throughout) still decodes as windows-1252', async () => {
    const bytes = Buffer.from(accents.replace('€', 'EUR').repeat(5), 'latin1');
    assert.ok(bytes.includes(0xe9));
    const doc = await extract(await tmp.write('cp.txt', bytes));
    assert.equal(doc.encoding?.name, 'windows-1252');
    assert.equal(doc.text, accents.replace('€', 'EUR').repeat(5));
    assert.ok(!doc.warnings.some((x) => x.code === 'INVALID_UTF8'));
  });

  it('decides for the whole file, not its head: an ASCII head with a legacy tail, or with a stray byte in the tail', () => {
    const head = Buffer.alloc(100_000, 'plain ascii text\n');
    const legacy = decodeText(Buffer.concat([head, Buffer.from(accents.replace('€', 'EUR').repeat(20), 'latin1')]));
    assert.equal(legacy.encoding.name, 'windows-1252');
    assert.ok(legacy.text.endsWith(accents.replace('€', 'EUR')));
    const utf8 = decodeText(Buffer.concat([head, Buffer.from(accents), Buffer.from([0xc3, 0x28]), Buffer.from(accents)]));
    assert.equal(utf8.encoding.name, 'utf-8');
    assert.equal(utf8.invalidUtf8?.bytes, 1);
    assert.equal(utf8.invalidUtf8?.firstOffset, 100_000 + Buffer.byteLength(accents));
    assert.equal(utf8.invalidUtf8?.firstLine, head.toString().split('\n').length);
    assert.ok(utf8.text.endsWith(`\ufffd(${accents}`));
  });

  it('a BOM says UTF-8 and stray bytes are still counted', () => {
    const d = decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('abc'), Buffer.from([0x80]), Buffer.from('def')]));
    assert.equal(d.text, 'abc\ufffddef');
    assert.deepEqual(d.invalidUtf8, { bytes: 1, firstOffset: 6, firstLine: 1 });
  });

  it('counts maximal subparts as a decoder does (Unicode §3.9)', () => {
    const e = utf8Evidence(Buffer.from([0x41, 0xe2, 0x82, 0x41, 0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80, 0xed, 0xa0, 0x80, 0xff, 0xf4]));
    // E2 82 (cut short) = 1 subpart of 2 bytes; ED A0 80 = 3 (A0 is out of ED's range); FF = 1; F4 at the end = 1.
    assert.deepEqual(e, { validMultiByte: 2, invalidSequences: 6, invalidBytes: 7, firstInvalid: 1 });
    const decoded = new TextDecoder().decode(Buffer.from([0x41, 0xe2, 0x82, 0x41, 0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80, 0xed, 0xa0, 0x80, 0xff, 0xf4]));
    assert.equal([...decoded].filter((c) => c === '\ufffd').length, e.invalidSequences);
  });
});
