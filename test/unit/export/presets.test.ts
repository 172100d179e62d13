import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { axolotlFormat, axolotlRowProblem } from '../../../src/core/export/formats/axolotl';
import { llamaFactoryFormat } from '../../../src/core/export/formats/llamaFactory';
import { alternatingTurns, llamaFactoryRowProblem, mergeDatasetInfo, type DatasetInfoEntry } from '../../../src/core/export/formats/llamaFactoryRules';
import { userTemplateFormat } from '../../../src/core/export/formats/userTemplate';
import type { ChatMessage } from '../../../src/core/records/types';
import { Project } from '../../../src/core';
import { runExport, verifyExportDir } from '../../../src/core/export';
import { generatedContext, generatedRecord, listFiles } from '../../support/exportGenerated';
import { makeRecords, writeRecordsBuild } from '../../support/exportRecords';
import { useTempDir } from '../../support/tmp';

const run = promisify(execFile);

async function jsonl(file: string): Promise<Record<string, unknown>[]> {
  return (await fs.readFile(file, 'utf8')).split('\n').filter((l) => l).map((l) => JSON.parse(l) as Record<string, unknown>);
}

const m = (role: ChatMessage['role'], content: string): ChatMessage => ({ role, content });

describe('export: LLaMA-Factory preset', function () {
  this.timeout(60_000);
  const tmp = useTempDir();

  it('writes chat records as sharegpt rows that pass the loader rules, with a dataset_info entry per split', async () => {
    const files = await llamaFactoryFormat.write(generatedContext(tmp.dir, 'chat', { train: 30, validation: 5 }, { name: 'pumps' }));
    assert.deepEqual(files.map((f) => f.path), ['llama-factory/pumps_train.jsonl', 'llama-factory/pumps_validation.jsonl', 'llama-factory/dataset_info.json']);
    const info = JSON.parse(await fs.readFile(path.join(tmp.dir, 'llama-factory/dataset_info.json'), 'utf8')) as Record<string, DatasetInfoEntry>;
    assert.deepEqual(Object.keys(info), ['pumps_train', 'pumps_validation']);
    assert.deepEqual(info.pumps_train, { file_name: 'pumps_train.jsonl', formatting: 'sharegpt', columns: { messages: 'messages' }, tags: { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant', system_tag: 'system' } });
    const rows = await jsonl(path.join(tmp.dir, 'llama-factory/pumps_train.jsonl'));
    assert.equal(rows.length, 30);
    for (const row of rows) assert.equal(llamaFactoryRowProblem(row, info.pumps_train), undefined);
    assert.deepEqual(rows[0], { messages: (generatedRecord('chat', 0) as { messages: ChatMessage[] }).messages });
    assert.deepEqual(await llamaFactoryFormat.verify(tmp.dir, files), []);
  });

  it('writes alpaca rows (chat history as pairs, system apart) and instruction records in both styles', async () => {
    const chat = await llamaFactoryFormat.write(generatedContext(path.join(tmp.dir, 'a'), 'chat', { train: 12 }, { style: 'alpaca' }));
    const info = JSON.parse(await fs.readFile(path.join(tmp.dir, 'a/llama-factory/dataset_info.json'), 'utf8')) as Record<string, DatasetInfoEntry>;
    assert.deepEqual(info.brightrun_train.columns, { prompt: 'instruction', query: 'input', response: 'output', system: 'system', history: 'history' });
    const rows = await jsonl(path.join(tmp.dir, 'a', chat[0].path));
    for (const row of rows) assert.equal(llamaFactoryRowProblem(row, info.brightrun_train), undefined);
    assert.equal(rows[0].system, 'You are a careful technician.');
    assert.deepEqual(rows[1].history, [[(generatedRecord('chat', 1) as { messages: ChatMessage[] }).messages[0].content, (generatedRecord('chat', 1) as { messages: ChatMessage[] }).messages[1].content]]);
    assert.equal(rows[1].output, (generatedRecord('chat', 1) as { messages: ChatMessage[] }).messages[3].content);
    assert.deepEqual(await llamaFactoryFormat.verify(path.join(tmp.dir, 'a'), chat), []);

    for (const style of ['alpaca', 'sharegpt'] as const) {
      const dir = path.join(tmp.dir, style);
      const files = await llamaFactoryFormat.write(generatedContext(dir, 'instruction', { train: 8 }, { style }));
      assert.deepEqual(await llamaFactoryFormat.verify(dir, files), []);
      const first = (await jsonl(path.join(dir, files[0].path)))[0];
      const r = generatedRecord('instruction', 0) as { instruction: string; input: string; output: string };
      assert.deepEqual(first, style === 'alpaca' ? { instruction: r.instruction, input: r.input, output: r.output } : { messages: [{ role: 'user', content: `${r.instruction}\n${r.input}` }, { role: 'assistant', content: r.output }] });
    }
  });

  it('writes completion records in the pre-training layout, leaving out empty texts', async () => {
    const files = await llamaFactoryFormat.write(generatedContext(tmp.dir, 'completion', { train: 10 }));
    assert.equal(files[0].records, 9); // record 1 has the empty text
    assert.equal(files[0].omitted, 1, 'what the loader would drop is counted, not silent');
    const info = JSON.parse(await fs.readFile(path.join(tmp.dir, 'llama-factory/dataset_info.json'), 'utf8')) as Record<string, DatasetInfoEntry>;
    assert.deepEqual(info.brightrun_train.columns, { prompt: 'text' });
    assert.deepEqual(await llamaFactoryFormat.verify(tmp.dir, files), []);
  });

  it('an export whose records include ones LLaMA-Factory leaves out is published and verifies (records + omitted = the build)', async () => {
    // Before: verify compared the rows written with the build's count and refused the version (EXPORT_INVALID).
    const project = await Project.create(tmp.dir, { name: 'p' });
    const records = makeRecords('completion', 19); // HARD_TEXTS[1] is '': records 1, 8 and 15 have an empty text
    await writeRecordsBuild(tmp.dir, records);
    const result = await runExport(project, { name: 'lf', formats: ['llama-factory'], compression: 'none', lineageColumns: false });
    assert.equal(result.status, 'published');
    const data = result.manifest.files.filter((f) => f.format === 'llama-factory' && f.split);
    const omitted = data.reduce((n, f) => n + (f.omitted ?? 0), 0);
    assert.equal(omitted, records.filter((r) => r.kind === 'completion' && r.text === '').length);
    assert.equal(data.reduce((n, f) => n + (f.records ?? 0), 0) + omitted, 19);
    assert.deepEqual((await verifyExportDir(result.dir)).findings, []);
  });

  it('makes conversations alternate: system apart, same-role turns merged, dangling turns dropped', () => {
    assert.deepEqual(alternatingTurns([m('assistant', 'hi'), m('user', 'a'), m('system', 's1'), m('user', 'b'), m('assistant', 'c'), m('system', 's2'), m('user', 'd')]), { system: 's1\n\ns2', turns: [{ user: 'a\n\nb', assistant: 'c' }] });
    assert.equal(alternatingTurns([m('system', 's'), m('user', 'only')]), undefined);
    assert.equal(alternatingTurns([]), undefined);
  });

  it('the rules checker catches what LLaMA-Factory drops', () => {
    const entry: DatasetInfoEntry = { file_name: 'x.jsonl', formatting: 'sharegpt', columns: { messages: 'messages' }, tags: { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant', system_tag: 'system' } };
    assert.match(llamaFactoryRowProblem({ messages: [m('user', 'a'), m('user', 'b')] }, entry)!, /roles must alternate/);
    assert.match(llamaFactoryRowProblem({ messages: [m('user', 'a'), m('assistant', 'b'), m('user', 'c')] }, entry)!, /even, non-zero/);
    assert.match(llamaFactoryRowProblem({ messages: [m('user', 'a'), m('system', 's'), m('assistant', 'b')] }, entry)!, /"system"/);
    assert.match(llamaFactoryRowProblem({ messages: [{ role: 'user', content: 3 }] }, entry)!, /lacks a string/);
    assert.equal(llamaFactoryRowProblem({ messages: [m('system', 's'), m('user', 'a'), m('assistant', 'b')] }, entry), undefined);
    const alpaca: DatasetInfoEntry = { file_name: 'y.jsonl', formatting: 'alpaca', columns: { prompt: 'instruction', query: 'input', response: 'output', history: 'history' } };
    assert.match(llamaFactoryRowProblem({ instruction: 'a', input: '', output: 5, history: [] }, alpaca)!, /"output" is not a string/);
    assert.match(llamaFactoryRowProblem({ instruction: 'a', input: '', output: 'b', history: [['x']] }, alpaca)!, /string pairs/);
    assert.match(llamaFactoryRowProblem({ instruction: '', input: '', output: 'b', history: [] }, alpaca)!, /empty prompt/);
  });

  it('merges into an existing dataset_info.json, keeping other datasets, and refuses a broken one', async () => {
    const existing = path.join(tmp.dir, 'dataset_info.json');
    await fs.writeFile(existing, JSON.stringify({ alpaca_en_demo: { file_name: 'alpaca_en_demo.json' }, brightrun_train: { file_name: 'old.jsonl', formatting: 'alpaca' } }));
    const files = await llamaFactoryFormat.write(generatedContext(path.join(tmp.dir, 'v'), 'instruction', { train: 3, test: 2 }, { datasetInfo: existing }));
    const info = JSON.parse(await fs.readFile(path.join(tmp.dir, 'v/llama-factory/dataset_info.json'), 'utf8')) as Record<string, DatasetInfoEntry>;
    assert.deepEqual(Object.keys(info), ['alpaca_en_demo', 'brightrun_train', 'brightrun_test']);
    assert.equal(info.brightrun_train.file_name, 'brightrun_train.jsonl');
    assert.deepEqual(info.alpaca_en_demo, { file_name: 'alpaca_en_demo.json' });
    assert.deepEqual(await llamaFactoryFormat.verify(path.join(tmp.dir, 'v'), files), []);
    await fs.writeFile(existing, '{"broken": ');
    await assert.rejects(llamaFactoryFormat.write(generatedContext(path.join(tmp.dir, 'w'), 'instruction', { train: 1 }, { datasetInfo: existing })), (e: { code?: string }) => e.code === 'CONFIG_INVALID_JSON');
    assert.throws(() => mergeDatasetInfo('[1]', {}), (e: { code?: string }) => e.code === 'CONFIG_INVALID');
    assert.equal(mergeDatasetInfo(undefined, {}), '{}\n');
  });

  it('verify reports a row that breaks the rules and a file dataset_info does not list', async () => {
    const files = await llamaFactoryFormat.write(generatedContext(tmp.dir, 'chat', { train: 3 }));
    await fs.appendFile(path.join(tmp.dir, files[0].path), `${JSON.stringify({ messages: [m('assistant', 'x'), m('user', 'y')] })}\n`);
    const findings = await llamaFactoryFormat.verify(tmp.dir, [...files, { ...files[0], path: 'llama-factory/other_train.jsonl' }]);
    assert.ok(findings.some((f) => /line 4 message 1 after the system prompt is "assistant"/.test(f.message)));
    assert.ok(findings.some((f) => /holds 4 lines, the manifest says 3/.test(f.message)));
    assert.ok(findings.some((f) => /no entry for other_train\.jsonl/.test(f.message)));
  });
});

describe('export: axolotl preset', function () {
  this.timeout(60_000);
  const tmp = useTempDir();

  for (const [kind, type] of [['chat', 'chat_template'], ['instruction', 'alpaca'], ['completion', 'completion']] as const) {
    it(`writes ${kind} records with a datasets: fragment of type ${type} that PyYAML reads`, async () => {
      const files = await axolotlFormat.write(generatedContext(tmp.dir, kind, { train: 9, validation: 2, test: 2 }));
      assert.deepEqual((await listFiles(tmp.dir)).sort(), ['axolotl/datasets.yml', 'axolotl/test.jsonl', 'axolotl/train.jsonl', 'axolotl/validation.jsonl']);
      assert.deepEqual(await axolotlFormat.verify(tmp.dir, files), []);
      const { stdout } = await run('python3', ['-c', 'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))', path.join(tmp.dir, 'axolotl/datasets.yml')]);
      const config = JSON.parse(stdout) as { datasets: Record<string, unknown>[]; test_datasets: Record<string, unknown>[] };
      assert.equal(config.datasets[0].type, type);
      assert.equal(config.datasets[0].path, 'train.jsonl');
      assert.equal(config.datasets[0].ds_type, 'json');
      assert.equal(config.test_datasets[0].path, 'validation.jsonl');
      if (kind === 'chat') assert.deepEqual(config.datasets[0].message_property_mappings, { role: 'role', content: 'content' });
      const rows = await jsonl(path.join(tmp.dir, 'axolotl/train.jsonl'));
      for (const row of rows) assert.equal(axolotlRowProblem(row, type), undefined);
      assert.ok(!('id' in rows[0]));
    });
  }

  it('refuses mixed record kinds, and verify reports a row of the wrong shape', async () => {
    await assert.rejects(axolotlFormat.write(generatedContext(tmp.dir, 'chat', { train: 1 }, {}, { kind: 'mixed' })), (e: { code?: string }) => e.code === 'INVALID_ARGUMENT');
    const files = await axolotlFormat.write(generatedContext(tmp.dir, 'instruction', { train: 2 }, { pathPrefix: 'data/' }));
    const config = YAML.parse(await fs.readFile(path.join(tmp.dir, 'axolotl/datasets.yml'), 'utf8')) as { datasets: { path: string }[] };
    assert.equal(config.datasets[0].path, 'data/train.jsonl');
    await fs.appendFile(path.join(tmp.dir, files[0].path), '{"instruction": 1}\n');
    const findings = await axolotlFormat.verify(tmp.dir, files);
    assert.ok(findings.some((f) => /line 3 lacks a string instruction/.test(f.message)));
  });
});

describe('export: user templates', function () {
  this.timeout(60_000);
  const tmp = useTempDir();

  it('renders every record, and a header and footer per file, with the record, lineage and split', async () => {
    const ctx = generatedContext(tmp.dir, 'chat', { train: 4, test: 1 }, {
      header: '# {{ split }}: {{ count }} {{ kind }} records',
      record: '{{ index }}|{{ record.id }}|{{ record.messages | length }}|{{ lineage.sourcePath }}|{{ record.messages[-1].content | length }}',
      footer: '# end',
      extension: 'md',
    }, {}, 100);
    const files = await userTemplateFormat.write(ctx);
    assert.deepEqual(files.map((f) => [f.path, f.records]), [['template/train.md', 4], ['template/test.md', 1]]);
    assert.equal(await fs.readFile(path.join(tmp.dir, 'template/test.md'), 'utf8'), '# test: 1 chat records\n0|test-chat-000000|3|docs/manual-0.pdf|45\n# end\n');
    const train = (await fs.readFile(path.join(tmp.dir, 'template/train.md'), 'utf8')).split('\n');
    assert.equal(train.length, 7);
    assert.equal(train[5], '# end');
    assert.match(train[2], /^1\|train-chat-000001\|4\|docs\/manual-1\.pdf\|\d+$/);
    assert.deepEqual(await userTemplateFormat.verify(tmp.dir, files), []);
    await fs.appendFile(path.join(tmp.dir, files[0].path), 'x');
    assert.equal((await userTemplateFormat.verify(tmp.dir, files)).length, 1);
  });

  it('reads the template from a file, and stops a runaway template at the time cap naming the record', async () => {
    const file = path.join(tmp.dir, 'record.jinja');
    await fs.writeFile(file, '{{ record.text }}');
    const files = await userTemplateFormat.write(generatedContext(path.join(tmp.dir, 'v'), 'completion', { train: 2 }, { recordFile: file }));
    assert.equal(await fs.readFile(path.join(tmp.dir, 'v', files[0].path), 'utf8'), `${(generatedRecord('completion', 0) as { text: string }).text}\n\n`);
    const slow = '{% for i in range(9000) %}{% for j in range(9000) %}{% endfor %}{% endfor %}';
    await assert.rejects(userTemplateFormat.write(generatedContext(path.join(tmp.dir, 'w'), 'completion', { train: 2 }, { record: slow, timeMs: 50 })), (e: { code?: string; message: string }) => e.code === 'TEMPLATE_LIMIT' && /record train-completion-000000/.test(e.message));
    assert.deepEqual(await listFiles(path.join(tmp.dir, 'w')), []);
    await assert.rejects(userTemplateFormat.write(generatedContext(tmp.dir, 'completion', { train: 1 })), (e: { code?: string }) => e.code === 'INVALID_ARGUMENT');
    await assert.rejects(userTemplateFormat.write(generatedContext(tmp.dir, 'completion', { train: 1 }, { recordFile: path.join(tmp.dir, 'missing.jinja') })), (e: { code?: string }) => e.code === 'SOURCE_NOT_FOUND');
    await assert.rejects(userTemplateFormat.write(generatedContext(tmp.dir, 'completion', { train: 1 }, { record: '{% if %}' })), (e: { code?: string }) => e.code === 'TEMPLATE_INVALID');
  });

  it('renders strictly: a typo fails naming it and the variables, a field another kind or record has renders empty', async () => {
    const typo = (options: Record<string, unknown>, name: string) => assert.rejects(userTemplateFormat.write(generatedContext(path.join(tmp.dir, 't'), 'instruction', { train: 2 }, options)), (e: { code?: string; message: string; remedy?: string }) => {
      assert.equal(e.code, 'TEMPLATE_INVALID');
      assert.ok(e.message.includes(`\`${name}\``), e.message);
      assert.match(e.remedy ?? '', /record\.instruction.*lineage\.sourcePath.*index|split, count, kind/);
      return true;
    });
    await typo({ record: '{{ record.nope.x }}' }, 'record.nope');
    await typo({ record: '{{ recrod.text }}' }, 'recrod');
    await typo({ record: '{{ lineage.sourcePth }}' }, 'lineage.sourcePth');
    await typo({ record: '{{ record.output }}', header: '# {{ cuont }}' }, 'cuont');
    assert.deepEqual(await listFiles(path.join(tmp.dir, 't')), []);
    // record.messages on instruction records, lineage.page on record 0 (no page): empty, not an error; guards still work.
    const files = await userTemplateFormat.write(generatedContext(path.join(tmp.dir, 'ok'), 'instruction', { train: 2 }, { record: '[{{ record.messages }}|{{ lineage.page }}|{{ record.text }}|{{ record.nope | default("d") }}|{{ record.output | length > 0 }}]' }));
    const lines = (await fs.readFile(path.join(tmp.dir, 'ok', files[0].path), 'utf8')).split('\n');
    assert.deepEqual(lines.slice(0, 2), ['[|||d|true]', '[|2||d|true]']);
  });
});
