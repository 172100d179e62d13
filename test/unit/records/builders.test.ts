import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseConfig } from '../../../src/core/project/config';
import { Project } from '../../../src/core/project/project';
import { buildProjectRecords, dryRunRecords } from '../../../src/core/records/build';
import { builderKeys } from '../../../src/core/records/documentRecords';
import { loadRecordSettings, recordSettings } from '../../../src/core/records/settings';
import { RecordStore } from '../../../src/core/records/store';
import { chatExportShape, DEFAULT_CHAT_TEMPLATES, DEFAULT_INSTRUCTION_TEMPLATES } from '../../../src/core/records/templates';
import type { ChatRecord, InstructionRecord, TrainingRecord } from '../../../src/core/records/types';
import { recordProject } from '../../support/recordProject';
import { useTempDir } from '../../support/tmp';

async function allRecords(project: Project): Promise<TrainingRecord[]> {
  const out: TrainingRecord[] = [];
  for await (const r of new RecordStore(project.paths.records).records()) out.push(r);
  return out;
}

const config = (records: object) => JSON.stringify({ formatVersion: 1, name: 'x', records });

function configError(records: object): string {
  try {
    parseConfig(config(records), 'brightrun.json');
  } catch (err) {
    return `${(err as Error).message} — ${(err as { remedy: string }).remedy}`;
  }
  return assert.fail('expected a configuration error');
}

