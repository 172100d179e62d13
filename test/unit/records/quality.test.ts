import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { DocumentStore } from '../../../src/core/extract/documentStore';
import type { ExtractedDocument } from '../../../src/core/extract/types';
import type { ProjectConfig } from '../../../src/core/project/config';
import { Project } from '../../../src/core/project/project';
import type { SourceEntry } from '../../../src/core/project/sources';
import { buildProjectRecords, dryRunRecords } from '../../../src/core/records/build';
import { buildDocumentRecords } from '../../../src/core/records/documentRecords';
import type { SourceDocument } from '../../../src/core/records/chunker';
import type { RecordSettings } from '../../../src/core/records/settings';
import { applyLengthLimits } from '../../../src/core/records/quality';
import { pageFurniture, textWithout } from '../../../src/core/records/furniture';
import { recordSettings } from '../../../src/core/records/settings';
import { loadTokenizer } from '../../../src/core/records/tokenizer';
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

/**
 * A PDF-like document: each page has a running header, body paragraphs (one per line, blocks of type
 * paragraph), and a footer "Page n of N"; the header's page number and a "Draft" stamp on one page vary.
 */
function pagedDoc(pages: number, seed = 1): ExtractedDocument {
  const r = rng(seed);
  let text = '';
  const blocks: ExtractedDocument['blocks'] = [];
  const pageInfo: NonNullable<ExtractedDocument['pages']> = [];
  for (let p = 1; p <= pages; p++) {
    const start = text.length;
    const line = (t: string, type: 'paragraph' | 'heading' = 'paragraph') => {
      blocks.push({ type, start: text.length, end: text.length + t.length, page: p, ...(type === 'heading' ? { level: 1 } : {}) });
      text += t + '\n';
    };
    line(`ACME P-200 Pump Manual  —  Section ${p}`);
    if (p === 2) line('Draft');
    if (p === 1) line('Installation', 'heading');
    for (let k = 0; k < 3; k++) line(Array.from({ length: 4 }, () => sentence(r)).join(' '));
    line(`Page ${p} of ${pages}`);
    pageInfo.push({ number: p, start, end: text.length, source: 'text-layer' });
    text += '\n';
  }
  const d = makeDoc([]);
  return { ...d, id: idOf(text), format: 'pdf', text, blocks, pages: pageInfo, markdown: text };
}

describe('records: page furniture', () => {
  const tok = loadTokenizer('qwen3');

  it('finds running headers and page numbers recurring at page edges (digits folded), nothing else', () => {
    const doc = pagedDoc(8);
    const spans = pageFurniture(doc);
    const lines = spans.map((s) => doc.text.slice(s.start, s.end));
    assert.equal(lines.length, 16, lines.join('|'));
    assert.ok(lines.every((l) => /^(ACME P-200 Pump Manual {2}— {2}Section \d+|Page \d+ of 8)\n$/.test(l)), lines.join('|'));
    assert.deepEqual(pageFurniture(pagedDoc(2)), [], 'two pages: too few to tell');
    const plain = makeDoc(generatedParts(3));
    assert.deepEqual(pageFurniture(plain), [], 'no pages');
  });

  it('leaves furniture out of chunks while spans still index the original text', () => {
    const doc = pagedDoc(10);
    const settings = recordSettings({ formatVersion: 1, name: 'x', records: { targetTokens: 120, maxTokens: 180, overlapTokens: 0 } });
    const { records, furnitureLines } = chunkOutput({ doc, sourcePath: 'manual.pdf' }, settings, tok);
    assert.equal(furnitureLines, 20);
    assert.ok(records.length > 3);
    for (const r of records) {
      assert.ok(!/ACME P-200|Page \d+ of 10/.test(r.text), r.text);
      const { start, end } = r.lineage.span;
      assert.equal(r.text, textWithout(doc.text, start, end, r.lineage.removed ?? []), 'text = span without the removed parts');
      for (const h of r.lineage.removed ?? []) assert.match(doc.text.slice(h.start, h.end), /^(ACME|Page \d+ of 10)/);
      assert.equal(r.tokens, tok.count(r.text));
      assert.ok(r.tokens! <= 180);
    }
    assert.ok(records.some((r) => r.lineage.removed?.length), 'some chunk spans a page break');
    assert.ok(records.some((r) => r.text.includes('Draft')), 'a line on one page only is kept');
    // Every body character is in some record.
    const body = doc.blocks.filter((b) => !/^(ACME|Page \d)/.test(doc.text.slice(b.start, b.end)));
    const covered = new Uint8Array(doc.text.length);
    for (const r of records) covered.fill(1, r.lineage.span.start, r.lineage.span.end);
    for (const b of body) for (let i = b.start; i < b.end; i++) assert.ok(covered[i] || /\s/.test(doc.text[i]!), `character ${i} of "${doc.text.slice(b.start, b.end)}" in no record`);

    const off = recordSettings({ formatVersion: 1, name: 'x', records: { targetTokens: 120, maxTokens: 180, overlapTokens: 0, removeFurniture: false } });
    const kept = chunkOutput({ doc, sourcePath: 'manual.pdf' }, off, tok);
    assert.equal(kept.furnitureLines, undefined);
    assert.ok(kept.records.some((r) => r.text.includes('Page 3 of 10')) && kept.records.every((r) => r.text === doc.text.slice(r.lineage.span.start, r.lineage.span.end) && !r.lineage.removed));
    assert.notEqual(kept.records[0]!.lineage.paramsHash, records[0]!.lineage.paramsHash, 'the setting is part of the parameters');
  });
});

