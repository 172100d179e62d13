import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { CardStats, datasetCard, parseCardHeader, sizeCategory } from '../../../src/core/export/formats/datasetCard';
import { checkCardAgainstFiles, globRegExp, hfLayoutFormat, shardName } from '../../../src/core/export/formats/hfLayout';
import { generatedContext, generatedRecord, listFiles } from '../../support/exportGenerated';
import { useTempDir } from '../../support/tmp';

const run = promisify(execFile);

/** `load_dataset` on the folder, as the Hub and a training script would: each split's length and features (JSON). */
async function loadWithDatasets(dir: string): Promise<{ splits: Record<string, number>; features: Record<string, unknown>; sample: Record<string, unknown> }> {
  const script = [
    'import json, sys',
    'from datasets import load_dataset',
    'ds = load_dataset(sys.argv[1])',
    'first = next(iter(ds.values()))',
    'print(json.dumps({"splits": {k: len(v) for k, v in ds.items()}, "features": first.features.to_dict(), "sample": first[0]}, ensure_ascii=False))',
  ].join('\n');
  const cache = path.join(dir, '..', 'hf-cache');
  const { stdout } = await run('python3', ['-c', script, dir], { env: { ...process.env, HF_DATASETS_CACHE: cache, HF_HOME: cache, HF_DATASETS_OFFLINE: '1', HF_HUB_OFFLINE: '1' }, maxBuffer: 64 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as never;
}

describe('export: Hugging Face datasets layout', function () {
  this.timeout(180_000);
  const tmp = useTempDir();

  it('shards each split by size, names shards {split}-0000i-of-0000n, and datasets.load_dataset reads every split with its features', async () => {
    const out = path.join(tmp.dir, 'v');
    const ctx = generatedContext(out, 'chat', { train: 300, validation: 20, test: 10 }, { shardBytes: 8 * 1024, rowGroupRows: 25, card: { name: 'pump-manuals', license: 'apache-2.0', language: ['en', 'de'], quality: { 'near-duplicates removed': 4 } } });
    const files = await hfLayoutFormat.write(ctx);
    const names = await listFiles(out);
    const train = names.filter((n) => n.startsWith('hf/data/train-'));
    assert.ok(train.length >= 3, `expected several train shards, got ${train.join(', ')}`);
    train.forEach((n, i) => assert.equal(n, `hf/${shardName('train', i, train.length, 'parquet')}`));
    assert.ok(names.includes('hf/data/validation-00000-of-00001.parquet') && names.includes('hf/data/test-00000-of-00001.parquet'));
    assert.ok(!names.some((n) => n.endsWith('.tmp')));
    assert.deepEqual(files.map((f) => f.path).sort(), names);
    assert.equal(files.filter((f) => f.split === 'train').reduce((n, f) => n + f.records!, 0), 300);
    assert.deepEqual(await hfLayoutFormat.verify(out, files), []);

    const card = await fs.readFile(path.join(out, 'hf/README.md'), 'utf8');
    const header = parseCardHeader(card)!;
    assert.equal(header.license, 'apache-2.0');
    assert.deepEqual(header.language, ['en', 'de']);
    assert.deepEqual(header.size_categories, ['n<1K']);
    assert.deepEqual(header.task_categories, ['text-generation']);
    const info = header.dataset_info as { features: unknown[]; splits: { name: string; num_examples: number; num_bytes: number }[]; download_size: number; dataset_size: number };
    assert.deepEqual(info.features, [{ name: 'id', dtype: 'string' }, { name: 'messages', list: [{ name: 'role', dtype: 'string' }, { name: 'content', dtype: 'string' }] }]);
    assert.deepEqual(info.splits.map((s) => [s.name, s.num_examples]), [['train', 300], ['validation', 20], ['test', 10]]);
    assert.equal(info.download_size, files.filter((f) => f.split).reduce((n, f) => n + f.bytes, 0));
    assert.ok(info.dataset_size > 300_000); // one 300,000-character record per split
    assert.match(card, /# pump-manuals/);
    assert.match(card, /`docs\/manual-0\.pdf`/);
    assert.match(card, /`chat`: 330 records/);
    assert.match(card, /near-duplicates removed \| 4/);
    assert.match(card, /tokens per record.*\| 3 \/ \d+ \/ 52 \|/);

    const loaded = await loadWithDatasets(path.join(out, 'hf'));
    assert.deepEqual(loaded.splits, { train: 300, validation: 20, test: 10 });
    assert.deepEqual(Object.keys(loaded.features), ['id', 'messages']);
    assert.deepEqual(loaded.sample, generatedRecord('chat', 0, 'train').kind === 'chat' ? { id: 'train-chat-000000', messages: (generatedRecord('chat', 0, 'train') as { messages: unknown }).messages } : {});
  });

  it('writes JSONL shards with files: "jsonl" (lineage columns included) that load_dataset reads', async () => {
    const out = path.join(tmp.dir, 'v');
    const files = await hfLayoutFormat.write(generatedContext(out, 'instruction', { train: 12, test: 4 }, { files: 'jsonl' }, { lineageColumns: true }));
    assert.deepEqual(files.map((f) => f.path), ['hf/data/train-00000-of-00001.jsonl', 'hf/data/test-00000-of-00001.jsonl', 'hf/README.md']);
    assert.deepEqual(await hfLayoutFormat.verify(out, files), []);
    const loaded = await loadWithDatasets(path.join(out, 'hf'));
    assert.deepEqual(loaded.splits, { train: 12, test: 4 });
    assert.deepEqual(Object.keys(loaded.features), ['id', 'instruction', 'input', 'output', 'source_path', 'page', 'span_start', 'span_end']);
    assert.equal(loaded.sample.instruction, (generatedRecord('instruction', 0) as { instruction: string }).instruction);
  });

  it('verify finds a card whose counts or globs disagree with the files, and a card without YAML', async () => {
    const out = path.join(tmp.dir, 'v');
    const files = await hfLayoutFormat.write(generatedContext(out, 'completion', { train: 5, test: 2 }));
    const data = files.filter((f) => f.split);
    const header = parseCardHeader(await fs.readFile(path.join(out, 'hf/README.md'), 'utf8'))!;
    assert.deepEqual(checkCardAgainstFiles(header, data, 'hf/README.md'), []);
    const wrongCount = checkCardAgainstFiles(header, data.map((f) => ({ ...f, records: 1 })), 'hf/README.md');
    assert.ok(wrongCount.some((f) => /split train has 5 examples, its files hold 1/.test(f.message)));
    const wrongGlob = { ...header, configs: [{ config_name: 'default', data_files: [{ split: 'train', path: 'data/training-*.parquet' }, { split: 'test', path: 'data/*.parquet' }] }] };
    const globs = checkCardAgainstFiles(wrongGlob, data, 'hf/README.md').map((f) => f.message).join('\n');
    assert.match(globs, /"data\/training-\*\.parquet" \(split train\) matches no file/);
    assert.match(globs, /"data\/\*\.parquet" matches/);
    await fs.writeFile(path.join(out, 'hf/README.md'), '# no header\n');
    assert.ok((await hfLayoutFormat.verify(out, files)).some((f) => /no YAML header/.test(f.message)));
    await fs.writeFile(path.join(out, 'hf/README.md'), '---\nlicense: [unclosed\n---\n');
    assert.ok((await hfLayoutFormat.verify(out, files)).some((f) => /YAML does not parse/.test(f.message)));
  });

  it('size categories follow the Hub buckets, globs stay within a path segment', () => {
    assert.deepEqual([0, 999, 1000, 9_999, 10_000, 2_500_000, 5e12].map(sizeCategory), ['n<1K', 'n<1K', '1K<n<10K', '1K<n<10K', '10K<n<100K', '1M<n<10M', 'n>1T']);
    assert.ok(globRegExp('data/train-*.parquet').test('data/train-00000-of-00002.parquet'));
    assert.ok(!globRegExp('data/train-*.parquet').test('data/x/train-0.parquet'));
    assert.ok(globRegExp('data/**.parquet').test('data/x/train-0.parquet'));
  });

  it('the card body lists sources by relative path, absolute ones by file name only, and says what the data is', () => {
    const stats = new CardStats();
    stats.add({ ...generatedRecord('completion', 7), lineage: { ...generatedRecord('completion', 7).lineage, sourcePath: '/home/someone/secret/plan.pdf' } });
    stats.add(generatedRecord('completion', 8));
    const card = datasetCard({ configs: [{ name: 'default', kind: 'completion', columns: ['id', 'text'], splits: [{ name: 'train', numExamples: 2, numBytes: 10, glob: 'data/train-*.parquet' }], downloadSize: 5, isDefault: true, stats }], info: {}, stats });
    assert.match(card, /^---\nlicense: unknown\n/);
    assert.match(card, /`plan\.pdf`/);
    assert.doesNotMatch(card, /home\/someone/);
    assert.match(card, /plain-text records/);
    assert.match(card, /built by Bright Run from 2 source documents/);
  });
});
