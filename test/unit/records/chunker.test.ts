import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { chunkDocument, type ChunkParams } from '../../../src/core/records/chunker';
import { sentenceStarts } from '../../../src/core/records/sentences';
import { loadTokenizer } from '../../../src/core/records/tokenizer';
import type { CompletionRecord } from '../../../src/core/records/types';
import { generatedParts, makeDoc, rng, sentence, type Part } from '../../support/recordDocs';

const tok = loadTokenizer('qwen3');
const P: ChunkParams = { tokenizer: 'qwen3', targetTokens: 60, maxTokens: 90, overlapTokens: 15 };

function chunks(parts: Part[], params = P): { records: CompletionRecord[]; text: string; doc: ReturnType<typeof makeDoc> } {
  const doc = makeDoc(parts);
  return { records: chunkDocument({ doc, sourcePath: 'docs/a.md' }, params, tok), text: doc.text, doc };
}

/** Every rule that holds for any document and any parameters. */
function assertInvariants(doc: ReturnType<typeof makeDoc>, records: CompletionRecord[], params: ChunkParams): void {
  const text = doc.text;
  for (const r of records) {
    const { start, end } = r.lineage.span;
    assert.equal(r.text, text.slice(start, end), 'text is the span');
    assert.ok(r.text.trim().length > 0, 'no empty chunk');
    assert.equal(r.tokens, tok.count(r.text), 'tokens are exact');
    assert.ok(r.tokens! <= params.maxTokens, `chunk of ${r.tokens} tokens > max ${params.maxTokens}`);
    if (!r.flags?.includes('cut-oversize-block')) {
      assert.ok(start === 0 || /\s/.test(text[start - 1]!), `starts mid-word at ${start}: …${text.slice(start - 5, start + 5)}`);
      assert.ok(end === text.length || /\s/.test(text[end]!) || /[\s.?!]/.test(text[end - 1]!), `ends mid-word at ${end}`);
    }
  }
  for (const block of doc.blocks) {
    const lead = /^\s*/.exec(text.slice(block.start, block.end))![0].length;
    const b = { ...block, start: block.start + lead, end: block.start + text.slice(block.start, block.end).trimEnd().length };
    const blockText = text.slice(b.start, b.end);
    if (b.type === 'heading') {
      // A heading is never the tail of a chunk: no chunk ends with it while text follows in the document.
      for (const r of records) assert.ok(!(r.lineage.span.end === b.end && b.end < text.trimEnd().length), `chunk ends with heading "${blockText}"`);
    }
    if ((b.type === 'table' || b.type === 'code') && tok.count(blockText) <= params.maxTokens) {
      for (const r of records) {
        const { start, end } = r.lineage.span;
        assert.ok(!(start > b.start && start < b.end) && !(end > b.start && end < b.end), `a ${b.type} block was cut`);
      }
      assert.ok(records.some((r) => r.lineage.span.start <= b.start && r.lineage.span.end >= b.end), `${b.type} block in no chunk`);
    }
  }
  for (const m of text.matchAll(/\$\$[\s\S]*?\$\$/g)) {
    for (const r of records) assert.ok(!(r.lineage.span.start > m.index && r.lineage.span.start < m.index + m[0].length) && !(r.lineage.span.end > m.index && r.lineage.span.end < m.index + m[0].length), 'formula cut');
  }
}

describe('records: sentence boundaries', () => {
  it('splits sentences, but not after abbreviations, initials or inside decimals', () => {
    const t = 'Prime the pump, e.g. with water. Dr. Smith measured 3.14 bar in the U.S. market. J. Doe agreed! Was it 2.5 mm? Yes. 東京です。次の文。';
    const starts = sentenceStarts(t).map((s) => t.slice(s, s + 6));
    assert.deepEqual(starts, ['Dr. Sm', 'J. Doe', 'Was it', 'Yes. 東', '東京です。次', '次の文。']);
    assert.deepEqual(sentenceStarts('Pressure is 3.14 bar. See Fig. 3 and cf. the table. No. 5 is fine.'), [22, 52]);
    assert.deepEqual(sentenceStarts('lower case. continues here.'), []);
  });
});

