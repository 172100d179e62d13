import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readSampleFile, renderExportSample, runExport, SplitTally, previewExport, type ExportRequest } from '../../../src/core/export';
import { mappingProblem, profileFromDraft, profileProblems, withExportProfile } from '../../../src/core/export/profileEdit';
import { defaultConfig, type ExportProfile } from '../../../src/core/project/config';
import { projectPaths } from '../../../src/core/project/paths';
import { updateOverlay } from '../../../src/core/records/overlay';
import type { TrainingRecord } from '../../../src/core/records/types';
import { makeRecords, writeRecordsBuild } from '../../support/exportRecords';
import { useTempDir } from '../../support/tmp';

describe('export preview (the export panel)', () => {
  const tmp = useTempDir();

  /** 30 completion records (train 21, validation 6, test 3); two train and one test record excluded, one edited. */
  async function project(records: TrainingRecord[] = makeRecords('completion', 30)): Promise<{ paths: ReturnType<typeof projectPaths>; records: TrainingRecord[]; excluded: string[] }> {
    await writeRecordsBuild(tmp.dir, records);
    const paths = projectPaths(tmp.dir);
    const train = records.filter((r) => r.split === 'train');
    const excluded = [train[1]!.id, train[3]!.id, records.find((r) => r.split === 'test')!.id];
    await updateOverlay(paths.dataDir, (o) => {
      o.setExcluded(excluded, true);
      o.setEdit(train[0]!.id, { kind: 'completion', text: 'Edited text.' }, 3);
    });
    return { paths, records, excluded };
  }

  it('SplitTally counts records, tokens and kinds per split; excluded is the build less what was added', () => {
    const t = new SplitTally();
    t.add({ kind: 'completion', tokens: 5 }, 'train');
    t.add({ kind: 'chat', tokens: 7, flags: ['edited'] }, 'train');
    t.add({ kind: 'completion' }, 'test');
    const r = t.result({ build: 'b', builtAt: 'now', splits: { train: { records: 3 }, validation: { records: 0 }, test: { records: 1 } } });
    assert.deepEqual(r.splits.train, { records: 2, tokens: 12, kinds: { completion: 1, chat: 1 } });
    assert.deepEqual(r.splits.test, { records: 1, tokens: 0, kinds: { completion: 1 } });
    assert.deepEqual(r.splits.validation, { records: 0, tokens: 0, kinds: {} });
    assert.equal(r.total, 3);
    assert.equal(r.excluded, 1);
    assert.equal(r.edited, 1);
    assert.deepEqual(r.kinds, ['chat', 'completion']);
  });

  it('counts the current build after the overlay: excluded records left out, edits with their tokens — as the export writes', async () => {
    const { paths, records, excluded } = await project();
    const progress: number[] = [];
    const p = await previewExport(paths, { onProgress: (x) => progress.push(x.done) });
    assert.equal(p.build, 'b1');
    assert.deepEqual([p.splits.train.records, p.splits.validation.records, p.splits.test.records], [19, 6, 2]);
    assert.equal(p.total, 27);
    assert.equal(p.excluded, 3);
    assert.equal(p.edited, 1);
    assert.deepEqual(p.kinds, ['completion']);
    const editedId = records.filter((r) => r.split === 'train')[0]!.id;
    const trainTokens = records.filter((r) => r.split === 'train' && !excluded.includes(r.id)).reduce((n, r) => n + (r.id === editedId ? 3 : r.tokens!), 0);
    assert.equal(p.splits.train.tokens, trainTokens);
    assert.equal(progress.at(-1), 27);
    const exported = await runExport({ paths }, { name: 'check', formats: ['jsonl'] });
    assert.deepEqual(exported.manifest.records.splits, { train: p.splits.train.records, validation: p.splits.validation.records, test: p.splits.test.records });
  });

  it('renders the first records of a split exactly as each writer writes them (compared with a real export)', async () => {
    const { paths, excluded } = await project();
    const request: ExportRequest = {
      name: 'sample',
      formats: ['jsonl', 'json', 'csv', 'parquet', 'tfrecord', 'template', 'axolotl', 'pytorch', 'hf'],
      compression: 'none',
      lineageColumns: true,
      options: {
        json: { pretty: true, mapping: { drop: ['span_start', 'span_end'], rename: { text: 'content' }, nest: { meta: ['source_path', 'page'] }, constants: { lang: 'en' } } },
        csv: { delimiter: ';', encoding: 'utf-16le' },
        template: { record: '{{ index }}. {{ record.text | length }} chars from {{ lineage.sourcePath }}', header: '# {{ split }}: {{ count }} records' },
        hf: { files: 'jsonl' },
      },
    };
    const sample = await renderExportSample({ paths }, request, 'train', { limit: 4, counts: { completion: 19 }, maxChars: 1_000_000 });
    assert.equal(sample.records, 4);
    assert.ok(!sample.ids.some((id) => excluded.includes(id)), 'excluded records are not sampled');
    for (const f of sample.formats) assert.equal(f.error, undefined, `${f.format}: ${f.error?.message}`);
    const exported = await runExport({ paths }, request);
    const fileOf = (format: string, rel: string) => {
      const s = sample.formats.find((f) => f.format === format)!.files.find((f) => f.path === rel);
      assert.ok(s, `${format} has ${rel} (has ${sample.formats.find((f) => f.format === format)!.files.map((f) => f.path).join(', ')})`);
      return s;
    };
    const read = (rel: string) => fs.readFile(path.join(exported.dir, ...rel.split('/')));

    // Text formats: the sample is the beginning of the exported file (up to its footer).
    const jsonl = fileOf('jsonl', 'jsonl/train.jsonl');
    assert.equal(jsonl.role, 'data');
    assert.equal(jsonl.text!.split('\n').length, 5);
    assert.ok((await read('jsonl/train.jsonl')).toString('utf8').startsWith(jsonl.text!));
    const json = fileOf('json', 'json/train.json').text!;
    const first = JSON.parse(json)[0] as Record<string, unknown>;
    assert.deepEqual(Object.keys(first), ['id', 'content', 'meta', 'lang'], 'the field mapping is applied');
    assert.ok((await read('json/train.json')).toString('utf8').startsWith(json.replace(/\n\]\n$/, '')));
    const csv = fileOf('csv', 'csv/train.csv').text!;
    assert.ok(csv.startsWith('id;text;source_path;page;span_start;span_end\r\n'), JSON.stringify(csv.slice(0, 60)));
    assert.ok(new TextDecoder('utf-16le').decode(await read('csv/train.csv')).startsWith(csv));
    const template = fileOf('template', 'template/train.txt').text!;
    assert.match(template, /^# train: 19 records\n0\. \d+ chars from docs\/sourcé /);
    assert.ok((await read('template/train.txt')).toString('utf8').startsWith(template));
    for (const rel of ['axolotl/train.jsonl', 'pytorch/train.jsonl', 'hf/data/train-00000-of-00001.jsonl']) {
      const format = rel.split('/')[0]!;
      assert.ok((await read(rel)).toString('utf8').startsWith(fileOf(format, rel).text!), rel);
    }
    assert.equal(fileOf('axolotl', 'axolotl/datasets.yml').role, 'meta');
    assert.equal(fileOf('hf', 'hf/README.md').role, 'meta');

    // Binary formats: the rows as the columns / features they become, equal to the exported file's first rows.
    const parquet = fileOf('parquet', 'parquet/train.parquet');
    assert.deepEqual(parquet.columns, [{ name: 'id', type: 'string' }, { name: 'text', type: 'string' }, { name: 'source_path', type: 'string' }, { name: 'page', type: 'int32' }, { name: 'span_start', type: 'int32' }, { name: 'span_end', type: 'int32' }]);
    const exportedParquet = await readSampleFile(exported.dir, exported.manifest.files.find((f) => f.path === 'parquet/train.parquet')!, 1_000_000);
    assert.deepEqual(parquet.rows, exportedParquet.rows!.slice(0, 4));
    const tf = fileOf('tfrecord', 'tfrecord/train.tfrecord');
    const exportedTf = await readSampleFile(exported.dir, exported.manifest.files.find((f) => f.path === 'tfrecord/train.tfrecord')!, 1_000_000);
    assert.deepEqual(tf.rows, exportedTf.rows!.slice(0, 4));
    assert.deepEqual(tf.columns!.map((c) => `${c.name}:${c.type}`), ['id:bytes_list', 'text:bytes_list', 'source_path:bytes_list', 'page:int64_list', 'span_start:int64_list', 'span_end:int64_list']);
  });

  it('shows chat rows of Parquet as list<struct>, safetensors as token slices, and gzip undone', async function () {
    this.timeout(60_000);
    const { paths } = await project(makeRecords('chat', 12));
    const sample = await renderExportSample({ paths }, { name: 'chat', formats: ['parquet', 'pytorch', 'jsonl', 'llama-factory'], compression: 'gzip', options: { pytorch: { tokenizer: 'qwen3' } } }, 'validation', { limit: 2 });
    const parquet = sample.formats[0]!.files[0]!;
    assert.deepEqual(parquet.columns, [{ name: 'id', type: 'string' }, { name: 'messages', type: 'list<struct<role: string, content: string>>' }]);
    assert.equal((parquet.rows![0] as { messages: unknown[] }).messages.length, 3);
    const tensors = sample.formats[1]!.files.find((f) => f.path.endsWith('.safetensors'))!;
    assert.equal(tensors.metadata?.tokenizer, 'qwen3');
    assert.equal(tensors.rows!.length, 2);
    const row = tensors.rows![0] as { tokens: number; input_ids: number[]; labels: number[] };
    assert.ok(row.tokens > 10 && row.input_ids.length === Math.min(256, row.tokens));
    assert.ok(row.labels.includes(-100));
    const jsonl = sample.formats[2]!.files[0]!;
    assert.equal(jsonl.path, 'jsonl/validation.jsonl.gz');
    assert.equal(JSON.parse(jsonl.text!.split('\n')[0]!).messages[0].role, 'system');
    const llama = sample.formats[3]!.files[0]!;
    assert.equal(llama.path, 'llama-factory/chat_validation.jsonl');
    assert.deepEqual(JSON.parse(llama.text!.split('\n')[0]!).messages.map((m: { role: string }) => m.role), ['system', 'user', 'assistant'], 'the sharegpt style of LLaMA-Factory');
    const exported = await runExport({ paths }, { name: 'chat', formats: ['jsonl', 'llama-factory'], compression: 'gzip' });
    assert.ok(gunzipSync(await fs.readFile(path.join(exported.dir, 'jsonl', 'validation.jsonl.gz'))).toString('utf8').startsWith(jsonl.text!));
    assert.ok((await fs.readFile(path.join(exported.dir, 'llama-factory', 'chat_validation.jsonl'), 'utf8')).startsWith(llama.text!));
  });

  it('a format with bad options reports its error; the others still render; text is capped', async () => {
    const { paths } = await project();
    const sample = await renderExportSample({ paths }, { name: 'bad', formats: ['csv', 'jsonl', 'json'], options: { csv: { delimiter: '\n' }, json: { mapping: { drop: ['nope'] } } } }, 'train', { limit: 5, maxChars: 1000 });
    const [csv, jsonl, json] = sample.formats;
    assert.equal(csv!.error?.code, 'CONFIG_INVALID');
    assert.match(csv!.error!.message, /delimiter/);
    assert.equal(json!.error?.code, 'CONFIG_INVALID');
    assert.equal(jsonl!.error, undefined);
    assert.equal(jsonl!.files[0]!.text!.length, 1000);
    assert.equal(jsonl!.files[0]!.truncated, true);
    await assert.rejects(renderExportSample({ paths }, { name: 'x', formats: ['jsonl'] }, 'train', { limit: 500 }), /not allowed/);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(renderExportSample({ paths }, { name: 'x', formats: ['jsonl'] }, 'train', { signal: controller.signal }), (e: Error & { code?: string }) => e.code === 'CANCELLED');
  });

  it('a draft becomes a profile keeping what the form does not show; problems name their field', () => {
    const existing: ExportProfile = { name: 'old', formats: ['jsonl'], compress: true, watchDebounceMs: 5000, tfrecord: {} };
    const profile = profileFromDraft({ name: 'new', formats: ['csv', 'json'], lineageColumns: true, options: { csv: { delimiter: ';', quote: '' }, json: {} } }, existing);
    assert.deepEqual(profile, { name: 'new', formats: ['csv', 'json'], watchDebounceMs: 5000, tfrecord: {}, compression: 'gzip', lineageColumns: true, csv: { delimiter: ';' } });
    const config = { ...defaultConfig('p'), exports: [existing, { name: 'other', formats: ['hf'] } as ExportProfile] };
    const next = withExportProfile(config, profile, 'old');
    assert.deepEqual(next.exports!.map((p) => p.name), ['new', 'other']);
    assert.deepEqual(withExportProfile(config, { name: 'third', formats: ['csv'] }).exports!.map((p) => p.name), ['old', 'other', 'third']);
    assert.deepEqual(config.exports.map((p) => p.name), ['old', 'other'], 'the given config is not changed');

    const ctx = { kinds: ['completion' as const] };
    assert.deepEqual(profileProblems(config, profile, 'old', ctx), []);
    const field = (p: ExportProfile, replacing?: string) => profileProblems(config, p, replacing, ctx).map((x) => x.field);
    assert.deepEqual(field({ name: 'bad name', formats: ['csv'] }), ['name', 'name']);
    assert.deepEqual(field({ name: 'other', formats: ['csv'] }), ['name']);
    assert.deepEqual(field({ name: 'x', formats: ['csv'], csv: { encoding: 'latin-1' as never } }), ['csv.encoding']);
    assert.deepEqual(field({ name: 'x', formats: ['csv'], csv: { delimiter: ';', quote: ';' } }), ['csv.quote']);
    assert.deepEqual(field({ name: 'x', formats: ['json'], json: { mapping: { drop: ['nope'] } } }), ['json.mapping.drop']);
    assert.deepEqual(field({ name: 'x', formats: ['json'], json: { mapping: { rename: { text: 'id' } } } }), ['json.mapping.rename']);
    // A mixed build: a name another kind has is fine (skipped for the kind that lacks it); a name no kind has is not.
    const mixed = { kinds: ['completion' as const, 'instruction' as const] };
    assert.deepEqual(profileProblems(config, { name: 'x', formats: ['json'], json: { mapping: { rename: { output: 'answer' }, nest: { q: ['instruction'] } } } }, undefined, mixed), []);
    assert.deepEqual(profileProblems(config, { name: 'x', formats: ['json'], json: { mapping: { rename: { outptu: 'answer' } } } }, undefined, mixed).map((x) => x.field), ['json.mapping.rename']);
    assert.deepEqual(field({ name: 'x', formats: ['json'], json: { mapping: { nest: { meta: ['page'] } } } }), ['json.mapping.nest'], 'page exists only with lineage columns');
    assert.deepEqual(field({ name: 'x', formats: ['json'], lineageColumns: true, json: { mapping: { nest: { meta: ['page'] }, constants: { meta: 1 } } } }), ['json.mapping.constants']);
    assert.deepEqual(field({ name: 'x', formats: ['template'] }), ['template.record']);
    assert.deepEqual(field({ name: 'x', formats: ['template'], template: { record: '{{ record.text ' } }), ['template.record']);
    assert.equal(mappingProblem({ rename: { text: 'content' } }, ['id', 'text'], 'completion'), undefined);
  });
});
