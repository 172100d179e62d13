import * as assert from 'node:assert/strict';
import type { ExtractedDocument } from '../../../src/core/extract/types';
import type { TrainingRecord } from '../../../src/core/records/types';
import { CELL_CHARS, describeOrphan, fieldsOf, toDetail, toRow } from '../../../src/extension/records/recordViews';
import { isRecordFields, isRecordsToHost, MAX_ROWS_PER_REQUEST } from '../../../src/shared/protocol/records';

const lineage = { documentId: 'd', sourcePath: 'docs/a.md', span: { start: 6, end: 11 }, headingPath: ['H'], builder: 'chunk' as const, paramsHash: 'p', page: 2 };

describe('Records view: protocol guards and rows', () => {
  it('accepts the messages of the protocol and refuses everything else', () => {
    const good = [
      { type: 'ready' },
      { type: 'query', query: 0, filter: {} },
      { type: 'query', query: 3, filter: { split: 'test', kind: 'chat', builder: 'chunk', source: 'a', flag: 'edited', excluded: 'only', text: 'x' } },
      { type: 'rows', query: 1, start: 0, count: MAX_ROWS_PER_REQUEST },
      { type: 'select', recordId: 'abc' },
      { type: 'run', id: 1, action: 'exclude', recordIds: ['a', 'b'] },
      { type: 'edit', id: 2, recordId: 'a', fields: null },
      { type: 'edit', id: 2, recordId: 'a', fields: { kind: 'chat', messages: [{ role: 'user', content: 'q' }] } },
    ];
    for (const m of good) assert.ok(isRecordsToHost(m), JSON.stringify(m));
    const bad = [
      null,
      'ready',
      { type: 'nope' },
      { type: 'query', query: -1, filter: {} },
      { type: 'query', query: 1, filter: { split: 'dev' } },
      { type: 'query', query: 1, filter: { excluded: 'maybe' } },
      { type: 'query', query: 1, filter: { text: 3 } },
      { type: 'query', query: 1 },
      { type: 'rows', query: 1, start: 0, count: MAX_ROWS_PER_REQUEST + 1 },
      { type: 'rows', query: 1, start: 0.5, count: 10 },
      { type: 'select', recordId: 7 },
      { type: 'run', id: 1, action: 'delete', recordIds: [] },
      { type: 'run', id: 1, action: 'exclude', recordIds: [1] },
      { type: 'edit', id: 2, recordId: 'a', fields: { kind: 'chat', messages: [] } },
      { type: 'edit', id: 2, recordId: 'a', fields: { kind: 'chat', messages: [{ role: 'tool', content: 'x' }] } },
    ];
    for (const m of bad) assert.ok(!isRecordsToHost(m), JSON.stringify(m));
    assert.ok(isRecordFields({ kind: 'instruction', instruction: '', input: '', output: 'o' }));
    assert.ok(!isRecordFields({ kind: 'instruction', instruction: '', output: 'o' }));
    assert.ok(!isRecordFields({ kind: 'completion' }));
  });

  it('makes single-line rows by kind, and a detail with the span in its document', () => {
    const long: TrainingRecord = { id: 'c', kind: 'completion', text: `first\n\nline   ${'w '.repeat(400)}`, lineage, flags: ['truncated', 'edited', 'excluded'], split: 'train', tokens: 9 };
    const row = toRow(4, long);
    assert.equal(row.cells.length, 1);
    assert.ok(row.cells[0]!.startsWith('first line w w') && row.cells[0]!.length === CELL_CHARS && row.cells[0]!.endsWith('…'));
    assert.deepEqual([row.index, row.flags, row.excluded, row.edited, row.split, row.tokens], [4, ['truncated'], true, true, 'train', 9]);
    const ins = toRow(0, { id: 'i', kind: 'instruction', instruction: 'Q', input: '', output: 'A', lineage });
    assert.deepEqual(ins.cells, ['Q', '', 'A']);
    assert.equal(ins.split, undefined);
    const chat: TrainingRecord = { id: 'h', kind: 'chat', messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }], lineage };
    assert.deepEqual(toRow(0, chat).cells, ['user: Hi · assistant: Hello']);
    assert.deepEqual(fieldsOf(chat), { kind: 'chat', messages: chat.messages });

    const doc = { text: 'Intro THE SPAN rest' } as ExtractedDocument;
    const original: TrainingRecord = { ...long, text: 'THE S', flags: [] };
    const d = toDetail(1, long, original, doc);
    assert.deepEqual(d.source, { before: 'Intro ', span: 'THE S', after: 'PAN rest', cutBefore: false, cutAfter: false });
    assert.deepEqual(d.original, { kind: 'completion', text: 'THE S' });
    assert.equal(d.lineage.page, 2);
    assert.ok(d.excluded);
    const missing = toDetail(1, { ...long, flags: [] }, undefined, undefined);
    assert.match((missing.source as { error: string }).error, /docs\/a\.md is not available/);
    assert.equal(missing.original, undefined);
    assert.equal((toDetail(1, long, original, undefined, 'damaged').source as { error: string }).error, 'damaged');
    assert.deepEqual(describeOrphan({ id: 'x', excluded: true, edit: { kind: 'completion', text: '' }, updatedAt: '2025-01-02T03:04:05Z' }), { id: 'x', what: 'exclusion and completion edit saved 2025-01-02 03:04' });
  });
});
