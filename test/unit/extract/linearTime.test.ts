import * as assert from 'node:assert/strict';
import { extract } from '../../../src/core';
import { cleanText } from '../../../src/core/extract/cleanText';
import { classifyText } from '../../../src/core/extract/detect';
import { DocumentBuilder, trimLineEnds } from '../../../src/core/extract/documentBuilder';
import { atxHeading, extractMarkdown, extractPlainText } from '../../../src/core/extract/backends/plainText';
import { extractCsv } from '../../../src/core/extract/backends/csv';
import { extractJson, extractJsonLines, looksLikeJsonLines } from '../../../src/core/extract/backends/json';
import { useTempDir } from '../../support/tmp';

/**
 * Hostile text in linear time: long runs of the characters the parsers' patterns care about, ending in a letter
 * (what makes a backtracking regex fail late). The bound is generous — a slow 2-core VM passes with room — and
 * still catches the old behaviour: 200 KB of blanks took 107 s in the trailing-blank trim, 3 KB in the heading
 * test 11 s.
 */
const N = 200 * 1024;
const BOUND_MS = 2000;
const UNITS = [' ', '#', '*', '_', '|', '`', '\t', '[', '-', '=', '\n', ' \n', '# ', '| ', '\t\n', '](', '**'];

function payloads(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const u of UNITS) {
    const run = u.repeat(Math.ceil(N / u.length)).slice(0, N);
    out.push([`${JSON.stringify(u)}×N + letter`, `${run}a`]);
    out.push([`# x + ${JSON.stringify(u)}×N + letter`, `# x${run}y`]);
  }
  return out;
}

function timed(label: string, fn: () => unknown): void {
  const started = performance.now();
  fn();
  const ms = performance.now() - started;
  assert.ok(ms < BOUND_MS, `${label} took ${Math.round(ms)} ms`);
}

describe('extraction runs in linear time on hostile text', function () {
  this.timeout(120_000);
  const tmp = useTempDir();

  it('the classifiers and line helpers (Markdown score, delimited, JSON Lines, headings, trims)', () => {
    for (const [label, text] of payloads()) {
      timed(`classifyText ${label}`, () => classifyText(text.slice(0, 64 * 1024), 'x.txt', false, looksLikeJsonLines));
      timed(`classifyText whole ${label}`, () => classifyText(text, 'x.txt', true, looksLikeJsonLines));
      timed(`atxHeading ${label}`, () => atxHeading(text));
      timed(`trimLineEnds ${label}`, () => trimLineEnds(text));
      timed(`cleanText ${label}`, () => cleanText(text));
      timed(`builder ${label}`, () => {
        const b = new DocumentBuilder();
        b.paragraph(text);
        b.heading(text, 1);
        b.add({ type: 'list', text });
        b.table([[text, text]]);
        return b.result();
      });
    }
  });

  it('the TXT, Markdown, CSV, JSON and JSON Lines backends', () => {
    for (const [label, text] of payloads()) {
      timed(`txt ${label}`, () => extractPlainText(text));
      timed(`md ${label}`, () => extractMarkdown(text));
      timed(`csv ${label}`, () => extractCsv(text));
      timed(`json ${label}`, () => extractJson(JSON.stringify([text, { k: text }]), 'x.json'));
      timed(`jsonl ${label}`, () => extractJsonLines(`${JSON.stringify({ a: text })}\n${JSON.stringify([text])}\n`));
    }
  });

  it('whole files through extract(), as .txt and .md', async () => {
    for (const [label, text] of payloads()) {
      for (const name of ['h.txt', 'h.md']) {
        const file = await tmp.write(name, text);
        const started = performance.now();
        const doc = await extract(file).catch((e: Error) => e);
        const ms = performance.now() - started;
        assert.ok(ms < BOUND_MS, `${name} ${label} took ${Math.round(ms)} ms`);
        if (!(doc instanceof Error)) assert.ok(doc.text.length > 0);
      }
    }
  });

  it('a damaged PDF whose objects are recovered by scanning, over long runs of digits and blanks', async () => {
    for (const run of ['1'.repeat(N), '1 '.repeat(N / 2), ` ${' '.repeat(N)}0 obj`]) {
      const file = await tmp.write('h.pdf', `%PDF-1.4\n${run}\n%%EOF\n`);
      const started = performance.now();
      const outcome = await extract(file, { ocr: false }).catch((e: { code?: string }) => e);
      const ms = performance.now() - started;
      assert.ok(ms < BOUND_MS, `took ${Math.round(ms)} ms`);
      assert.equal((outcome as { code?: string }).code, 'CORRUPT_FILE');
    }
  });
});
