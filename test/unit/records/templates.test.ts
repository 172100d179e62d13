import * as assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { BrightRunError } from '../../../src/core/errors';
import type { ExtractedDocument } from '../../../src/core/extract/types';
import {
  buildChatRecords, buildInstructionRecords, compileTemplate, locateSyntaxError, renderTemplate,
  roleOfShareGptFrom, toOpenAiMessages, toShareGpt, type SourceChunk,
} from '../../../src/core/records/templates';
import { canonicalJson, recordId } from '../../../src/core/records/ids';

function doc(metadata: ExtractedDocument['metadata'] = { title: 'Pump Manual', author: 'Ada' }): ExtractedDocument {
  const text = 'Intro\nStart the pump slowly.\nStop it when the tank is full.';
  return {
    id: 'a'.repeat(64), source: { path: 'docs/pump.md', name: 'pump.md', size: text.length }, format: 'md', detectedBy: 'test', metadata,
    blocks: [], text, markdown: text, warnings: [], extractor: { name: 'brightrun', version: '1', backend: 'md' }, timings: { totalMs: 0 }, ocrPages: 0, extractedAt: '2026-01-01T00:00:00Z',
  };
}
const chunks: SourceChunk[] = [
  { text: 'Start the pump slowly.', span: { start: 6, end: 28 }, headingPath: ['Manual', 'Starting'], page: 2 },
  { text: 'Stop it when the tank is full.', span: { start: 29, end: 59 }, headingPath: [] },
];

function expectError(fn: () => unknown, code: string, pattern: RegExp): BrightRunError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof BrightRunError, String(err));
    assert.equal(err.code, code, err.message);
    assert.match(err.message, pattern);
    assert.ok(err.remedy.length > 10);
    return err;
  }
  assert.fail('expected an error');
}

