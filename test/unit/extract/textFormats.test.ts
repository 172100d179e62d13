import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { extract, type BrightRunError } from '../../../src/core';
import { useTempDir } from '../../support/tmp';

const norm = (s: string) => s.normalize('NFKC').replace(/\s+/g, ' ').trim();

describe('extract: text formats', () => {
  const tmp = useTempDir();
  const write = (name: string, content: string | Buffer) => tmp.write(name, content);




  it('decodes UTF-32 with a BOM', async () => {
    const text = 'UTF-32 text with a byte-order mark: naïve café, 日本, 😀.\nSecond line.';
    const body = Buffer.alloc(4 * [...text].length);
    [...text].forEach((ch, i) => body.writeUInt32LE(ch.codePointAt(0)!, i * 4));
    const doc = await extract(await write('wide32.txt', Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), body])));
    assert.equal(doc.format, 'txt');
    assert.equal(doc.encoding?.name, 'utf-32le');
    assert.equal(norm(doc.text), norm(text));
  });

  it('decodes Windows-1252 and UTF-8 with BOM to the same text', async () => {
    const iconv = await import('iconv-lite');
    const text = 'Europäische Bürger zahlen 5 € für „Kaffee“ – schön, très cher, señor.\nZweite Zeile: Grüße aus Köln.\n';
    const cp = await extract(await write('euro.cp1252.txt', iconv.encode(text.repeat(3), 'windows-1252')));
    const bom = await extract(await write('euro.utf-8-sig.txt', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text.repeat(3))])));
    assert.equal(cp.encoding?.name, 'windows-1252');
    assert.equal(bom.encoding?.name, 'utf-8');
    assert.equal(norm(cp.text), norm(text.repeat(3)));
    assert.equal(norm(bom.text), norm(cp.text));
    assert.ok(!bom.text.startsWith('\ufeff'), 'the BOM is not part of the text');
  });

  it('keeps valid UTF-8 as written, even when it holds mojibake (less its C1 controls)', async () => {
    const text = 'Norwich City won 2\u00e2\u0080\u00931 at home \u00e2\u0080\u0093 a fine result.\nThe crowd cheered.';
    const doc = await extract(await write('norwich.txt', text));
    assert.equal(doc.encoding?.name, 'utf-8');
    assert.equal(norm(doc.text), norm(text.replace(/[\u0080-\u009f]/g, '')));
    assert.ok(doc.warnings.some((w) => w.code === 'CONTROL_CHARS_REMOVED'));
  });

  it('detects UTF-16 without a BOM', async () => {
    const file = await write('wide.txt', Buffer.from('Plain text stored as UTF-16 little endian, no byte-order mark.\nSecond line.', 'utf16le'));
    const doc = await extract(file);
    assert.equal(doc.encoding?.name, 'utf-16le');
    assert.match(doc.text, /^Plain text stored as UTF-16/);
    const be = Buffer.from('Big endian text without a BOM, for sure.', 'utf16le').swap16();
    assert.equal((await extract(await write('be.txt', be))).encoding?.name, 'utf-16be');
  });

  it('decodes Shift_JIS and reads right-to-left text', async () => {
    const iconv = await import('iconv-lite');
    const sjis = await extract(await write('jp.txt', iconv.encode('これは日本語のテキストです。東京都の天気は晴れです。'.repeat(4), 'Shift_JIS')));
    assert.match(sjis.text, /日本語のテキスト/);
    const rtl = await extract(await write('he.txt', 'שלום עולם, זהו טקסט בעברית.\nمرحبا بالعالم'));
    assert.equal(rtl.text, 'שלום עולם, זהו טקסט בעברית.\nمرحبا بالعالم');
  });


  it('reads Markdown in Latin-1 and keeps its source as text with heading blocks', async () => {
    const iconv = await import('iconv-lite');
    const doc = await extract(await write('umlauts.md', iconv.encode('# Überschrift\n\nWir können Umlaute schreiben: ä, ö, ü und ß, auch in längeren Sätzen.\n', 'latin1')));
    assert.equal(doc.format, 'md');
    assert.equal(doc.encoding?.name, 'windows-1252');
    assert.match(doc.text, /können/);
    const duck = await extract(await write('duck.md', 'Summer activities\n\n# Swimming in the lake\n\nDuck\n\n## Figure 1: This is a cute duckling\n\nSome text.\n'));
    const headings = duck.blocks.filter((b) => b.type === 'heading');
    assert.ok(headings.length >= 1);
    assert.match(duck.text.slice(headings[0]!.start, headings[0]!.end), /^#/);
    const code = await extract(await write('codeblock.md', 'Some prose first.\n\n```python\nprint("hello")\n```\n\nAfter the code.\n'));
    assert.ok(code.blocks.some((b) => b.type === 'code'));
  });

  it('finds Markdown structure in a file named .txt and plain text otherwise', async () => {
    const md = await extract(await write('notes.txt', '# Title\n\nSome text with **bold**.\n\n- one\n- two\n\n```\ncode\n```\n'));
    assert.equal(md.format, 'md');
    assert.equal(md.metadata.title, 'Title');
    assert.deepEqual(md.blocks.map((b) => b.type), ['heading', 'paragraph', 'list', 'code']);
    const setext = await extract(await write('setext.md', 'Big title\n=========\n\nSub\n---\n\n| a | b |\n|---|---|\n| 1 | 2 |\n'));
    assert.deepEqual(setext.blocks.map((b) => [b.type, b.level]), [['heading', 1], ['heading', 2], ['table', undefined]]);
    const txt = await extract(await write('plain.txt', 'Just a line.\r\n\r\nAnother paragraph.\r\n'));
    assert.equal(txt.format, 'txt');
    assert.equal(txt.text, 'Just a line.\n\nAnother paragraph.\n');
    assert.equal(txt.blocks.length, 2);
    assert.match(txt.markdown, /Just a line\./);
  });


  it('parses CSV with detected delimiters, quoted commas and a header', async () => {
    const semi = await extract(await write('semicolon.csv', 'Name;Age;City\nAnn;34;Paris\nBob;27;Rome\nCleo;45;Oslo\n'));
    assert.equal(semi.format, 'csv');
    assert.equal(semi.metadata.delimiter, ';');
    assert.equal(semi.metadata.hasHeader, true);
    const comma = await extract(await write('comma-in-cell.csv', 'Name,Address,Age\nAnn,"12 High Street, Leeds",34\nBob,"3 Low Road, York",27\n'));
    const table = comma.blocks[0]!;
    assert.equal(table.type, 'table');
    assert.ok(table.rows!.some((r) => r.some((c) => c.includes(','))), 'a quoted comma stays inside its cell');
    assert.match(comma.markdown, /^\| .* \|\n\|( --- \|)+/);
    const iconv = await import('iconv-lite');
    const cp = await extract(await write('cups.cp1252.csv', iconv.encode('Équipe,Année,Trophée\nMontréal Canadiens,1993,Coupe Stanley\nKöln Haie,2002,Meisterschaft – Endspiel\n'.repeat(2), 'windows-1252')));
    assert.equal(cp.encoding?.name, 'windows-1252');
    const tsv = await extract(await write('data.tsv', 'name\tscore\nann\t3\nbob\t5\n'));
    assert.deepEqual(tsv.metadata.columns, ['name', 'score']);
    assert.equal(tsv.metadata.rowCount, 2);
  });

  it('reports malformed CSV rows as a warning and keeps them', async () => {
    const doc = await extract(await write('bad.csv', 'a,b\n"unterminated,2\n3,4\n'));
    assert.ok(doc.warnings.some((w) => w.code === 'MALFORMED_ROWS'));
  });


  it('recognises JSON arrays of records and JSON Lines', async () => {
    const simple = await extract(await write('simple.json', JSON.stringify([{ id: 1, name: 'alpha', tags: ['a', 'b'] }, { id: 2, name: 'beta', tags: [] }, { id: 3, name: 'gamma' }], null, 2)));
    assert.equal(simple.format, 'json');
    assert.ok(simple.blocks.length > 1 && simple.blocks.every((b) => b.type === 'record'));
    assert.equal(simple.metadata.recordCount, simple.blocks.length);
    for (const b of simple.blocks) JSON.parse(simple.text.slice(b.start, b.end));
    const pairs = await extract(await write('pairs.json', JSON.stringify([{ instruction: 'a, "quoted" [x]', output: 'b' }, { instruction: 'c', output: 'd' }], null, 2)));
    assert.deepEqual(pairs.metadata.recordFields, ['instruction', 'output']);
    assert.deepEqual(pairs.blocks.map((b) => JSON.parse(pairs.text.slice(b.start, b.end)).output), ['b', 'd']);
    const one = await extract(await write('single-line-object.json', '{"a": 1, "b": {"c": [1, 2, 3]}, "d": "text"}'));
    assert.equal(one.blocks.length, 1);
    const lines = await extract(await write('data.jsonl', '{"instruction":"q1","output":"a1"}\n{"instruction":"q2","output":"a2"}\nnot json\n'));
    assert.equal(lines.format, 'jsonl');
    assert.equal(lines.metadata.recordCount, 2);
    assert.ok(lines.warnings.some((w) => w.code === 'MALFORMED_ROWS' && /line 3/.test(w.message)));
  });

  it('reports broken JSON with its position', async () => {
    await assert.rejects(extract(await write('broken.json', '{\n  "a": 1,\n  "b": \n}')), (e: BrightRunError) => {
      assert.equal(e.code, 'CORRUPT_FILE');
      assert.match(e.message, /line 4, column 1/);
      return true;
    });
    const notJson = await extract(await write('brace.txt', '{ this is just prose in braces }'));
    assert.equal(notJson.format, 'txt');
  });


  it('refuses empty, whitespace-only, binary and too-large files with specific errors', async () => {
    await assert.rejects(extract(await write('zero.txt', '')), { code: 'EMPTY_FILE' });
    await assert.rejects(extract(await write('blank.txt', ' \n\t  \r\n   \n')), (e: BrightRunError) => e.code === 'EMPTY_FILE' && /only whitespace/.test(e.message));
    const random = Buffer.alloc(4096);
    for (let i = 0; i < random.length; i++) random[i] = (i * 7919 + 13) % 256;
    await assert.rejects(extract(await write('random.bin', random)), { code: 'UNSUPPORTED_FORMAT' });
    await assert.rejects(extract(await write('big.txt', 'x'.repeat(2048)), { maxBytes: 1024 }), (e: BrightRunError) => e.code === 'FILE_TOO_LARGE' && /maxFileSizeMB/.test(e.remedy));
    await assert.rejects(extract(path.join(tmp.dir, 'missing.txt')), { code: 'SOURCE_NOT_FOUND' });
    await assert.rejects(extract(tmp.dir), { code: 'UNSUPPORTED_FILE' });
  });

  it('names known non-document formats in its error', async () => {
    const cases: Array<[string, Buffer, RegExp]> = [
      ['a.rtf', Buffer.from('{\\rtf1\\ansi hello}'), /RTF/],
      ['a.gz', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]), /gzip/],
      ['a.exe', Buffer.from('MZ\x90\x00\x03'), /program/],
      ['a.db', Buffer.from('SQLite format 3\x00'), /SQLite/],
      ['a.rar', Buffer.from('Rar!\x1a\x07\x00'), /RAR/],
      ['a.7z', Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4]), /7-Zip/],
      ['a.mp3', Buffer.from('ID3\x03\x00'), /audio/],
    ];
    for (const [name, bytes, what] of cases) {
      await assert.rejects(extract(await write(name, bytes)), (e: BrightRunError) => e.code === 'UNSUPPORTED_FORMAT' && what.test(e.message) && e.remedy.length > 0, name);
    }
  });

  it('stops before work when cancelled', async () => {
    const c = new AbortController();
    c.abort();
    await assert.rejects(extract(await write('a.txt', 'text'), {}, { signal: c.signal }), { code: 'CANCELLED' });
  });
});

