import * as assert from 'node:assert/strict';
import { extract } from '../../../src/core';
import { docxParts, NS, pptxParts, run, slide, textBox, wp } from '../../support/officeParts';
import { useTempDir } from '../../support/tmp';
import { buildZip } from '../../support/zipBuilder';

const XML = '<?xml version="1.0" encoding="UTF-8"?>';

describe('extract: comments, and what a document holds but was not read', () => {
  const tmp = useTempDir();

  it('PPTX classic comments (p:cmLst) with their authors (p:cmAuthorLst), after the slide', async () => {
    const parts = pptxParts([slide(textBox(run('Agenda')))], [[['c', '../comments/comment1.xml']]], {
      'ppt/comments/comment1.xml': `${XML}<p:cmLst ${NS.p}><p:cm authorId="1" idx="1"><p:pos x="1" y="1"/><p:text>Shorten this.</p:text></p:cm><p:cm authorId="9" idx="2"><p:text>Who wrote me?</p:text></p:cm></p:cmLst>`,
      'ppt/commentAuthors.xml': `${XML}<p:cmAuthorLst ${NS.p}><p:cmAuthor id="1" name="Ann Lee" initials="AL" lastIdx="1" clrIdx="0"/></p:cmAuthorLst>`,
    });
    const doc = await extract(await tmp.write('classic.pptx', buildZip(parts)));
    assert.equal(doc.text, 'Agenda\n\nComment by Ann Lee: Shorten this.\n\nComment: Who wrote me?');
    assert.match(doc.markdown, /> Comment by Ann Lee: Shorten this\./);
    assert.deepEqual(doc.blocks.map((b) => b.slide), [1, 1, 1]);
  });

  it('PPTX modern comments (p188:cmLst) with replies and authors from ppt/authors.xml', async () => {
    const body = (t: string) => `<p188:txBody><a:bodyPr/><a:p><a:r><a:t>${t}</a:t></a:r></a:p></p188:txBody>`;
    const parts = pptxParts([slide(textBox(run('Q3')))], [[['m', '../comments/modernComment_100_ABC.xml']]], {
      'ppt/comments/modernComment_100_ABC.xml': `${XML}<p188:cmLst ${NS.p188} ${NS.a}><p188:cm id="{1}" authorId="{A}" created="2024-01-01T00:00:00">${body('Numbers?')}<p188:replyLst><p188:reply id="{2}" authorId="{B}">${body('Coming.')}</p188:reply></p188:replyLst></p188:cm></p188:cmLst>`,
      'ppt/authors.xml': `${XML}<p188:authorLst ${NS.p188}><p188:author id="{A}" name="Ann" initials="A" userId="a"/><p188:author id="{B}" name="Bo" initials="B" userId="b"/></p188:authorLst>`,
    });
    const doc = await extract(await tmp.write('modern.pptx', buildZip(parts)));
    assert.equal(doc.text, 'Q3\n\nComment by Ann: Numbers?\n\nReply by Bo: Coming.');
  });

  it('DOCX comments (word/comments.xml) with their authors, after the body; a damaged one is UNREADABLE_PART', async () => {
    const comments = `${XML}<w:comments ${NS.w}><w:comment w:id="0" w:author="Ann"><w:p><w:r><w:t>Cite this.</w:t></w:r></w:p></w:comment></w:comments>`;
    const doc = await extract(await tmp.write('c.docx', buildZip(docxParts(wp('Body text.'), { 'word/comments.xml': comments }))));
    assert.equal(doc.text, 'Body text.\n\nComment by Ann: Cite this.');
    const bad = await extract(await tmp.write('bad.docx', buildZip(docxParts(wp('Body text.'), { 'word/comments.xml': '<w:comments>' }))));
    assert.equal(bad.text, 'Body text.');
    assert.match(bad.warnings.map((w) => w.message).join('\n'), /The part word\/comments\.xml could not be read \(it is not well-formed XML/);
  });

  it('an empty result whose parts hold text says what was skipped (SKIPPED_CONTENT), masters and layouts aside', async () => {
    const header = `${XML}<w:hdr ${NS.w}><w:p><w:r><w:t>Only in the header</w:t></w:r></w:p></w:hdr>`;
    const doc = await extract(await tmp.write('header.docx', buildZip(docxParts('<w:p/>', { 'word/header1.xml': header, 'word/glossary/document.xml': header }))));
    assert.equal(doc.text, '');
    const skipped = doc.warnings.find((w) => w.code === 'SKIPPED_CONTENT');
    assert.ok(skipped, JSON.stringify(doc.warnings));
    assert.equal(skipped.message, 'No text was extracted, but this part holds text that was skipped: word/header1.xml (18 characters). Bright Run does not read this kind of content yet; please report the file.');
    assert.match(doc.warnings.find((w) => w.code === 'EMPTY_TEXT')!.message, /were skipped/);

    const layout = slide(textBox(run('Click to edit Master title style')));
    const empty = await extract(await tmp.write('empty.pptx', buildZip(pptxParts([slide('')], [], { 'ppt/slideLayouts/slideLayout1.xml': layout }))));
    assert.deepEqual(empty.warnings.map((w) => w.code), ['EMPTY_TEXT']);
  });
});
