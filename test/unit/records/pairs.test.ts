import * as assert from 'node:assert/strict';
import { extractCsv } from '../../../src/core/extract/backends/csv';
import { extractJson, extractJsonLines } from '../../../src/core/extract/backends/json';
import type { ExtractedDocument } from '../../../src/core/extract/types';
import { BrightRunError } from '../../../src/core/errors';
import { detectMapping, fieldText, importPairs } from '../../../src/core/records/pairs';
import type { ChatRecord, InstructionRecord } from '../../../src/core/records/types';

function docOf(format: 'csv' | 'json' | 'jsonl', source: string): ExtractedDocument {
  const part = format === 'csv' ? extractCsv(source) : format === 'json' ? extractJson(source, 'x.json') : extractJsonLines(source);
  return {
    id: 'b'.repeat(64), source: { path: `data/pairs.${format}`, name: `pairs.${format}`, size: source.length }, format, detectedBy: 'test',
    extractor: { name: 'brightrun', version: '1', backend: format }, timings: { totalMs: 0 }, ocrPages: 0, extractedAt: '2026-01-01T00:00:00Z', ...part,
  } as ExtractedDocument;
}
const instr = (r: unknown) => r as InstructionRecord;

describe('records/pairs', () => {
  it('detects the common shapes case-insensitively', () => {
    assert.deepEqual(detectMapping(['Instruction', 'Input', 'Output']), { kind: 'instruction', instruction: 'Instruction', input: 'Input', output: 'Output' });
    assert.deepEqual(detectMapping(['id', 'QUESTION', 'Answer']), { kind: 'instruction', instruction: 'QUESTION', output: 'Answer' });
    assert.deepEqual(detectMapping(['prompt', 'completion']), { kind: 'instruction', instruction: 'prompt', output: 'completion' });
    assert.deepEqual(detectMapping(['prompt', 'response', 'system']), { kind: 'instruction', instruction: 'prompt', output: 'response', system: 'system' });
    assert.deepEqual(detectMapping(['input', 'output']), { kind: 'instruction', instruction: 'input', output: 'output' });
    assert.deepEqual(detectMapping(['conversations']), { kind: 'chat', messages: 'conversations' });
    assert.deepEqual(detectMapping(['Messages', 'id']), { kind: 'chat', messages: 'Messages' });
    assert.equal(detectMapping(['title', 'body']), undefined);
  });

  it('CSV with instruction/input/output: rows, spans and row numbers (header = row 1)', () => {
    const doc = docOf('csv', 'Instruction,Input,Output\nAdd,"1, 2",3\nGreet,,Hello\n');
    const { records, total, skipped, mapping } = importPairs(doc);
    assert.equal(mapping.kind, 'instruction');
    assert.equal(total, 2);
    assert.deepEqual(skipped, []);
    assert.deepEqual(records.map((r) => [instr(r).instruction, instr(r).input, instr(r).output]), [['Add', '1, 2', '3'], ['Greet', '', 'Hello']]);
    const l = records[0]!.lineage;
    assert.equal(l.row, 2);
    assert.equal(l.builder, 'pairs');
    assert.equal(doc.text.slice(l.span.start, l.span.end), 'Add\t1, 2\t3');
    assert.equal(records[1]!.lineage.row, 3);
  });

  it('CSV question/answer: bad rows are counted with their numbers', () => {
    const doc = docOf('csv', 'question,answer\nWhat is 2+2?,4\nNo answer here,\n,Orphan answer\nWhy?,Because\n');
    const { records, total, skipped } = importPairs(doc);
    assert.equal(total, 4);
    assert.equal(records.length, 2);
    assert.deepEqual(skipped, [{ row: 3, reason: 'has no answer' }, { row: 4, reason: 'has no question' }]);
  });

  it('an explicit mapping wins, also for CSV without a header', () => {
    const doc = docOf('csv', 'a;b;c\nx;y;z\n');
    assert.throws(() => importPairs(doc), (e: BrightRunError) => e.code === 'PAIRS_UNMAPPED' && /instruction\/input\/output/.test(e.remedy));
    const { records } = importPairs(doc, { mapping: { kind: 'instruction', instruction: 'c', output: 'a' } });
    assert.deepEqual(records.map((r) => [instr(r).instruction, instr(r).output]), [['z', 'x']]);
  });

  it('JSON array: values written as strings; non-objects reported by record number', () => {
    const doc = docOf('json', JSON.stringify([
      { prompt: 'Answer', completion: 42 },
      { prompt: 'Flag', completion: true },
      { prompt: 'Obj', completion: { a: [1, 2] } },
      'just a string',
      { prompt: 'Missing' },
    ], null, 2));
    const { records, skipped, total } = importPairs(doc);
    assert.equal(total, 5);
    assert.deepEqual(records.map((r) => instr(r).output), ['42', 'true', '{"a":[1,2]}']);
    assert.deepEqual(skipped, [{ row: 4, reason: 'is string, not an object' }, { row: 5, reason: 'has no completion' }]);
    const r = records[2]!;
    assert.deepEqual(JSON.parse(doc.text.slice(r.lineage.span.start, r.lineage.span.end)), { prompt: 'Obj', completion: { a: [1, 2] } });
    assert.equal(r.lineage.row, 3);
  });

  it('JSONL with OpenAI messages and ShareGPT conversations; line numbers for rows', () => {
    const lines = [
      JSON.stringify({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }] }),
      '',
      JSON.stringify({ messages: [{ role: 'user', content: 'Only a question' }] }),
      JSON.stringify({ messages: [{ role: 'tool', content: 'x' }, { role: 'assistant', content: 'y' }] }),
      JSON.stringify({ messages: 'nope' }),
    ];
    const { records, skipped } = importPairs(docOf('jsonl', lines.join('\n')));
    assert.equal(records.length, 1);
    assert.deepEqual((records[0] as ChatRecord).messages.map((m) => m.role), ['system', 'user', 'assistant']);
    assert.equal(records[0]!.lineage.row, 1);
    assert.deepEqual(skipped.map((s) => s.row), [3, 4, 5]);
    assert.match(skipped[1]!.reason, /role "tool"/);

    const sharegpt = [JSON.stringify({ conversations: [{ from: 'human', value: 'Q?' }, { from: 'gpt', value: 7 }], system: 'Sys' }), JSON.stringify({ conversations: [{ from: 'human', value: 'Q2' }, { from: 'gpt', value: 'A2' }] })].join('\n');
    const got = importPairs(docOf('jsonl', sharegpt));
    assert.deepEqual(got.mapping, { kind: 'chat', messages: 'conversations', system: 'system' });
    assert.deepEqual((got.records[0] as ChatRecord).messages, [{ role: 'system', content: 'Sys' }, { role: 'user', content: 'Q?' }, { role: 'assistant', content: '7' }]);
    assert.equal(got.records[1]!.lineage.row, 2);
  });

  it('messages in a CSV cell are parsed as JSON', () => {
    const cell = JSON.stringify([{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }]).replace(/"/g, '""');
    const { records, skipped } = importPairs(docOf('csv', `messages,id\n"${cell}",1\nnot json,2\n`));
    assert.equal(records.length, 1);
    assert.deepEqual(skipped, [{ row: 3, reason: 'messages is not a list of messages' }]);
  });

  it('takes an all-text first row as the header when it names a known shape', () => {
    const doc = docOf('csv', 'question,answer\nWhy is the sky blue,Scattering\n');
    doc.metadata = { ...doc.metadata, hasHeader: false, columns: undefined, rowCount: 2 };
    const { records, total } = importPairs(doc);
    assert.equal(total, 1);
    assert.equal(instr(records[0]).output, 'Scattering');
    assert.equal(records[0]!.lineage.row, 2);
  });

  it('refuses other formats, stringifies values, stops when aborted', () => {
    const doc = { ...docOf('csv', 'a,b\n1,2\n'), format: 'pdf' } as ExtractedDocument;
    assert.throws(() => importPairs(doc), (e: BrightRunError) => e.code === 'PAIRS_UNMAPPED');
    assert.equal(fieldText(null), undefined);
    assert.equal(fieldText(1.5), '1.5');
    assert.equal(fieldText([1]), '[1]');
    const ac = new AbortController();
    ac.abort();
    assert.throws(() => importPairs(docOf('csv', 'question,answer\na,b\n'), { signal: ac.signal }), (e: BrightRunError) => e.code === 'CANCELLED');
  });
});