/** The chunk builder's records of one document and the furniture count its report (the record file's meta line) carries. */
function chunkOutput(source: SourceDocument, settings: RecordSettings, tok: ReturnType<typeof loadTokenizer>): { records: CompletionRecord[]; furnitureLines: number | undefined } {
  const [out] = buildDocumentRecords(source, settings, tok, { only: new Set(['chunk']) });
  return { records: out!.records as CompletionRecord[], furnitureLines: out!.report.furnitureLines };
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

  it('redacts PII when asked, counts per kind, flags records and re-measures them', async () => {
    const parts: Part[] = [
      { type: 'heading', text: 'Contacts', level: 1 },
      { type: 'paragraph', text: 'Ask jane.doe@example.com or call +1 202-555-0143 about the pump. The refund goes to DE89 3704 0044 0532 0130 00 by Friday.' },
      { type: 'paragraph', text: 'The service key is hf_abcdefghijklmnopqrstuvwxyz0123456789 and must be rotated. Nothing else here is private.' },
    ];
    const project = await projectWith(tmp.dir, { dedupe: 'exact' });
    await saveDocs(project, [{ path: 'x/contacts.md', doc: docFrom(parts) }]);
    const plain = await buildProjectRecords(project);
    assert.equal(plain.manifest.pii, undefined, 'off by default');
    assert.ok((await allRecords(project)).some((r) => r.text.includes('jane.doe@example.com')));
    await projectWith(tmp.dir, { dedupe: 'exact', redactPii: true });
    const m = (await buildProjectRecords(await Project.open(tmp.dir))).manifest;
    assert.deepEqual(m.pii, { email: 1, phone: 1, iban: 1, card: 0, secret: 1, records: 1 });
    const [r] = await allRecords(project);
    assert.equal(r!.text, 'Contacts\n\nAsk [EMAIL] or call [PHONE] about the pump. The refund goes to [IBAN] by Friday.\n\nThe service key is [SECRET] and must be rotated. Nothing else here is private.');
    assert.deepEqual(r!.flags, ['pii-redacted']);
    assert.equal(r!.tokens, loadTokenizer('qwen3').count(r!.text));
    const [preview] = await dryRunRecords(await Project.open(tmp.dir), 1);
    assert.equal((preview!.outputs[0]!.records[0] as CompletionRecord).text, r!.text, 'the dry run shows the redacted text');
    // Truncating a redacted record keeps its span on the original text.
    const long = { ...r!, text: `${r!.text} ${'More words about seals and valves. '.repeat(40)}`, tokens: undefined };
    const cut = applyLengthLimits(long, loadTokenizer('qwen3'), { minTokens: 1, maxTokens: 60, overLength: 'truncate' });
    assert.equal(cut.action, 'truncated');
    assert.deepEqual((cut as { record: CompletionRecord }).record.lineage.span, r!.lineage.span);
    await assert.rejects(projectWith(tmp.dir, { redactPii: ['email', 'passport' as 'email'] }), /redactPii/);
  });

  it('reports splits per stratum (folder, format, metadata) without moving any document', async () => {
    const docs: Array<{ path: string; doc: ExtractedDocument }> = [];
    for (let i = 0; i < 24; i++) {
      const d = docFrom(generatedParts(200 + i, 2));
      d.metadata = i % 3 === 0 ? { language: 'de' } : i % 3 === 1 ? { language: 'en' } : {};
      docs.push({ path: `${i % 2 ? 'manuals' : 'notes/2024'}/d${i}.md`, doc: d });
    }
    const ratios = { train: 0.5, validation: 0.25, test: 0.25, seed: 3 };
    const project = await projectWith(tmp.dir, { dedupe: 'none' }, ratios);
    await saveDocs(project, docs.slice(0, 16));
    const plain = await buildProjectRecords(project);
    assert.equal(plain.manifest.strata, undefined);
    const before = new Map((await allRecords(project)).map((r) => [r.id, r.split]));

    for (const field of ['folder', 'metadata.language', 'format'] as const) {
      await projectWith(tmp.dir, { dedupe: 'none' }, { ...ratios, stratifyBy: field });
      const m = (await buildProjectRecords(await Project.open(tmp.dir))).manifest;
      const strata = m.strata!;
      assert.equal(strata.field, field);
      for (const split of ['train', 'validation', 'test'] as const) {
        const cells = Object.values(strata.splits[split]);
        assert.equal(cells.reduce((s, c) => s + c.records, 0), m.splits[split].records, `${field} ${split} records`);
        assert.equal(cells.reduce((s, c) => s + c.tokens, 0), m.splits[split].tokens);
        assert.equal(cells.reduce((s, c) => s + c.documents, 0), m.splits[split].documents);
      }
      const names = new Set(Object.values(strata.splits).flatMap((o) => Object.keys(o)));
      const expected = { folder: ['manuals', 'notes/2024'], 'metadata.language': ['(none)', 'de', 'en'], format: ['md'] }[field];
      assert.deepEqual([...names].sort(), expected, field);
      assert.deepEqual(new Map((await allRecords(project)).map((r) => [r.id, r.split])), before, 'stratifying moves nothing');
    }
    // Adding documents moves no existing record between splits.
    await saveDocs(project, docs.slice(16));
    await buildProjectRecords(await Project.open(tmp.dir));
    const after = new Map((await allRecords(project)).map((r) => [r.id, r.split]));
    for (const [id, split] of before) assert.equal(after.get(id), split);
    await assert.rejects(projectWith(tmp.dir, {}, { ...ratios, stratifyBy: 'colour' }), /stratifyBy/);
  });

  it('counts furniture per build, also for documents whose records are reused', async () => {
    const project = await projectWith(tmp.dir, { dedupe: 'exact', targetTokens: 120, maxTokens: 180 });
    await saveDocs(project, [{ path: 'm/a.pdf', doc: pagedDoc(6, 1) }, { path: 'm/b.pdf', doc: pagedDoc(4, 2) }, { path: 'm/c.md', doc: docFrom(generatedParts(5)) }]);
    const first = await buildProjectRecords(project);
    assert.deepEqual(first.manifest.furniture, { lines: 20, documents: 2 });
    const again = await buildProjectRecords(project);
    assert.equal(again.processed, 0);
    assert.deepEqual(again.manifest.furniture, { lines: 20, documents: 2 });
    assert.ok((await allRecords(project)).every((r) => !/ACME P-200/.test(r.text)));
  });
});