describe('records: builders wired into the build', function () {
  this.timeout(60_000);
  const tmp = useTempDir();

  it('validates the records section and names the field and the fix', () => {
    const ok = parseConfig(config({
      builders: ['chunk', 'instruction', 'chat', 'pairs'], chatFormat: 'sharegpt',
      templates: { instruction: { instruction: 'Summarise {{ chunk.heading }}', output: { file: 'templates/out.jinja' } }, chat: { system: '', turns: [{ role: 'user', content: 'Q' }, { role: 'assistant', content: '{{ chunk.text }}' }] }, limits: { timeMs: 100 } },
      pairs: { mapping: { kind: 'instruction', instruction: 'Q', output: 'A' }, include: ['data/**'], chunk: true },
      generate: { model: 'm', baseUrl: 'http://127.0.0.1:1/v1', questionsPerChunk: 2, price: { inputPerMTok: 0.15, outputPerMTok: 0.6 }, prompts: { user: { file: 'p.jinja' } } },
    }), 'brightrun.json');
    assert.equal(ok.config.records?.chatFormat, 'sharegpt');
    assert.match(configError({ builders: ['chunk', 'summary'] }), /`records\.builders\[1\]` is "summary", which is not allowed\. — Use one of: "chunk", "instruction", "chat", "pairs"/);
    assert.match(configError({ builders: [] }), /`records\.builders` must NOT have fewer than 1 items/);
    assert.match(configError({ templates: { instruction: { output: 42 } } }), /`records\.templates\.instruction\.output` has none of the allowed forms\. — Expected: A Jinja template/);
    assert.match(configError({ templates: { instruction: { output: { path: 'x' } } } }), /`records\.templates\.instruction\.output` has none of the allowed forms/);
    assert.match(configError({ generate: { baseUrl: 'http://x/v1' } }), /`records\.generate\.model` is missing\. — Add "model" — Model name/);
    assert.match(configError({ generate: { model: 'm', temperature: 3 } }), /`records\.generate\.temperature` must be <= 2 \(found 3\)/);
    assert.match(configError({ pairs: { mapping: { kind: 'chat' } } }), /`records\.pairs\.mapping` has none of the allowed forms\. — Expected: Which columns/);
    assert.match(configError({ chatFormat: 'alpaca' }), /`records\.chatFormat` is "alpaca"/);
    assert.match(configError({ builders: ['chunk'], builder: 'pairs' }), /`records\.builder` \(deprecated\) and `records\.builders` are both set\. — Remove records\.builder/);
  });

  it('resolves settings: defaults, deprecated builder, inline and file templates', async () => {
    const project = await Project.create(tmp.dir, { name: 'set' });
    const d = recordSettings({ ...project.config, records: {} });
    assert.deepEqual(d.builders, ['chunk', 'pairs']);
    assert.deepEqual(d.templates.instruction, DEFAULT_INSTRUCTION_TEMPLATES);
    assert.deepEqual(d.templates.chat, DEFAULT_CHAT_TEMPLATES);
    assert.equal(d.chatFormat, 'openai');
    assert.equal(d.generate, undefined);
    assert.deepEqual(recordSettings({ ...project.config, records: { builder: 'pairs' } }).builders, ['pairs']);
    assert.deepEqual(recordSettings({ ...project.config, records: { builders: ['pairs', 'chunk', 'chat'] } }).builders, ['chunk', 'chat', 'pairs'], 'canonical order');
    const withFile = { ...project.config, records: { templates: { instruction: { output: { file: 'templates/out.jinja' } } }, generate: { model: 'm', prompts: { user: { file: 'templates/out.jinja' } } } } };
    assert.throws(() => recordSettings(withFile), { code: 'CONFIG_INVALID' });
    await assert.rejects(loadRecordSettings(withFile, tmp.dir), (e: { code: string; message: string; remedy: string }) => e.code === 'CONFIG_INVALID' && /`records\.templates\.instruction\.output` names the template file "templates\/out\.jinja", which does not exist/.test(e.message) && /Create the file/.test(e.remedy));
    await fs.mkdir(path.join(tmp.dir, 'templates'));
    await fs.writeFile(path.join(tmp.dir, 'templates', 'out.jinja'), 'Answer: {{ chunk.text }}\r\n');
    const s = await loadRecordSettings(withFile, tmp.dir);
    assert.equal(s.templates.instruction.output, 'Answer: {{ chunk.text }}');
    assert.equal(s.generate?.prompts.user, 'Answer: {{ chunk.text }}');
    assert.equal(s.generate?.questionsPerChunk, 3);
    await assert.rejects(loadRecordSettings({ ...project.config, records: { templates: { chat: { system: { file: '../outside.jinja' } } } } }, tmp.dir), /`records\.templates\.chat\.system` names "\.\.\/outside\.jinja", which is outside the project folder/);
    await fs.writeFile(path.join(tmp.dir, 'templates', 'big.jinja'), 'x'.repeat(70_000));
    await assert.rejects(loadRecordSettings({ ...project.config, records: { templates: { chat: { system: { file: 'templates/big.jinja' } } } } }, tmp.dir), { code: 'TEMPLATE_LIMIT' });
  });

  it('builds chunk, instruction, chat and pairs records; pairs documents are not chunked; bad rows are reported with their row numbers', async () => {
    const project = await recordProject(tmp.dir, { seeds: [1, 2], pairs: true, records: { builders: ['chunk', 'instruction', 'chat', 'pairs'] } });
    const { manifest: m, processed } = await buildProjectRecords(project);
    assert.equal(processed, 4);
    const records = await allRecords(project);
    const by = (b: string) => records.filter((r) => r.lineage.builder === b);
    assert.ok(by('chunk').length > 4);
    assert.equal(by('instruction').length, by('chunk').length, 'one instruction record a chunk');
    assert.equal(by('chat').length, by('chunk').length);
    assert.ok(by('chunk').every((r) => r.lineage.sourcePath.startsWith('docs/')), 'pairs files are not chunked');
    const pairs = by('pairs');
    assert.deepEqual(pairs.map((r) => [r.lineage.sourcePath, r.lineage.row]).sort(), [['data/chat.jsonl', 1], ['data/qa.csv', 2], ['data/qa.csv', 4]]);
    const qa = pairs.find((r) => r.lineage.row === 4) as InstructionRecord;
    assert.equal(qa.instruction, 'Which oil grade does the gearbox take?');
    assert.equal(qa.output, 'ISO VG 220 gear oil, changed every 4000 operating hours.');
    const chat = pairs.find((r) => r.kind === 'chat') as ChatRecord;
    assert.deepEqual(chat.messages.map((x) => x.role), ['user', 'assistant']);
    // The instruction record of a chunk: the default templates over the chunk and its document.
    const inst = by('instruction').find((r) => r.lineage.headingPath.length > 0) as InstructionRecord;
    const chunk = by('chunk').find((r) => r.lineage.documentId === inst.lineage.documentId && r.lineage.span.start === inst.lineage.span.start)!;
    assert.equal(inst.output, (chunk as { text: string }).text.trim());
    assert.equal(inst.instruction, `Explain "${inst.lineage.headingPath.at(-1)}".`);
    assert.equal((by('chat')[0] as ChatRecord).messages[0]!.role, 'system');

    // Manifest: per-builder figures and the problems, with row numbers.
    assert.deepEqual(Object.keys(m.builders), ['chunk', 'instruction', 'chat', 'pairs']);
    for (const b of ['chunk', 'instruction', 'chat', 'pairs'] as const) assert.equal(m.builders[b]!.records, by(b).length, b);
    assert.equal(m.builders.pairs!.documents, 2);
    // (Line 2 of the JSONL is not JSON: extraction already skipped it with a MALFORMED_ROWS warning.)
    assert.equal(m.builders.pairs!.problems, 2);
    assert.equal(m.problemsTotal, 2);
    assert.deepEqual(m.problems.map((p) => [p.sourcePath, p.row]).sort(), [['data/chat.jsonl', 3], ['data/qa.csv', 3]]);
    assert.match(m.problems.find((p) => p.row === 3 && p.sourcePath === 'data/qa.csv')!.reason, /has no answer/);
    assert.match(m.problems.find((p) => p.row === 3 && p.sourcePath === 'data/chat.jsonl')!.reason, /role "tool"/);
    const total = m.splits.train.records + m.splits.validation.records + m.splits.test.records;
    assert.equal(total, records.length);

    // Reused as they are: the problems are still reported from the stored files.
    const again = await buildProjectRecords(project);
    assert.equal(again.processed, 0);
    assert.equal(again.manifest.problemsTotal, 2);
    assert.deepEqual((await allRecords(project)).map((r) => r.id), records.map((r) => r.id));
  });

  it('a template edit rebuilds only that builder (inline or file); pairs.chunk also chunks pairs documents', async () => {
    await fs.mkdir(path.join(tmp.dir, 'templates'));
    await fs.writeFile(path.join(tmp.dir, 'templates', 'instruction.jinja'), 'Explain {{ chunk.heading }}.');
    const project = await recordProject(tmp.dir, { seeds: [3, 4], records: { builders: ['chunk', 'instruction', 'chat'], templates: { instruction: { instruction: { file: 'templates/instruction.jinja' } } } } });
    await buildProjectRecords(project);
    const byDoc = path.join(project.paths.records, 'by-document');
    const stat = async () => new Map(await Promise.all((await fs.readdir(byDoc)).map(async (f) => [f, (await fs.stat(path.join(byDoc, f))).mtimeMs] as const)));
    const first = await stat();
    assert.equal(first.size, 6, 'three builders × two documents');
    const before = await allRecords(project);
    const settings = await loadRecordSettings(project.config, project.root);
    const keys = builderKeys(settings, false);

    await new Promise((r) => setTimeout(r, 20));
    await fs.writeFile(path.join(tmp.dir, 'templates', 'instruction.jinja'), 'Tell me about {{ chunk.heading }}.');
    const second = await buildProjectRecords(project);
    assert.equal(second.processed, 2);
    const after = await stat();
    const newKeys = builderKeys(await loadRecordSettings(project.config, project.root), false);
    assert.notEqual(newKeys.instruction, keys.instruction);
    assert.equal(newKeys.chunk, keys.chunk);
    assert.equal(newKeys.chat, keys.chat);
    for (const [f, t] of after) {
      if (f.includes(keys.chunk) || f.includes(keys.chat)) assert.equal(t, first.get(f), `${f} is reused, not rewritten`);
      else assert.ok(f.includes(newKeys.instruction) && !first.has(f), `${f} is new`);
    }
    assert.equal(after.size, 6, 'the old instruction files are cleaned');
    const records = await allRecords(project);
    assert.deepEqual(records.filter((r) => r.kind !== 'instruction').map((r) => r.id), before.filter((r) => r.kind !== 'instruction').map((r) => r.id));
    assert.ok(records.filter((r): r is InstructionRecord => r.kind === 'instruction').every((r) => r.instruction.startsWith('Tell me about')));

    // Inline edit of the chat template: only chat files change.
    await project.saveConfig({ ...project.config, records: { ...project.config.records, templates: { ...project.config.records!.templates, chat: { system: '', turns: [{ role: 'user', content: 'Recite {{ chunk.heading }}' }, { role: 'assistant', content: '{{ chunk.text }}' }] } } } });
    const third = await buildProjectRecords(project);
    const chats = (await allRecords(project)).filter((r): r is ChatRecord => r.kind === 'chat');
    assert.equal(third.processed, 2);
    assert.ok(chats.length > 0 && chats.every((r) => r.messages.length === 2 && r.messages[0]!.content.startsWith('Recite')));
  });

  it('pairs.chunk: pairs documents get chunk records too; without the pairs builder, CSVs are chunked', async () => {
    const project = await recordProject(tmp.dir, { seeds: [5], pairs: true, records: { builders: ['chunk', 'pairs'], pairs: { chunk: true } } });
    const m = (await buildProjectRecords(project)).manifest;
    const records = await allRecords(project);
    assert.ok(records.some((r) => r.lineage.builder === 'chunk' && r.lineage.sourcePath === 'data/qa.csv'));
    assert.equal(m.builders.pairs!.records, 3);
    await project.saveConfig({ ...project.config, records: { ...project.config.records, builders: ['chunk'], pairs: {} } });
    const m2 = (await buildProjectRecords(project)).manifest;
    assert.deepEqual(Object.keys(m2.builders), ['chunk']);
    assert.ok((await allRecords(project)).some((r) => r.lineage.sourcePath === 'data/chat.jsonl'));
    // An explicit mapping and include: only matching files are pairs documents.
    await project.saveConfig({ ...project.config, records: { ...project.config.records, builders: ['chunk', 'pairs'], pairs: { include: ['data/*.csv'], mapping: { kind: 'instruction', instruction: 'question', output: 'answer' } } } });
    await buildProjectRecords(project);
    const last = await allRecords(project);
    assert.deepEqual([...new Set(last.filter((r) => r.lineage.builder === 'pairs').map((r) => r.lineage.sourcePath))], ['data/qa.csv']);
    assert.ok(last.some((r) => r.lineage.builder === 'chunk' && r.lineage.sourcePath === 'data/chat.jsonl'));
    assert.ok(!last.some((r) => r.lineage.builder === 'chunk' && r.lineage.sourcePath === 'data/qa.csv'));
  });

  it('dry run previews every configured builder and writes nothing', async () => {
    const project = await recordProject(tmp.dir, { seeds: [6], pairs: true, records: { builders: ['chunk', 'instruction', 'pairs'] } });
    const docs = await dryRunRecords(project, 3);
    assert.deepEqual(docs.map((d) => d.sourcePath), ['data/chat.jsonl', 'data/qa.csv', 'docs/d6.md']);
    assert.deepEqual(docs[1]!.outputs.map((o) => [o.builder, o.report.notApplied ?? o.records.length]), [['chunk', 'pairs-document'], ['instruction', 'pairs-document'], ['pairs', 2]]);
    assert.deepEqual(docs[1]!.outputs[2]!.report.skipped, [{ row: 3, reason: 'has no answer' }]);
    assert.deepEqual(docs[2]!.outputs.map((o) => o.builder), ['chunk', 'instruction']);
    assert.ok(docs[2]!.outputs.every((o) => o.records.length > 0 && o.records.every((r) => r.split && r.tokens! > 0)));
    await assert.rejects(fs.access(path.join(project.paths.records, 'manifest.json')));
  });

  it('a template error stops the build, names the template, and keeps the previous set', async () => {
    const project = await recordProject(tmp.dir, { seeds: [7], records: { builders: ['chunk', 'instruction'] } });
    const good = await buildProjectRecords(project);
    await project.saveConfig({ ...project.config, records: { ...project.config.records, templates: { instruction: { instruction: '{% for x in chunk.headingPath %}{{ x }}' } } } });
    await assert.rejects(buildProjectRecords(project), (e: { code: string; message: string }) => e.code === 'TEMPLATE_INVALID' && /instruction\.instruction/.test(e.message));
    assert.equal((await new RecordStore(project.paths.records).readManifest())!.build, good.manifest.build);
  });

  it('length limits and duplicates are counted per builder: kept + dropped = made', async () => {
    const project = await recordProject(tmp.dir, { seeds: [8, 9], records: { builders: ['chunk', 'instruction', 'chat'], targetTokens: 40, maxTokens: 48, overlapTokens: 0, minTokens: 30, overLength: 'drop', templates: { chat: { system: '', turns: [{ role: 'user', content: 'Go on.' }, { role: 'assistant', content: '{{ chunk.headingPath | join(" ") }}' }] } } } });
    const { manifest: m } = await buildProjectRecords(project);
    const store = new RecordStore(project.paths.records);
    const settings = await loadRecordSettings(project.config, project.root);
    const keys = builderKeys(settings, false);
    for (const b of ['chunk', 'instruction', 'chat'] as const) {
      let made = 0;
      for (const id of [(8 * 7919).toString(16).padStart(64, '0'), (9 * 7919).toString(16).padStart(64, '0')]) for await (const _ of store.readDocument(id, keys[b])) made++;
      const s = m.builders[b]!;
      assert.equal(s.records + s.dropped.duplicates + s.dropped.tooShort + s.dropped.overLength, made, b);
    }
    assert.ok(m.builders.instruction!.dropped.overLength > 0, 'instruction records of full chunks run over maxTokens');
    assert.ok(m.builders.chat!.dropped.duplicates + m.builders.chat!.dropped.tooShort > 0, 'chats of heading paths alone repeat and are short');
    const splits = m.splits.train.overLength.dropped + m.splits.validation.overLength.dropped + m.splits.test.overLength.dropped;
    assert.equal(splits, m.builders.chunk!.dropped.overLength + m.builders.instruction!.dropped.overLength + m.builders.chat!.dropped.overLength);
    assert.equal(m.dropped.duplicates, m.builders.chunk!.dropped.duplicates + m.builders.instruction!.dropped.duplicates + m.builders.chat!.dropped.duplicates);
  });

  it('chat records export as openai messages or sharegpt conversations', () => {
    const messages = [{ role: 'system' as const, content: 'S' }, { role: 'user' as const, content: 'Q' }, { role: 'assistant' as const, content: 'A' }];
    assert.deepEqual(chatExportShape(messages, 'openai'), { messages });
    assert.deepEqual(chatExportShape(messages, 'sharegpt'), { conversations: [{ from: 'system', value: 'S' }, { from: 'human', value: 'Q' }, { from: 'gpt', value: 'A' }] });
  });
});
