import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runExport } from '../../../src/core/export';
import { parseCardHeader } from '../../../src/core/export/formats/datasetCard';
import { cardLanguages, LANGUAGE_SAMPLE_CHARS, LanguageTally, loadLanguageDetector, recordText } from '../../../src/core/export/languages';
import { projectPaths } from '../../../src/core/project/paths';
import type { SplitName, TrainingRecord } from '../../../src/core/records/types';
import { makeRecord, writeRecordsBuild } from '../../support/exportRecords';
import { useTempDir } from '../../support/tmp';

const EN = [
  'The pump must be serviced every six months. Check the seals and the pressure relief valve before you restart it.',
  'If the motor overheats, switch it off at once and let it cool down for at least thirty minutes.',
  'Replace the filter cartridge whenever the flow rate drops below the value printed on the housing.',
];
const DE = [
  'Die Pumpe muss alle sechs Monate gewartet werden. Prüfen Sie die Dichtungen und das Überdruckventil vor dem Neustart.',
  'Wenn der Motor überhitzt, schalten Sie ihn sofort aus und lassen Sie ihn mindestens dreißig Minuten abkühlen.',
];
const JA = ['ポンプは六か月ごとに点検してください。再起動する前に、シールと圧力弁を必ず確認してください。'];

/** A record of document `doc` (its documentId and source path) with `text`; kinds rotate so every text field is read. */
function record(doc: string, i: number, text: string, split: SplitName = 'train', kind = (['completion', 'instruction', 'chat'] as const)[i % 3]!): TrainingRecord {
  const r = makeRecord(kind, i, split, text);
  const id = createHash('sha256').update(`${doc} ${i}`).digest('hex').slice(0, 24);
  return { ...r, id, tokens: 10 + i, lineage: { ...r.lineage, documentId: createHash('sha256').update(doc).digest('hex'), sourcePath: `docs/${doc}.pdf` } };
}

/** 12 English records (one document), 6 German (one), 2 Japanese (one): 60 / 30 / 10 %. */
function multilingual(): TrainingRecord[] {
  const out: TrainingRecord[] = [];
  for (let i = 0; i < 12; i++) out.push(record('manual-en', i, EN[i % EN.length]!, i % 4 === 3 ? 'test' : 'train'));
  for (let i = 0; i < 6; i++) out.push(record('handbuch-de', 100 + i, DE[i % DE.length]!));
  for (let i = 0; i < 2; i++) out.push(record('manual-ja', 200 + i, JA[0]!, 'validation'));
  return out;
}

async function tree(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const walk = async (d: string) => {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) await walk(full);
      else out.set(path.relative(dir, full), await fs.readFile(full));
    }
  };
  await walk(dir);
  return out;
}

describe('export: languages (eld, one detection per source document)', function () {
  this.timeout(120_000);
  const tmp = useTempDir();

  it('tallies records and tokens per document language, und when eld is unsure, most records first', async () => {
    const tally = await LanguageTally.create();
    const records = [...multilingual(), record('numbers', 300, '12 34 56', 'train', 'completion'), record('empty', 301, '', 'train', 'completion')];
    for (const r of records) tally.add(r);
    const tokens = (from: number, n: number) => Array.from({ length: n }, (_, k) => 10 + from + k).reduce((a, b) => a + b, 0);
    assert.deepEqual(tally.result(), [
      { language: 'en', records: 12, tokens: tokens(0, 12), share: 0.5455 },
      { language: 'de', records: 6, tokens: tokens(100, 6), share: 0.2727 },
      { language: 'ja', records: 2, tokens: tokens(200, 2), share: 0.0909 },
      { language: 'und', records: 2, tokens: 310 + 311, share: 0.0909 },
    ]);
  });

  it('a document counts under the language of its first 2,000 characters; the text read covers every field of the record', async () => {
    const tally = await LanguageTally.create();
    const long = EN.join(' ').repeat(Math.ceil(LANGUAGE_SAMPLE_CHARS / EN.join(' ').length) + 1);
    tally.add(record('mixed-doc', 0, long));
    for (let i = 1; i < 5; i++) tally.add(record('mixed-doc', i, DE[0]!));
    assert.deepEqual(tally.result().map((l) => [l.language, l.records]), [['en', 5]]);
    const chat = record('x', 2, 'hello');
    assert.equal(chat.kind, 'chat');
    assert.match(recordText(chat), /helpful[\s\S]*hello[\s\S]*Answer/);
    assert.match(recordText(record('x', 1, 'body')), /^Summarise: body\nbody\n/);
    const detector = await loadLanguageDetector();
    assert.equal(detector, await loadLanguageDetector(), 'loaded once');
  });

  it('the card names languages with at least 1 % of the records, und never', () => {
    const fig = (language: string, records: number) => ({ language, records, tokens: 0, share: 0 });
    assert.deepEqual(cardLanguages([fig('en', 500), fig('und', 300), fig('de', 181), fig('fr', 10), fig('it', 9)]), ['en', 'de', 'fr']);
    assert.deepEqual(cardLanguages([]), []);
  });

  it('runExport: quality.languages in the manifest, the card\'s language (detected unless the profile sets it), byte-identical re-export', async () => {
    await writeRecordsBuild(tmp.dir, multilingual());
    const paths = projectPaths(tmp.dir);
    const r = await runExport({ paths }, { name: 'lang', formats: ['hf', 'jsonl'] });
    assert.deepEqual(r.manifest.quality.languages.map((l) => [l.language, l.records, l.share]), [['en', 12, 0.6], ['de', 6, 0.3], ['ja', 2, 0.1]]);
    const onDisk = JSON.parse(await fs.readFile(path.join(r.dir, 'manifest.json'), 'utf8')) as typeof r.manifest;
    assert.deepEqual(onDisk.quality.languages, r.manifest.quality.languages);
    const card = await fs.readFile(path.join(r.dir, 'hf/README.md'), 'utf8');
    assert.deepEqual(parseCardHeader(card)!.language, ['en', 'de', 'ja']);
    assert.match(card, /\| languages \(share of records, detected per source document\) \| en 60 % · de 30 % · ja 10 % \|/);

    const before = await tree(r.dir);
    await fs.rename(path.join(tmp.dir, 'exports'), path.join(tmp.dir, 'exports-old'));
    const again = await runExport({ paths }, { name: 'lang', formats: ['hf', 'jsonl'] });
    const after = await tree(again.dir);
    assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort());
    for (const [rel, bytes] of before) assert.ok(bytes.equals(after.get(rel)!), `${rel} is byte-identical`);

    const set = await runExport({ paths }, { name: 'set', formats: ['hf'], options: { hf: { language: ['fr'] } } });
    assert.deepEqual(parseCardHeader(await fs.readFile(path.join(set.dir, 'hf/README.md'), 'utf8'))!.language, ['fr']);
    assert.equal(set.manifest.quality.languages.length, 3, 'the manifest keeps what was detected');
  });
});
