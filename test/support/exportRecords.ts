import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { RecordsManifest } from '../../src/core/records/store';
import type { ChatMessage, RecordKind, SplitName, TrainingRecord } from '../../src/core/records/types';

const SPLITS: readonly SplitName[] = ['train', 'validation', 'test'];

function idOf(seed: string): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, 24);
}

function docId(n: number): string {
  return createHash('sha256').update(`doc ${n}`).digest('hex');
}

/** Texts that break naive writers: non-ASCII in several scripts, empty, quotes and delimiters, line breaks, very long. */
export const HARD_TEXTS: readonly string[] = [
  'Plain ASCII passage.',
  'Ünïcödé: naïve café — “quotes” ‘single’ € ™ 日本語のテキスト 中文 한국어 עברית العربية 🙂🚀 𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  '',
  'Commas, "double quotes", semicolons; tabs\tand\nnewlines\r\nCRLF and a lone \r carriage return',
  'x'.repeat(140_000) + ' end of a very long text (over the 131,072 characters Python\'s csv module allows by default)',
  '   leading and trailing spaces   ',
  'Backslash \\ and NUL-free control \u0001 \u001f characters, and U+2028 \u2028 U+2029 \u2029',
];

/** One record of `kind` whose strings come from HARD_TEXTS (index i), with lineage and a split. */
export function makeRecord(kind: RecordKind, i: number, split: SplitName, text = HARD_TEXTS[i % HARD_TEXTS.length]!): TrainingRecord {
  const base = {
    id: idOf(`${kind} ${i} ${text.length}`),
    split,
    tokens: 10 + ((i * 37) % 700),
    lineage: { documentId: docId(i % 3), sourcePath: `docs/sourcé ${i % 3}.pdf`, page: (i % 5) + 1, span: { start: i * 10, end: i * 10 + 9 }, headingPath: ['H'], builder: 'chunk' as const, paramsHash: '0123456789abcdef' },
  };
  if (kind === 'completion') return { ...base, kind, text };
  if (kind === 'instruction') return { ...base, kind, instruction: `Summarise: ${text.slice(0, 50)}`, input: text, output: i % 2 ? '' : `Réponse ${i}` };
  const messages: ChatMessage[] = [
    { role: 'system', content: 'You are helpful, "precise", and brief.' },
    { role: 'user', content: text },
    { role: 'assistant', content: `Answer, with a comma, a "quote" and ünïcödé ${i}` },
  ];
  return { ...base, kind, messages };
}

/** `n` records of `kind` spread over the three splits (train 70 %, validation and test the rest). */
export function makeRecords(kind: RecordKind, n: number, offset = 0): TrainingRecord[] {
  return Array.from({ length: n }, (_, k) => {
    const i = k + offset;
    return makeRecord(kind, i, i % 10 < 7 ? 'train' : i % 10 < 9 ? 'validation' : 'test');
  });
}

/**
 * Writes a records build into `<root>/.brightrun/records/` as RecordStore does (builds/<id>/<split>.jsonl and
 * manifest.json), so an export reads it through the real store. Returns the build id.
 */
export async function writeRecordsBuild(root: string, records: readonly TrainingRecord[], build = 'b1', builtAt = '2026-11-29T00:00:00.000Z'): Promise<string> {
  const dir = path.join(root, '.brightrun', 'records');
  const buildDir = path.join(dir, 'builds', build);
  await fs.mkdir(buildDir, { recursive: true });
  const splits = {} as RecordsManifest['splits'];
  for (const s of SPLITS) {
    const of = records.filter((r) => r.split === s);
    await fs.writeFile(path.join(buildDir, `${s}.jsonl`), of.map((r) => JSON.stringify(r) + '\n').join(''));
    splits[s] = { records: of.length, tokens: of.reduce((t, r) => t + (r.tokens ?? 0), 0), documents: new Set(of.map((r) => r.lineage.documentId)).size, overLength: { truncated: 1, dropped: 0 } };
  }
  const manifest: RecordsManifest = { formatVersion: 1, build, builtAt, builders: { chunk: { paramsHash: '0123456789abcdef', records: records.length, tokens: 0, documents: 3, dropped: { duplicates: 2, tooShort: 1, overLength: 0 }, problems: 0 } }, settings: { chunk: { tokenizer: 'qwen3' } }, documents: 3, splits, dropped: { duplicates: 2, tooShort: 1 }, problems: [], problemsTotal: 0 };
  // Switched by a rename, as RecordStore.publish does (writeFileAtomic): a reader never sees half a manifest.
  await fs.writeFile(path.join(dir, 'manifest.json.tmp'), JSON.stringify(manifest, null, 2) + '\n');
  await fs.rename(path.join(dir, 'manifest.json.tmp'), path.join(dir, 'manifest.json'));
  return build;
}