describe('extract: large JSON', function () {
  this.timeout(60_000);
  const tmp = useTempDir();

  it('checks and samples a JSON file over 16 MB without building its object graph', async () => {
    const record = (i: number) => JSON.stringify({ instruction: `Question ${i} about the pump`, output: `Answer ${i}: ${'detail '.repeat(20)}` });
    const body = Array.from({ length: 90_000 }, (_, i) => record(i)).join(',\n');
    const doc = await extract(await tmp.write('large.json', `[\n${body}\n]\n`));
    assert.ok(doc.text.length > 16 * 1024 * 1024);
    assert.equal(doc.metadata.recordCount, 90_000);
    assert.deepEqual(doc.metadata.recordFields, ['instruction', 'output']);
    assert.equal(JSON.parse(doc.text.slice(doc.blocks[89_999]!.start, doc.blocks[89_999]!.end)).instruction, 'Question 89999 about the pump');
    assert.match(doc.markdown, /more characters in the plain text/);
    assert.ok(doc.markdown.length < 1.1 * 1024 * 1024);
    await assert.rejects(extract(await tmp.write('broken.json', `[\n${body},\n{"a": }\n]\n`)), (e: Error & { code?: string }) => e.code === 'CORRUPT_FILE' && /line 90002/.test(e.message));
    const object = await extract(await tmp.write('object.json', `{"data": [${body}]}`));
    assert.equal(object.blocks.length, 1);
    assert.equal(object.metadata.recordCount, undefined);
  });
});
