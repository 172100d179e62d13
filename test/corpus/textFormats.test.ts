import * as assert from 'node:assert/strict';
import { extract, type BrightRunError } from '../../src/core';
import { corpus, groundTruth } from '../support/corpus';
import { useTempDir } from '../support/tmp';

const norm = (s: string) => s.normalize('NFKC').replace(/\s+/g, ' ').trim();

describe('corpus: text formats', () => {
  const tmp = useTempDir();
  const write = (name: string, content: string | Buffer) => tmp.write(name, content);

  it('decodes UTF-32 with a BOM', async () => {
    const doc = await extract(corpus('unstructured/txt/fake-text-utf-32.txt'));
    assert.equal(doc.format, 'txt');
    assert.equal(doc.encoding?.name, 'utf-32le');
    assert.equal(norm(doc.text), norm(groundTruth('unstructured/txt/fake-text-utf-32.txt')));
  });

  it('decodes Windows-1252 and UTF-8 with BOM to the same text', async () => {
    const cp = await extract(corpus('synthetic/txt/eurotext.cp1252.txt'));
    const bom = await extract(corpus('synthetic/txt/eurotext.utf-8-sig.txt'));
    assert.equal(cp.encoding?.name, 'windows-1252');
    assert.equal(bom.encoding?.name, 'utf-8');
    assert.equal(norm(cp.text), norm(groundTruth('synthetic/txt/eurotext.cp1252.txt')));
    assert.equal(norm(bom.text), norm(groundTruth('synthetic/txt/eurotext.utf-8-sig.txt')));
    assert.ok(!bom.text.startsWith('\ufeff'), 'the BOM is not part of the text');
  });

  it('keeps valid UTF-8 as written, even when it holds mojibake (less its C1 controls)', async () => {
    const doc = await extract(corpus('unstructured/txt/norwich-city.txt'));
    assert.equal(doc.encoding?.name, 'utf-8');
    // Its dashes were encoded twice ("â\u0080\u0093"): the C1 controls go, the rest stays as written.
    assert.equal(norm(doc.text), norm(groundTruth('unstructured/txt/norwich-city.txt').replace(/[\u0080-\u009f]/g, '')));
    assert.ok(doc.warnings.some((w) => w.code === 'CONTROL_CHARS_REMOVED'));
  });

  it('reads Markdown in Latin-1 and keeps its source as text with heading blocks', async () => {
    const doc = await extract(corpus('unstructured/md/umlauts-non-utf8.md'));
    assert.equal(doc.format, 'md');
    assert.equal(doc.encoding?.name, 'windows-1252');
    assert.match(doc.text, /können/);
    const duck = await extract(corpus('docling/md/duck.md'));
    const headings = duck.blocks.filter((b) => b.type === 'heading');
    assert.ok(headings.length >= 1);
    assert.match(duck.text.slice(headings[0]!.start, headings[0]!.end), /^#/);
    const code = await extract(corpus('unstructured/md/codeblock.md'));
    assert.ok(code.blocks.some((b) => b.type === 'code'));
  });

  it('parses CSV with detected delimiters, quoted commas and a header', async () => {
    const semi = await extract(corpus('docling/csv/csv-semicolon.csv'));
    assert.equal(semi.format, 'csv');
    assert.equal(semi.metadata.delimiter, ';');
    assert.equal(semi.metadata.hasHeader, true);
    const comma = await extract(corpus('docling/csv/csv-comma-in-cell.csv'));
    const table = comma.blocks[0]!;
    assert.equal(table.type, 'table');
    assert.ok(table.rows!.some((r) => r.some((c) => c.includes(','))), 'a quoted comma stays inside its cell');
    assert.match(comma.markdown, /^\| .* \|\n\|( --- \|)+/);
    const cp = await extract(corpus('synthetic/txt/stanley-cups.cp1252.csv'));
    assert.equal(cp.encoding?.name, 'windows-1252');
    const tsv = await extract(await write('data.tsv', 'name\tscore\nann\t3\nbob\t5\n'));
    assert.deepEqual(tsv.metadata.columns, ['name', 'score']);
    assert.equal(tsv.metadata.rowCount, 2);
  });

  it('recognises JSON arrays of records and JSON Lines', async () => {
    const simple = await extract(corpus('unstructured/json/simple.json'));
    assert.equal(simple.format, 'json');
    assert.ok(simple.blocks.length > 1 && simple.blocks.every((b) => b.type === 'record'));
    assert.equal(simple.metadata.recordCount, simple.blocks.length);
    for (const b of simple.blocks) JSON.parse(simple.text.slice(b.start, b.end));
    const pairs = await extract(await write('pairs.json', JSON.stringify([{ instruction: 'a, "quoted" [x]', output: 'b' }, { instruction: 'c', output: 'd' }], null, 2)));
    assert.deepEqual(pairs.metadata.recordFields, ['instruction', 'output']);
    assert.deepEqual(pairs.blocks.map((b) => JSON.parse(pairs.text.slice(b.start, b.end)).output), ['b', 'd']);
    const one = await extract(corpus('unstructured/json/single-line-object.json'));
    assert.equal(one.blocks.length, 1);
    const lines = await extract(await write('data.jsonl', '{"instruction":"q1","output":"a1"}\n{"instruction":"q2","output":"a2"}\nnot json\n'));
    assert.equal(lines.format, 'jsonl');
    assert.equal(lines.metadata.recordCount, 2);
    assert.ok(lines.warnings.some((w) => w.code === 'MALFORMED_ROWS' && /line 3/.test(w.message)));
  });

  it('refuses a whitespace-only file', async () => {
    await assert.rejects(extract(corpus('unstructured/txt/fake-text-all-whitespace.txt')), (e: BrightRunError) => e.code === 'EMPTY_FILE' && /only whitespace/.test(e.message));
  });

});
