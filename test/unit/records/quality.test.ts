import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { DocumentStore } from '../../../src/core/extract/documentStore';
import type { ExtractedDocument } from '../../../src/core/extract/types';
import type { ProjectConfig } from '../../../src/core/project/config';
import { Project } from '../../../src/core/project/project';
import type { SourceEntry } from '../../../src/core/project/sources';
import { buildProjectRecords } from '../../../src/core/records/build';
import { RecordStore } from '../../../src/core/records/store';
import type { CompletionRecord } from '../../../src/core/records/types';
import { generatedParts, makeDoc, rng, sentence, type Part } from '../../support/recordDocs';
import { useTempDir } from '../../support/tmp';

/** Saves documents into a project as extracted sources (status done) at the given paths. */
async function saveDocs(project: Project, docs: Array<{ path: string; doc: ExtractedDocument }>): Promise<void> {
  const store = new DocumentStore(project.paths.documents);
  const now = new Date().toISOString();
  const entries: SourceEntry[] = [];
  for (const { path, doc } of docs) {
    await store.save(doc);
    entries.push({ path, sha256: doc.id, size: doc.text.length, mtimeMs: 0, addedAt: now, updatedAt: now, status: 'done' });
  }
  await project.updateSources((sources) => ({ sources: [...sources.filter((s) => !entries.some((e) => e.path === s.path)), ...entries], result: undefined }));
}

const idOf = (text: string) => createHash('sha256').update(text).digest('hex');
const docFrom = (parts: Part[]) => {
  const d = makeDoc(parts);
  return { ...d, id: idOf(d.text) };
};

async function projectWith(dir: string, records: NonNullable<ProjectConfig['records']>, splits?: ProjectConfig['splits']): Promise<Project> {
  const project = (await Project.find(dir)) ? await Project.open(dir) : await Project.create(dir, { name: 'quality' });
  await project.saveConfig({ ...project.config, records: { builder: 'chunk', targetTokens: 200, maxTokens: 300, overlapTokens: 0, minTokens: 4, ...records }, ...(splits ? { splits } : {}) });
  return project;
}

async function allRecords(project: Project): Promise<CompletionRecord[]> {
  const out: CompletionRecord[] = [];
  for await (const r of new RecordStore(project.paths.records).records()) out.push(r as CompletionRecord);
  return out;
}

/** A long prose document (one section of many sentences) and a copy with one sentence changed. */
function nearPair(seed: number): [Part[], Part[]] {
  const r = rng(seed);
  const sentences = Array.from({ length: 40 }, () => sentence(r));
  const changed = [...sentences];
  changed[20] = 'A completely different remark about the coupling alignment procedure goes here.';
  return [
    [{ type: 'heading', text: `Manual ${seed}`, level: 1 }, { type: 'paragraph', text: sentences.join(' ') }],
    [{ type: 'heading', text: `Manual ${seed}`, level: 1 }, { type: 'paragraph', text: changed.join(' ') }],
  ];
}

describe('records: quality steps in the build', function () {
  this.timeout(60_000);
  const tmp = useTempDir();

  it('dedupe "near" drops near-duplicate records of later sources, keeps the first, and counts them', async () => {
    const docs: Array<{ path: string; doc: ExtractedDocument }> = [];
    for (const seed of [1, 2, 3]) {
      const [a, b] = nearPair(seed);
      docs.push({ path: `a/doc${seed}.md`, doc: docFrom(a) }, { path: `b/copy${seed}.md`, doc: docFrom(b) });
    }
    docs.push({ path: 'c/other.md', doc: docFrom(generatedParts(99)) });
    const whole = { targetTokens: 2000, maxTokens: 3000 }; // one record per document
    const exact = await projectWith(tmp.dir, { dedupe: 'exact', ...whole });
    await saveDocs(exact, docs);
    const e = (await buildProjectRecords(exact)).manifest;
    const exactRecords = await allRecords(exact);
    assert.deepEqual(e.dropped, { duplicates: 0, nearDuplicates: 0, tooShort: 0 });

    await projectWith(tmp.dir, { dedupe: 'near', nearDuplicateThreshold: 0.85, ...whole });
    const near = await Project.open(tmp.dir);
    const m = (await buildProjectRecords(near)).manifest;
    const kept = await allRecords(near);
    assert.deepEqual(m.dropped, { duplicates: 0, nearDuplicates: 3, tooShort: 0 });
    assert.equal(kept.length, exactRecords.length - m.dropped.nearDuplicates!);
    const gone = exactRecords.filter((r) => !kept.some((k) => k.id === r.id));
    assert.ok(gone.length > 0 && gone.every((r) => r.lineage.sourcePath.startsWith('b/')), 'the later source loses its copies');
    assert.ok(kept.some((r) => r.lineage.sourcePath === 'c/other.md'), 'an unrelated document stays');
    const again = (await buildProjectRecords(near)).manifest;
    assert.deepEqual(again.dropped, m.dropped, 'deterministic');
  });
});
