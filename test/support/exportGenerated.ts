import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ExportContext } from '../../src/core/export/types';
import type { RecordKind, SplitName, TrainingRecord } from '../../src/core/records/types';
import { rng } from './rng';

/** Texts every writer must carry unchanged: non-ASCII (accents, CJK, emoji, RTL), empty, quotes and control characters, very long. */
export const EDGE_TEXTS: readonly string[] = [
  'Überdruck im Gehäuse: naïve café — 圧力 🚀 שלום',
  '',
  'quotes " and \' and \\ backslash, tab\tand\nnewline, CRLF\r\nend',
  'line separators \u2028 and \u2029, a NUL-free control \u0001',
  'x'.repeat(300_000),
];

const WORDS = ['pump', 'valve', 'pressure', 'seal', 'Überdruck', 'naïve', '圧力', 'café', 'bearing', 'flow'];

function text(r: () => number, n: number): string {
  return Array.from({ length: n }, () => WORDS[Math.floor(r() * WORDS.length)]).join(' ');
}

/** Record `i` of a generated dataset of one kind: the first records carry the edge texts, the rest generated words. */
export function generatedRecord(kind: RecordKind, i: number, split: SplitName = 'train', longChars = 300_000): TrainingRecord {
  const r = rng(1_000_003 + i);
  const edge = i < EDGE_TEXTS.length ? (i === EDGE_TEXTS.length - 1 ? 'x'.repeat(longChars) : EDGE_TEXTS[i]) : undefined;
  const body = edge ?? text(r, 5 + Math.floor(r() * 40));
  const base = {
    id: `${split}-${kind}-${String(i).padStart(6, '0')}`,
    split,
    tokens: 3 + (i % 50),
    flags: i % 7 === 3 ? ['near-duplicate'] : undefined,
    lineage: { documentId: 'd'.repeat(64), sourcePath: `docs/manual-${i % 3}.pdf`, page: i % 4 === 0 ? undefined : 1 + (i % 9), span: { start: i * 10, end: i * 10 + body.length }, headingPath: ['Intro'], builder: kind === 'completion' ? 'chunk' as const : kind, paramsHash: '0123456789abcdef' },
  };
  switch (kind) {
    case 'completion':
      return { ...base, kind, text: body };
    case 'instruction':
      return { ...base, kind, instruction: `Explain ${text(r, 3)}?`, input: i % 2 ? '' : body, output: body || 'empty' };
    case 'chat':
      return {
        ...base, kind, messages: [
          ...(i % 3 === 0 ? [{ role: 'system' as const, content: 'You are a careful technician.' }] : []),
          { role: 'user', content: `Question ${i}: ${text(r, 4)}` },
          { role: 'assistant', content: body },
          ...(i % 5 === 1 ? [{ role: 'user' as const, content: 'And then?' }, { role: 'assistant' as const, content: `Then ${text(r, 6)}.` }] : []),
        ],
      };
  }
}

/** An ExportContext over generated records: `counts` per split, written into `dir`; the long edge text has `longChars` characters. */
export function generatedContext(dir: string, kind: RecordKind, counts: Partial<Record<SplitName, number>>, options: Record<string, unknown> = {}, extra: Partial<ExportContext> = {}, longChars = 300_000): ExportContext {
  const splits = (['train', 'validation', 'test'] as const).filter((s) => (counts[s] ?? 0) > 0);
  return {
    dir,
    splits,
    kind,
    counts: { train: counts.train ?? 0, validation: counts.validation ?? 0, test: counts.test ?? 0 },
    lineageColumns: false,
    compression: 'none',
    options,
    async *records(split) {
      const n = counts[split] ?? 0;
      for (let i = 0; i < n; i++) yield generatedRecord(kind, i, split, longChars);
    },
    ...extra,
  };
}

/** Every file under `dir`, relative with '/', sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) await walk(full);
      else out.push(path.relative(dir, full).split(path.sep).join('/'));
    }
  };
  await walk(dir);
  return out.sort();
}
