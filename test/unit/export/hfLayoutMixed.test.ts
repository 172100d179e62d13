import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { runExport, verifyExportDir } from '../../../src/core/export';
import { parseCardHeader } from '../../../src/core/export/formats/datasetCard';
import { checkCardAgainstFiles, defaultConfigKind, hfLayoutFormat } from '../../../src/core/export/formats/hfLayout';
import type { ExportContext } from '../../../src/core/export/types';
import { verifyVersion } from '../../../src/core/export/verifyExport';
import { projectPaths } from '../../../src/core/project/paths';
import type { RecordKind, SplitName } from '../../../src/core/records/types';
import { makeRecords, writeRecordsBuild } from '../../support/exportRecords';
import { generatedRecord, listFiles } from '../../support/exportGenerated';
import { useTempDir } from '../../support/tmp';

const run = promisify(execFile);
type Counts = Partial<Record<SplitName, number>>;

/** A mixed-kind context as the runner gives it (kind 'mixed', counts per kind, the kinds interleaved in each split). */
function mixedContext(dir: string, perKind: Partial<Record<RecordKind, Counts>>, options: Record<string, unknown> = {}): ExportContext {
  const kinds = Object.keys(perKind) as RecordKind[];
  const full = (c: Counts) => ({ train: c.train ?? 0, validation: c.validation ?? 0, test: c.test ?? 0 });
  const total = (s: SplitName) => kinds.reduce((a, k) => a + (perKind[k]![s] ?? 0), 0);
  return {
    dir,
    kind: 'mixed',
    kinds: Object.fromEntries(kinds.map((k) => [k, full(perKind[k]!)])),
    splits: (['train', 'validation', 'test'] as const).filter((s) => total(s) > 0),
    counts: { train: total('train'), validation: total('validation'), test: total('test') },
    lineageColumns: false,
    compression: 'none',
    options,
    async *records(split) {
      const max = Math.max(...kinds.map((k) => perKind[k]![split] ?? 0));
      for (let i = 0; i < max; i++) for (const k of kinds) if (i < (perKind[k]![split] ?? 0)) yield generatedRecord(k, i, split, 2_000);
    },
  };
}

