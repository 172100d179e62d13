import * as assert from 'node:assert/strict';
import { extract, type BrightRunError, type ExtractedDocument } from '../../src/core';
import { corpus, groundTruth, wordRecall } from '../support/corpus';

const blockTexts = (doc: ExtractedDocument, type: string) => doc.blocks.filter((b) => b.type === type).map((b) => doc.text.slice(b.start, b.end));

describe('corpus: office documents', () => {
  it('DOCX: headings, lists, tables and core metadata', async () => {
    const doc = await extract(corpus('docling/docx/word_sample.docx'));
    assert.equal(doc.format, 'docx');
    assert.equal(doc.metadata.author, 'Christoph Auer');
    assert.equal(doc.metadata.lastModifiedBy, 'Maxim Lysak');
    assert.match(doc.metadata.created ?? '', /^2024-10-09/);
    assert.ok(blockTexts(doc, 'heading').includes('Let’s swim!'));
    assert.ok(blockTexts(doc, 'list').some((l) => /^1\. Wear sunglasses$/m.test(l)));
    assert.match(doc.markdown, /^# /m);
    const tables = await extract(corpus('docling/docx/word_tables.docx'));
    const table = tables.blocks.find((b) => b.type === 'table')!;
    assert.ok(table.rows && table.rows.length > 1);
    assert.match(tables.markdown, /\| --- \|/);
    // Merged cells fill their whole span in rows and Markdown, but appear once in the plain text.
    assert.match(tables.markdown, /\| Cell 1\.0 \| Merged Cell 1\.1 1\.2 \| Merged Cell 1\.1 1\.2 \|/);
    assert.match(tables.text, /Cell 1\.0\tMerged Cell 1\.1 1\.2\n/);
    const merged = await extract(corpus('unstructured/docx/grid_offset_error.docx'));
    assert.equal(merged.text, 'A\tMerged B1-B3\nC');
  });

  it('DOCX: every corpus file reads with ≥ 95% of its words', async () => {
    for (const f of ['unstructured/docx/handbook-1p.docx', 'unstructured/docx/docx-tables.docx', 'unstructured/docx/teams_chat.docx', 'unstructured/docx/fake.docx', 'textract/docx/raw_text.docx', 'docling/docx/docx_comments.docx']) {
      const doc = await extract(corpus(f));
      assert.ok(wordRecall(doc.text, groundTruth(f)) >= 0.95, f);
    }
    // Automatic heading numbers come from numbering.xml, as Word shows them (its lvlText "%1.%2.").
    const numbered = await extract(corpus('docling/docx/unit_test_headers_numbered.docx'));
    const headings = numbered.blocks.filter((b) => b.type === 'heading').map((b) => numbered.text.slice(b.start, b.end));
    assert.deepEqual(headings.slice(0, 4), ['Test Document', '1. Section 1', '1.1. Section 1.1', '1.2. Section 1.2']);
    assert.ok(headings.includes('2.1.1. Section 2.1.1'), 'a skipped level shows its start value');
    assert.match(numbered.text, /^ {4}2\.3\.1\. Hardware Constraints/m, 'list items carry Word numbers too');
  });

  it('DOC: text with Unicode punctuation kept, tables, summary metadata', async () => {
    const doc = await extract(corpus('unstructured/doc/fake.doc'));
    assert.equal(doc.format, 'doc');
    assert.equal(doc.metadata.author, 'Mr. Miagi');
    assert.match(doc.text, /Lorem ipsum dolor sit amet\./);
    const emph = await extract(corpus('unstructured/doc/fake-doc-emphasized-text.doc'));
    assert.ok(emph.blocks.some((b) => b.type === 'table'));
    assert.equal(wordRecall(emph.text, groundTruth('unstructured/doc/fake-doc-emphasized-text.doc')), 1);
  });

  it('PPTX: slides in order with titles, bodies, tables and metadata', async () => {
    const doc = await extract(corpus('unstructured/pptx/fake-power-point-table.pptx'));
    assert.equal(doc.format, 'pptx');
    assert.equal(doc.metadata.slides, 1);
    assert.deepEqual(doc.blocks.map((b) => b.type), ['heading', 'table']);
    assert.equal(doc.pages?.[0]?.number, 1);
    assert.match(doc.markdown, /<!-- slide 1 -->/);
    for (const f of ['unstructured/pptx/fake-power-point.pptx', 'textract/pptx/raw_text.pptx', 'unstructured/pptx/science-exploration-1p.pptx', 'docling/pptx/powerpoint_malformed_pictures.pptx']) {
      assert.ok(wordRecall((await extract(corpus(f))).text, groundTruth(f)) >= 0.95, f);
    }
  });

  it('PPTX: charts become their title, kind and data table', async () => {
    const doc = await extract(corpus('docling/pptx/pptx_chart.pptx'));
    const table = doc.blocks.find((b) => b.type === 'table')!;
    assert.deepEqual(table.rows![0], ['', 'Freshwater Ducks', 'Saltwater Ducks']);
    assert.deepEqual(table.rows![1], ['2019', '120', '80']);
    assert.ok(blockTexts(doc, 'paragraph').includes('Wild Duck Observations by Year'));
    assert.ok(blockTexts(doc, 'paragraph').includes('Bar chart'));
  });

  it('PPT: slide text from the binary format, masters skipped', async () => {
    const doc = await extract(corpus('unstructured/ppt/fake-power-point.ppt'));
    assert.equal(doc.format, 'ppt');
    assert.equal(doc.metadata.slides, 1);
    assert.equal(wordRecall(doc.text, groundTruth('unstructured/ppt/fake-power-point.ppt')), 1);
    assert.deepEqual(blockTexts(doc, 'heading'), ['Adding a Bullet Slide']);
  });

  it('refuses a truncated PPTX', async () => {
    await assert.rejects(extract(corpus('synthetic/corrupt/truncated.pptx')), (e: BrightRunError) => e.code === 'CORRUPT_FILE' && /truncated/.test(e.message));
  });

});
