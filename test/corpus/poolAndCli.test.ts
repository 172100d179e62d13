import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { collectInputs, extractBatch, type BatchOutcome, type Progress } from '../../src/core';
import { runCli } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/io';
import { CORPUS } from '../support/corpus';
import { useTempDir } from '../support/tmp';

describe('corpus: extraction in child processes', function () {
  this.timeout(120_000);

  it('extracts a batch in parallel, keeps going past failures, reports progress by bytes', async () => {
    const { inputs, problems } = await collectInputs(['docling/docx/word_sample.docx', 'unstructured/ppt/fake-power-point.ppt', 'unstructured/txt/fake-text-all-whitespace.txt', 'missing.pdf'], CORPUS);
    assert.equal(problems[0]?.code, 'SOURCE_NOT_FOUND');
    const progress: Progress[] = [];
    const outcomes = await extractBatch(inputs, { ocr: false }, { concurrency: 2, onProgress: (p) => progress.push(p) });
    const byPath = Object.fromEntries(outcomes.map((o) => [o.input.relative, o]));
    assert.equal(byPath['docling/docx/word_sample.docx']!.doc?.format, 'docx');
    assert.equal(byPath['unstructured/ppt/fake-power-point.ppt']!.doc?.format, 'ppt');
    assert.equal(byPath['unstructured/txt/fake-text-all-whitespace.txt']!.error?.code, 'EMPTY_FILE');
    assert.equal(progress.at(-1)!.done, 3);
    assert.equal(progress.at(-1)!.bytesDone, progress.at(-1)!.bytesTotal);
  });

});

describe('corpus: brightrun extract', function () {
  this.timeout(120_000);
  const tmp = useTempDir();

  function io(cwd: string) {
    const out: string[] = [];
    const err: string[] = [];
    const cli: CliIO = { out: (t) => out.push(t), err: (t) => err.push(t), interactive: false, cwd, env: {} };
    return { cli, out: () => out.join(''), err: () => err.join('') };
  }

  it('writes <text-out>/<relative path>.txt and .md, one JSON line per file, and exits 1 on failures', async () => {
    const textOut = path.join(tmp.dir, 'text');
    const mdOut = path.join(tmp.dir, 'md');
    const r = io(CORPUS);
    const code = await runCli(['extract', 'unstructured/doc/fake.doc', 'docling/md/duck.md', 'synthetic/corrupt/truncated.pptx', '--text-out', textOut, '--md-out', mdOut, '--json', '--no-ocr'], r.cli);
    assert.equal(code, 1);
    const lines = r.out().trim().split('\n').map((l) => JSON.parse(l) as { path: string; format: string | null; error: string | null; pages: number | null; ocrPages: number });
    const byPath = Object.fromEntries(lines.map((l) => [l.path, l]));
    assert.equal(byPath['unstructured/doc/fake.doc']!.format, 'doc');
    assert.equal(byPath['synthetic/corrupt/truncated.pptx']!.error, 'CORRUPT_FILE');
    assert.match(await fs.readFile(path.join(textOut, 'unstructured/doc/fake.doc.txt'), 'utf8'), /Lorem ipsum/);
    assert.match(await fs.readFile(path.join(mdOut, 'docling/md/duck.md.md'), 'utf8'), /^#/m);
    assert.match(r.err(), /Extracted 2 of 3 file\(s\)/);
  });

  it('passes a PDF password from the environment', async () => {
    const r = io(CORPUS);
    r.cli.env = { BRIGHTRUN_PDF_PASSWORD: 'foo' };
    assert.equal(await runCli(['extract', 'pdfminer/aes-256.pdf', '--text-out', path.join(tmp.dir, 't'), '--json'], r.cli), 0);
    const line = JSON.parse(r.out()) as BatchOutcome & { error: string | null };
    assert.equal(line.error, null);
  });
});