/** `load_dataset(folder, name)` for each request (name null: no name) in one Python process: split lengths and feature names. */
async function loadConfigs(requests: { dir: string; name: string | null }[]): Promise<{ splits: Record<string, number>; features: string[]; config: string }[]> {
  const script = [
    'import json, sys',
    'from datasets import load_dataset',
    'out = []',
    'for req in json.loads(sys.argv[1]):',
    '    ds = load_dataset(req["dir"], req["name"]) if req["name"] else load_dataset(req["dir"])',
    '    first = next(iter(ds.values()))',
    '    out.append({"splits": {k: len(v) for k, v in ds.items()}, "features": list(first.features.keys()), "config": first.info.config_name})',
    'print(json.dumps(out))',
  ].join('\n');
  const cache = path.join(path.dirname(requests[0]!.dir), '..', 'hf-cache');
  const { stdout } = await run('python3', ['-c', script, JSON.stringify(requests)], { env: { ...process.env, HF_DATASETS_CACHE: cache, HF_HOME: cache, HF_DATASETS_OFFLINE: '1', HF_HUB_OFFLINE: '1' }, maxBuffer: 64 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as never;
}

describe('export: Hugging Face layout of a mixed-kind build (one dataset, a config per kind)', function () {
  this.timeout(240_000);
  const tmp = useTempDir();
  const perKind = { chat: { train: 40, validation: 6, test: 4 }, completion: { train: 25, test: 3 }, instruction: { train: 10 } };

  it('writes data/{kind}/{split}-… per config, a card with a config per kind (the largest the default), and load_dataset reads each config by name and the default without one', async () => {
    const out = path.join(tmp.dir, 'v');
    const files = await hfLayoutFormat.write(mixedContext(out, perKind, { shardBytes: 1024, rowGroupRows: 8, card: { name: 'mixed' } }));
    const named = path.join(tmp.dir, 'w');
    const namedFiles = await hfLayoutFormat.write(mixedContext(named, perKind, { files: 'jsonl', defaultConfig: 'instruction' }));
    const names = await listFiles(out);
    assert.deepEqual(files.map((f) => f.path).sort(), names);
    assert.ok(names.some((n) => /^hf\/data\/completion\/test-00000-of-0000\d\.parquet$/.test(n)) && names.some((n) => /^hf\/data\/instruction\/train-00000-of-0000\d\.parquet$/.test(n)), names.join(', '));
    assert.ok(names.filter((n) => n.startsWith('hf/data/chat/train-')).length >= 2, `chat train is sharded: ${names.join(', ')}`);
    assert.ok(!names.some((n) => /^hf\/data\/[^/]+\.parquet$/.test(n) || n.endsWith('.tmp') || n.startsWith('hf/data/instruction/test')));
    for (const f of files.filter((x) => x.split)) assert.equal(f.kind, f.path.split('/')[2], f.path);
    assert.deepEqual(files.find((f) => f.path === 'hf/README.md')!.details, { configs: 'chat,completion,instruction', defaultConfig: 'chat' });
    assert.deepEqual(await hfLayoutFormat.verify(out, files), []);
    assert.deepEqual(await hfLayoutFormat.verify(named, namedFiles), []);

    const card = await fs.readFile(path.join(out, 'hf/README.md'), 'utf8');
    const header = parseCardHeader(card)!;
    assert.deepEqual(header.configs, [
      { config_name: 'chat', default: true, data_files: [{ split: 'train', path: 'data/chat/train-*.parquet' }, { split: 'validation', path: 'data/chat/validation-*.parquet' }, { split: 'test', path: 'data/chat/test-*.parquet' }] },
      { config_name: 'completion', data_files: [{ split: 'train', path: 'data/completion/train-*.parquet' }, { split: 'test', path: 'data/completion/test-*.parquet' }] },
      { config_name: 'instruction', data_files: [{ split: 'train', path: 'data/instruction/train-*.parquet' }] },
    ]);
    const info = header.dataset_info as { config_name: string; features: { name: string }[]; splits: { name: string; num_examples: number }[]; download_size: number }[];
    assert.deepEqual(info.map((i) => [i.config_name, i.features.map((f) => f.name), i.splits.map((s) => `${s.name}=${s.num_examples}`)]), [
      ['chat', ['id', 'messages'], ['train=40', 'validation=6', 'test=4']],
      ['completion', ['id', 'text'], ['train=25', 'test=3']],
      ['instruction', ['id', 'instruction', 'input', 'output'], ['train=10']],
    ]);
    assert.equal(info[1]!.download_size, files.filter((f) => f.kind === 'completion').reduce((a, f) => a + f.bytes, 0));
    assert.deepEqual(header.size_categories, ['n<1K']);
    assert.match(card, /\| `chat` \(default\) \| 50 \| `chat` \|/);
    assert.match(card, /### `instruction`\n\nRecords: instruction records[^\n]*\n\n\| split \| examples \| files \|\n\|---\|---:\|---\|\n\| train \| 10 \| `data\/instruction\/train-\*\.parquet` \|/);
    assert.match(card, /Features: `id`, `text`\./);
    assert.match(card, /load_dataset\("path\/to\/this\/folder", "completion"\)/);
    assert.match(card, /\| records \| 88 \|/);
    const namedHeader = parseCardHeader(await fs.readFile(path.join(named, 'hf/README.md'), 'utf8'))!;
    assert.deepEqual((namedHeader.configs as { config_name: string; default?: boolean }[]).filter((c) => c.default).map((c) => c.config_name), ['instruction']);

    const loaded = await loadConfigs([
      { dir: path.join(out, 'hf'), name: 'chat' },
      { dir: path.join(out, 'hf'), name: 'completion' },
      { dir: path.join(out, 'hf'), name: 'instruction' },
      { dir: path.join(out, 'hf'), name: null },
      { dir: path.join(named, 'hf'), name: null },
      { dir: path.join(named, 'hf'), name: 'chat' },
    ]);
    assert.deepEqual(loaded, [
      { config: 'chat', splits: { train: 40, validation: 6, test: 4 }, features: ['id', 'messages'] },
      { config: 'completion', splits: { train: 25, test: 3 }, features: ['id', 'text'] },
      { config: 'instruction', splits: { train: 10 }, features: ['id', 'instruction', 'input', 'output'] },
      { config: 'chat', splits: { train: 40, validation: 6, test: 4 }, features: ['id', 'messages'] },
      { config: 'instruction', splits: { train: 10 }, features: ['id', 'instruction', 'input', 'output'] },
      { config: 'chat', splits: { train: 40, validation: 6, test: 4 }, features: ['id', 'messages'] },
    ]);
  });

  it('the default config: the named kind, else the largest (a tie: the first by name); a named kind the build lacks is refused', () => {
    const kinds = { chat: { train: 5, validation: 0, test: 0 }, completion: { train: 3, validation: 2, test: 1 } };
    assert.equal(defaultConfigKind({}, kinds), 'completion');
    assert.equal(defaultConfigKind({}, { chat: { train: 2, validation: 0, test: 0 }, instruction: { train: 2, validation: 0, test: 0 } }), 'chat');
    assert.equal(defaultConfigKind({ defaultConfig: 'chat' }, kinds), 'chat');
    assert.throws(() => defaultConfigKind({ defaultConfig: 'instruction' }, kinds), (e: { code?: string; message: string }) => e.code === 'INVALID_ARGUMENT' && /no instruction records \(they hold chat, completion\)/.test(e.message));
    assert.throws(() => defaultConfigKind({ defaultConfig: 'pretraining' }, kinds), /"defaultConfig" is "pretraining"/);
  });

  it('a mixed context without its kinds is refused; a cancelled mixed write stops with CANCELLED', async () => {
    const ctx = mixedContext(path.join(tmp.dir, 'x'), { chat: { train: 30 }, completion: { train: 30 } });
    await assert.rejects(hfLayoutFormat.write({ ...ctx, kinds: {} }), (e: { code?: string }) => e.code === 'INVALID_ARGUMENT');
    const abort = new AbortController();
    let seen = 0;
    const records = ctx.records;
    const cancelled = hfLayoutFormat.write({ ...ctx, signal: abort.signal, records: async function* (split) {
      for await (const r of records(split)) {
        if (++seen === 10) abort.abort();
        yield r;
      }
    } });
    await assert.rejects(cancelled, (e: { code?: string }) => e.code === 'CANCELLED');
  });

  it('verify finds a config whose glob takes another kind\'s files, a missing default, a kind without a config and wrong per-config counts', async () => {
    const out = path.join(tmp.dir, 'v');
    const files = await hfLayoutFormat.write(mixedContext(out, { chat: { train: 3 }, completion: { train: 2, test: 1 } }, { files: 'jsonl' }));
    const data = files.filter((f) => f.split);
    const header = parseCardHeader(await fs.readFile(path.join(out, 'hf/README.md'), 'utf8'))!;
    assert.deepEqual(checkCardAgainstFiles(header, data, 'hf/README.md'), []);
    const configs = header.configs as { config_name: string; default?: boolean; data_files: { split: string; path: string }[] }[];
    const messages = (h: Record<string, unknown>) => checkCardAgainstFiles(h, data, 'hf/README.md').map((f) => f.message).join('\n');
    const greedy = { ...header, configs: [{ ...configs[0]!, data_files: [{ split: 'train', path: 'data/*/train-*.jsonl' }] }, configs[1]!] };
    assert.match(messages(greedy), /data_files glob "data\/\*\/train-\*\.jsonl" of config chat matches \[data\/chat\/train-00000-of-00001\.jsonl, data\/completion\/train-00000-of-00001\.jsonl\]/);
    assert.match(messages({ ...header, configs: configs.map(({ default: _d, ...c }) => c) }), /none is the default/);
    assert.match(messages({ ...header, configs: configs.map((c) => ({ ...c, default: true })) }), /several default configs \(chat, completion\)/);
    assert.match(messages({ ...header, configs: [configs[0]!] }), /files of kind completion have no config/);
    assert.match(messages({ ...header, configs: [configs[0]!, { ...configs[1]!, data_files: [configs[1]!.data_files[0]!] }] }), /split test of config completion has files but no data_files entry/);
    assert.match(checkCardAgainstFiles(header, data.map((f) => (f.kind === 'completion' && f.split === 'train' ? { ...f, records: 7 } : f)), 'hf/README.md').map((f) => f.message).join('\n'), /split train of config completion has 2 examples, its files hold 7/);
    // A JSONL file of one config checked against that config's features.
    await fs.writeFile(path.join(out, 'hf/data/completion/test-00000-of-00001.jsonl'), '{"id":"x","messages":[]}\n');
    const found = await hfLayoutFormat.verify(out, files.map((f) => (f.path.endsWith('completion/test-00000-of-00001.jsonl') ? { ...f, bytes: 25 } : f)));
    assert.ok(found.some((f) => /line 1 has fields \[id, messages\], the card's features are \[id, text\]/.test(f.message)), JSON.stringify(found));
  });

  it('runExport: hf writes one dataset for chat, completion and instruction records, the other formats a sub-folder per kind; verify checks each config\'s counts', async () => {
    await writeRecordsBuild(tmp.dir, [...makeRecords('chat', 12), ...makeRecords('completion', 8, 100), ...makeRecords('instruction', 10, 200)]);
    const r = await runExport({ paths: projectPaths(tmp.dir) }, { name: 'm', formats: ['hf', 'jsonl'], options: { hf: { files: 'jsonl' } } });
    const paths = r.manifest.files.map((f) => f.path);
    assert.ok(paths.includes('hf/README.md') && paths.includes('hf/data/chat/train-00000-of-00001.jsonl') && paths.includes('hf/data/instruction/validation-00000-of-00001.jsonl'), paths.join('\n'));
    assert.ok(paths.includes('chat/jsonl/train.jsonl') && paths.includes('completion/jsonl/validation.jsonl'), paths.join('\n'));
    assert.ok(!paths.some((p) => /^(chat|completion|instruction)\/hf\//.test(p)));
    assert.equal(r.manifest.files.find((f) => f.path === 'hf/data/completion/train-00000-of-00001.jsonl')!.kind, 'completion');
    assert.deepEqual((await verifyExportDir(r.dir)).findings, []);
    // A manifest whose per-kind counts disagree with the hf files is caught per kind.
    const manifest = { ...r.manifest, records: { ...r.manifest.records, kinds: { ...r.manifest.records.kinds, completion: { train: 1, validation: 0, test: 0 } } } };
    const findings = (await verifyVersion(r.dir, manifest)).map((f) => `${f.file}: ${f.message}`).join('\n');
    assert.match(findings, /hf \(completion config\): holds \d+ train record\(s\) in its \.jsonl files; the records build has 1/);
    assert.match(findings, /completion\/jsonl: holds \d+ train record\(s\)/);
  });
});