describe('records: chunk builder', () => {
  it('keeps every rule on generated manuals (fast-check over seeds and sizes)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 20, max: 200 }), fc.integer({ min: 0, max: 40 }), (seed, target, overlap) => {
        const params: ChunkParams = { tokenizer: 'qwen3', targetTokens: target, maxTokens: Math.ceil(target * 1.5), overlapTokens: Math.min(overlap, target - 1) };
        const { records, doc } = chunks(generatedParts(seed), params);
        assert.ok(records.length > 0);
        assertInvariants(doc, records, params);
      }),
      { numRuns: 60 },
    );
  });

  it('carries the heading path, page and slide of each chunk', () => {
    const r = rng(7);
    const parts: Part[] = [
      { type: 'heading', text: '# Manual', level: 1 },
      { type: 'heading', text: '## Install', level: 2 },
      { type: 'paragraph', text: Array.from({ length: 12 }, () => sentence(r)).join(' '), page: 2 },
      { type: 'heading', text: '## Service', level: 2 },
      { type: 'heading', text: '### Seals', level: 3 },
      { type: 'paragraph', text: Array.from({ length: 12 }, () => sentence(r)).join(' '), page: 3 },
    ];
    const { records } = chunks(parts);
    assert.deepEqual(records[0]!.lineage.headingPath, []);
    assert.ok(records[0]!.text.startsWith('# Manual\n\n## Install'), 'headings lead their body');
    const last = records[records.length - 1]!;
    assert.deepEqual(last.lineage.headingPath, ['Manual', 'Service', 'Seals']);
    assert.equal(last.lineage.page, 3);
    assert.ok(records.some((x) => x.lineage.headingPath.join('/') === 'Manual/Install' && x.lineage.page === 2));
    assert.ok(records.every((x) => x.lineage.builder === 'chunk' && /^[0-9a-f]{16}$/.test(x.lineage.paramsHash) && /^[0-9a-f]{24}$/.test(x.id)));
  });

  it('starts a new chunk at a section once the current one is half full, and repeats whole sentences as overlap', () => {
    const r = rng(3);
    const para = () => ({ type: 'paragraph' as const, text: Array.from({ length: 10 }, () => sentence(r)).join(' ') });
    const { records, text } = chunks([{ type: 'heading', text: 'A', level: 1 }, para(), { type: 'heading', text: 'B', level: 1 }, para()]);
    assert.ok(records.some((x) => x.text.startsWith('B\n\n')), 'section B starts a chunk');
    const overlapping = records.filter((x, i) => i > 0 && x.lineage.span.start < records[i - 1]!.lineage.span.end);
    assert.ok(overlapping.length > 0, 'some overlap');
    for (const x of overlapping) assert.ok(/[.?!]\s$/.test(text.slice(x.lineage.span.start - 2, x.lineage.span.start)), 'overlap starts at a sentence');
    for (const x of records.filter((y) => y.text.startsWith('B\n\n'))) assert.ok(!records.some((y) => y !== x && y.lineage.span.end > x.lineage.span.start && y.lineage.span.start < x.lineage.span.start), 'no overlap across sections');
  });

  it('cuts a table, code block or formula that alone exceeds the maximum at its rows or lines', () => {
    const table = Array.from({ length: 40 }, (_, i) => `row ${i}\tpressure\t${i * 1.5} bar\tvalve seal check`).join('\n');
    const code = Array.from({ length: 40 }, (_, i) => `const reading${i} = pump.pressure(${i});`).join('\n');
    const { records, text, doc } = chunks([{ type: 'heading', text: 'Data', level: 1 }, { type: 'table', text: table }, { type: 'code', text: code }]);
    assertInvariants(doc, records, P);
    for (const x of records) {
      const { start, end } = x.lineage.span;
      assert.ok(start === 0 || text[start - 1] === '\n', 'cut at a row/line start');
      assert.ok(end === text.length || text[end] === '\n', 'cut at a row/line end');
    }
    assert.ok(records.length >= 4);
    assert.ok(records.filter((x) => x.flags?.includes('cut-oversize-block')).length >= 3);
  });

  it('never makes empty or heading-only chunks, and is deterministic', () => {
    const parts: Part[] = [{ type: 'heading', text: 'Only', level: 1 }, { type: 'paragraph', text: '   ' }, { type: 'heading', text: 'Two', level: 2 }, { type: 'paragraph', text: 'Body text here.' }, { type: 'heading', text: 'Tail', level: 1 }];
    const { records } = chunks(parts);
    assert.equal(records.length, 1);
    assert.equal(records[0]!.text, 'Only\n\n   \n\nTwo\n\nBody text here.');
    assert.deepEqual(chunks(parts).records, records);
    assert.deepEqual(chunks([]).records, []);
  });

  it('chunks a document without blocks by paragraphs, and a long word at code points', () => {
    const doc = makeDoc([]);
    const r = rng(11);
    doc.text = `${Array.from({ length: 8 }, () => sentence(r)).join(' ')}\n\n${'x'.repeat(2000)}\n\n${sentence(r)}`;
    const records = chunkDocument({ doc, sourcePath: 'a.txt' }, P, tok);
    assertInvariants(doc, records, P);
    for (let i = 0; i < doc.text.length; i++) if (!/\s/.test(doc.text[i]!)) assert.ok(records.some((x) => x.lineage.span.start <= i && i < x.lineage.span.end), `character ${i} in no chunk`);
  });
});