describe('records/templates', () => {
  it('default instruction templates make Alpaca records with lineage', () => {
    const { records, empty } = buildInstructionRecords(doc(), chunks);
    assert.deepEqual(empty, []);
    assert.equal(records.length, 2);
    assert.equal(records[0]!.instruction, 'Explain "Starting" from "Pump Manual".');
    assert.equal(records[0]!.input, 'Section: Manual > Starting');
    assert.equal(records[0]!.output, 'Start the pump slowly.');
    assert.equal(records[1]!.instruction, 'Write the passage from "Pump Manual".');
    assert.equal(records[1]!.input, '');
    const l = records[0]!.lineage;
    assert.deepEqual({ ...l, paramsHash: 'x' }, { documentId: 'a'.repeat(64), sourcePath: 'docs/pump.md', page: 2, span: { start: 6, end: 28 }, headingPath: ['Manual', 'Starting'], builder: 'instruction', paramsHash: 'x' });
    assert.match(l.paramsHash, /^[0-9a-f]{16}$/);
    assert.match(records[0]!.id, /^[0-9a-f]{24}$/);
    assert.notEqual(records[0]!.id, records[1]!.id);
    // Same inputs, same ids.
    assert.equal(buildInstructionRecords(doc(), chunks).records[0]!.id, records[0]!.id);
  });

  it('default chat templates make system + user + assistant, convertible to OpenAI and ShareGPT', () => {
    const { records } = buildChatRecords(doc({}), chunks);
    assert.deepEqual(records[0]!.messages, [
      { role: 'system', content: "You are a helpful assistant who answers from the user's documents." },
      { role: 'user', content: 'What does "Starting" say?' },
      { role: 'assistant', content: 'Start the pump slowly.' },
    ]);
    assert.equal(records[1]!.messages[1]!.content, 'What does this part of pump.md say?');
    assert.deepEqual(toOpenAiMessages(records[0]!.messages).messages[2], { role: 'assistant', content: 'Start the pump slowly.' });
    assert.deepEqual(toShareGpt(records[0]!.messages).conversations.map((c) => c.from), ['system', 'human', 'gpt']);
    assert.equal(roleOfShareGptFrom('GPT'), 'assistant');
    assert.equal(roleOfShareGptFrom('human'), 'user');
    assert.equal(roleOfShareGptFrom('system'), 'system');
    assert.equal(roleOfShareGptFrom('tool'), undefined);
  });

  it('custom templates see document metadata, page and index; empty outputs are skipped and counted', () => {
    const { records, empty } = buildInstructionRecords(doc(), chunks, {
      instruction: 'By {{ document.author }} (p. {{ chunk.page or "?" }}, #{{ chunk.index }})',
      input: '',
      output: '{% if chunk.page %}{{ chunk.text | upper }}{% endif %}',
    });
    assert.equal(records.length, 1);
    assert.equal(records[0]!.instruction, 'By Ada (p. 2, #0)');
    assert.equal(records[0]!.output, 'START THE PUMP SLOWLY.');
    assert.deepEqual(empty, [1]);
    const chat = buildChatRecords(doc(), chunks, { turns: [{ role: 'user', content: 'Q' }, { role: 'assistant', content: '{{ chunk.page }}' }] });
    assert.equal(chat.records.length, 1);
    assert.equal(chat.records[0]!.messages[0]!.role, 'user', 'no system prompt given, none written');
    assert.deepEqual(chat.empty, [1]);
  });

  it('reports syntax errors with the template name, line and column', () => {
    const err = expectError(() => compileTemplate('Hello\n{{ chunk.text }\n', 'instruction.output'), 'TEMPLATE_INVALID', /instruction\.output does not parse at line 2, column 1/);
    assert.equal(err.file, 'instruction.output');
    expectError(() => compileTemplate('Hi {% if x %} yes', 't'), 'TEMPLATE_INVALID', /block is not closed/);
    expectError(() => compileTemplate('x'.repeat(70_000), 't'), 'TEMPLATE_LIMIT', /characters long/);
    assert.deepEqual(locateSyntaxError('a\nb {{ ok }}\n  {{ 1 + }}'), { line: 3, column: 3 });
    assert.deepEqual(locateSyntaxError('a {{ ok }} {{ open'), { line: 1, column: 12 });
    assert.equal(locateSyntaxError('all fine'), undefined);
  });

  it('reports render errors and raise_exception specifically', () => {
    expectError(() => renderTemplate(compileTemplate('{{ raise_exception("no title") }}', 't'), {}), 'TEMPLATE_INVALID', /raised an error: no title/);
    expectError(() => renderTemplate(compileTemplate('{{ chunk.text | nosuchfilter }}', 't'), { chunk: { text: 'a' } }), 'TEMPLATE_INVALID', /failed to render/);
  });

  it('a name that is not defined fails the build with the name, unless it is optional or guarded', () => {
    // Before: `{{ chunk.txt }}` rendered empty and every record was dropped as empty, with only a count to show for it.
    const typo = expectError(() => buildInstructionRecords(doc(), chunks, { instruction: 'Q', input: '', output: '{{ chunk.txt }}' }), 'TEMPLATE_INVALID', /instruction\.output uses `chunk\.txt`, which is not defined/);
    assert.match(typo.remedy, /chunk\.text, chunk\.heading/);
    expectError(() => buildChatRecords(doc(), chunks, { turns: [{ role: 'user', content: '{{ chunks.text }}' }, { role: 'assistant', content: 'A' }] }), 'TEMPLATE_INVALID', /chat\.turns\[0\] uses `chunks`, which is not defined/);
    expectError(() => buildInstructionRecords(doc(), chunks, { instruction: '{{ document.titel }}', input: '', output: 'x' }), 'TEMPLATE_INVALID', /`document\.titel`/);
    // Optional fields (a chunk without a page, a document without a subject), tests and defaults are fine.
    const ok = buildInstructionRecords(doc({}), chunks, {
      instruction: '{{ document.title }}|{{ chunk.page }}|{% if document.subject is defined %}S{% endif %}|{{ document.nothing | default("d") }}|{% if other is not defined %}u{% endif %}',
      input: '{% set x = {"a": 1} %}{{ x.a }}{% for h in chunk.headingPath %}{{ loop.index }}{{ h }}{% endfor %}',
      output: '{{ chunk.text }}',
    });
    assert.deepEqual(ok.records.map((r) => r.instruction), ['|2||d|u', '|||d|u']);
    assert.equal(ok.records[0]!.input, '11Manual2Starting');
    // Without `strict` (export templates: record fields differ by kind) an undefined name still renders empty.
    assert.equal(renderTemplate(compileTemplate('[{{ record.nothing }}]', 't'), { record: {} }), '[]');
  });

  it('reads only the values given: no prototypes, no clock', () => {
    assert.equal(renderTemplate(compileTemplate('{{ chunk.constructor }}{{ chunk.__proto__ }}{{ chunk.text.constructor }}', 't'), { chunk: { text: 'a' } }), '');
    expectError(() => renderTemplate(compileTemplate('{{ strftime_now("%Y") }}', 't'), {}), 'TEMPLATE_INVALID', /not a function/);
  });

  describe('hostile templates are stopped by the caps, quickly', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['a huge loop', '{% for i in range(10000) %}{% for j in range(10000) %}{{ i }}{% endfor %}{% endfor %}', /ran longer than 200 ms|evaluation steps/],
      ['a huge loop with an empty body', '{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}', /ran longer than 200 ms|evaluation steps/],
      ['a huge range', '{% for i in range(1000000000) %}x{% endfor %}', /1,000,000,000/],
      ['deep recursion', '{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}', /nested deeper than 400 levels/],
      ['a giant output by doubling', '{% set ns = namespace(s="xxxxxxxxxx") %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s }}', /made a text of [\d,]+ characters/],
      ['a giant output in one filter call', '{{ "a\nb" | indent(400000000) }}', /given 400,000,000/],
      ['a giant output from many pieces', '{% for i in range(1000) %}{{ chunk.text }}{% endfor %}', /produced more than 16,000,000 characters/],
    ];
    for (const [what, source, message] of cases) {
      it(what, () => {
        const started = performance.now();
        expectError(() => renderTemplate(compileTemplate(source, 'hostile'), { chunk: { text: 'y'.repeat(200_000) } }), 'TEMPLATE_LIMIT', message);
        const ms = performance.now() - started;
        assert.ok(ms < 1500, `stopped after ${ms.toFixed(0)} ms`);
      });
    }
    it('the caps can be set per call', () => {
      expectError(() => renderTemplate(compileTemplate('{% for i in range(100) %}x{% endfor %}', 't'), {}, { maxSteps: 50 }), 'TEMPLATE_LIMIT', /more than 50 evaluation steps/);
      expectError(() => renderTemplate(compileTemplate('{{ range(20) | join(",") }}', 't'), {}, { maxListItems: 10 }), 'TEMPLATE_LIMIT', /range\(\) of 20 items/);
      assert.equal(renderTemplate(compileTemplate('{{ range(3) | join(",") }}', 't'), {}), '0,1,2');
      assert.equal(renderTemplate(compileTemplate('{{ range(1, 7, 2) | join(",") }}', 't'), {}), '1,3,5');
    });
  });

  it('stops at an aborted signal', () => {
    const ac = new AbortController();
    ac.abort();
    assert.throws(() => buildChatRecords(doc(), chunks, undefined, { signal: ac.signal }), (e: BrightRunError) => e.code === 'CANCELLED');
  });

  it('hashes canonically', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 0 }] } }), '{"a":{"c":[3,{"e":0,"f":1}],"d":2},"b":1}');
    const l = { documentId: 'd', sourcePath: 'p', span: { start: 0, end: 1 }, headingPath: [], builder: 'pairs' as const, paramsHash: 'h' };
    assert.notEqual(recordId({ ...l, row: 1 }, 0), recordId({ ...l, row: 2 }, 0));
  });
});
