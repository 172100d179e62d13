import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { addSources, extractProject, Project, type ExtractedDocument } from '../../../src/core';
import { DocumentStore } from '../../../src/core/extract/documentStore';
import { ExtractionPool } from '../../../src/core/extract/extractionPool';
import { useTempDir, writeFiles } from '../../support/tmp';

/**
 * Issue #13 throughput: in a project run the extraction process writes the document itself and only a summary
 * comes back; the run looks up stored documents only for bytes that have one.
 */
describe('documents written by the extraction processes', function () {
  this.timeout(120_000);
  const tmp = useTempDir();

  it('extractToStore: the process writes <sha256>.json with the stored path; the summary, not the text, comes back', async () => {
    await writeFiles(tmp.dir, { 'in/a.md': '# Title A\n\nSome text about pumps, valves and seals.\n' });
    const dir = path.join(tmp.dir, 'documents');
    const pool = new ExtractionPool(1, 1);
    try {
      const stored = await pool.extractToStore(path.join(tmp.dir, 'in/a.md'), { ocr: false }, { dir, sourcePath: 'in/a.md' });
      assert.equal(stored.stored, true);
      assert.ok(!('text' in stored) && !('blocks' in stored), 'no document text in the reply');
      assert.equal(stored.file, path.join(dir, `${stored.id}.json`));
      assert.deepEqual({ format: stored.extracted.format, title: stored.extracted.title, ocrPages: stored.extracted.ocrPages }, { format: 'md', title: 'Title A', ocrPages: 0 });
      const doc = JSON.parse(await fs.readFile(stored.file, 'utf8')) as ExtractedDocument;
      assert.equal(doc.id, stored.id);
      assert.equal(doc.source.path, 'in/a.md');
      assert.equal(doc.text.length, stored.extracted.chars);
      assert.equal(stored.size, doc.source.size);
      assert.deepEqual((await fs.readdir(dir)).filter((n) => n.endsWith('.tmp')), [], 'no temp file left');
      // A failing file fails as before, with its code.
      await writeFiles(tmp.dir, { 'in/empty.md': '' });
      await assert.rejects(pool.extractToStore(path.join(tmp.dir, 'in/empty.md'), { ocr: false }, { dir, sourcePath: 'in/empty.md' }), { code: 'EMPTY_FILE' });
    } finally {
      await pool.close();
    }
  });

  it('a run opens no stored document for new bytes, and reuses one stored for the same bytes under another name', async () => {
    const project = await Project.create(tmp.dir, { name: 'p' });
    const files: Record<string, string> = {};
    for (let i = 0; i < 20; i++) files[`docs/f${i}.md`] = `# Doc ${i}\n\nText ${i}.\n`;
    files['docs/same.md'] = files['docs/f3.md']!;
    await writeFiles(tmp.dir, files);
    await addSources(project, [path.join(tmp.dir, 'docs')]);
    const load = DocumentStore.prototype.loadCurrent;
    let lookups = 0;
    DocumentStore.prototype.loadCurrent = function (sha256: string) {
      lookups++;
      return load.call(this, sha256);
    };
    try {
      const summary = await extractProject(project, { options: { ocr: false }, concurrency: 1 });
      assert.equal(summary.done, 21);
      assert.equal(summary.failed, 0);
      assert.ok(lookups <= 1, `${lookups} stored documents looked up for 20 new contents (only the duplicate may be)`);
      const sources = await project.readSources();
      assert.ok(sources.every((s) => s.status === 'done' && s.extracted?.format === 'md'));
      assert.equal((await fs.readdir(project.paths.documents)).filter((n) => n.endsWith('.json')).length, 20);
    } finally {
      DocumentStore.prototype.loadCurrent = load;
    }
  });
});
