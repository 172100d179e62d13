import { extractCsv } from '../../src/core/extract/backends/csv';
import { extractJsonLines } from '../../src/core/extract/backends/json';
import { DocumentStore } from '../../src/core/extract/documentStore';
import type { ExtractedDocument } from '../../src/core/extract/types';
import type { ProjectConfig } from '../../src/core/project/config';
import { Project } from '../../src/core/project/project';
import type { SourceEntry } from '../../src/core/project/sources';
import { generatedParts, makeDoc } from './recordDocs';

const hex = (n: number) => n.toString(16).padStart(64, '0');

/** A pairs CSV: a header, two good rows, row 3 (of the file, header = 1) without an answer. */
export const PAIRS_CSV = 'question,answer\nHow is the pump primed before the first start?,Fill the casing with clean water through the priming port until it overflows.\nWhat does the red lamp mean?,\nWhich oil grade does the gearbox take?,"ISO VG 220 gear oil, changed every 4000 operating hours."\n';

/** A pairs JSONL: a chat record, a non-JSON line 2 (extraction skips it), line 3 with a `tool` turn (skipped by the import). */
export const PAIRS_JSONL = [
  JSON.stringify({ messages: [{ role: 'user', content: 'What pressure does the relief valve open at?' }, { role: 'assistant', content: 'The relief valve opens at 6.5 bar and closes again below 5.8 bar.' }] }),
  '{"messages": [',
  JSON.stringify({ messages: [{ role: 'tool', content: 'x' }, { role: 'assistant', content: 'The seal kit part number is SK-100-B for every P-100 pump.' }] }),
].join('\n') + '\n';

function tabular(format: 'csv' | 'jsonl', source: string, id: string, path: string): ExtractedDocument {
  const part = format === 'csv' ? extractCsv(source) : extractJsonLines(source);
  return {
    id, source: { path, name: path.split('/').pop()!, size: source.length }, format, detectedBy: 'test', extractor: { name: 'brightrun', version: 'test', backend: format },
    timings: { totalMs: 0 }, ocrPages: 0, extractedAt: '2026-01-01T00:00:00Z', ...part,
  } as ExtractedDocument;
}

/**
 * A project with extracted documents written straight to its store: generated manuals `docs/d<seed>.md` and,
 * when asked, the pairs files `data/qa.csv` and `data/chat.jsonl` (each source entry with its format).
 */
export async function recordProject(dir: string, opts: { seeds: number[]; pairs?: boolean; records?: ProjectConfig['records'] }): Promise<Project> {
  const project = (await Project.find(dir)) ? await Project.open(dir) : await Project.create(dir, { name: 'recs' });
  await project.saveConfig({ ...project.config, records: { targetTokens: 80, maxTokens: 160, overlapTokens: 10, minTokens: 4, ...opts.records } });
  const store = new DocumentStore(project.paths.documents);
  const docs: Array<{ path: string; doc: ExtractedDocument }> = opts.seeds.map((seed) => ({ path: `docs/d${seed}.md`, doc: makeDoc(generatedParts(seed, 3), hex(seed * 7919)) }));
  if (opts.pairs) {
    docs.push({ path: 'data/qa.csv', doc: tabular('csv', PAIRS_CSV, 'e'.repeat(64), 'data/qa.csv') });
    docs.push({ path: 'data/chat.jsonl', doc: tabular('jsonl', PAIRS_JSONL, 'f'.repeat(64), 'data/chat.jsonl') });
  }
  const now = new Date().toISOString();
  const entries: SourceEntry[] = [];
  for (const { path, doc } of docs) {
    await store.save(doc);
    entries.push({ path, sha256: doc.id, size: doc.text.length, mtimeMs: 0, addedAt: now, updatedAt: now, status: 'done', extracted: { format: doc.format, ocrPages: 0, chars: doc.text.length, warnings: [], durationMs: 0 } });
  }
  await project.updateSources((sources) => ({ sources: [...sources.filter((s) => !entries.some((e) => e.path === s.path)), ...entries], result: undefined }));
  return project;
}
