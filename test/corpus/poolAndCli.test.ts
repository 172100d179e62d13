import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { collectInputs, extractBatch, ExtractionPool, type BatchOutcome, type Progress } from '../../src/core';
import { runCli } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/io';
import { CORPUS, corpus } from '../support/corpus';
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

  it('cancels work in flight by stopping its thread, and the pool goes on', async () => {
    const pool = new ExtractionPool(1);
    try {
      const c = new AbortController();
      const slow = pool.extract(corpus('docling/pdf/normal_4pages.pdf'), { ocr: false }, { signal: c.signal });
      setTimeout(() => c.abort(), 20);
      await assert.rejects(slow, { code: 'CANCELLED' });
      const after = await pool.extract(corpus('unstructured/doc/fake.doc'), {});
      assert.equal(after.format, 'doc');
      const pre = new AbortController();
      pre.abort();
      await assert.rejects(pool.extract(corpus('unstructured/doc/fake.doc'), {}, { signal: pre.signal }), { code: 'CANCELLED' });
    } finally {
      await pool.close();
    }
    await assert.rejects(pool.extract(corpus('unstructured/doc/fake.doc'), {}), /closed/);
  });

  it('stops a file that makes no progress without stopping the pool', async () => {
    const stalling = new ExtractionPool(1, 1, { stallTimeoutMs: 30 });
    try {
      await assert.rejects(stalling.extract(corpus('docling/pdf/normal_4pages.pdf'), { ocr: false }), (e: Error & { code?: string }) => e.code === 'RESOURCE_LIMIT' && /no progress/.test(e.message));
    } finally {
      await stalling.close();
    }
  });

  it('keeps the caller responsive while a process parses', async () => {
    const pool = new ExtractionPool(1);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      await pool.extract(corpus('docling/pdf/normal_4pages.pdf'), { ocr: false });
    } finally {
      clearInterval(timer);
      await pool.close();
    }
    assert.ok(ticks > 0, 'timers fired during the extraction');
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

  it('stops quietly with status 141 when its output pipe closes (`… --json | head -1`)', async () => {
    const { spawn } = await import('node:child_process');
    const cli = path.resolve(__dirname, '../../../dist/cli.js');
    const child = spawn(process.execPath, [cli, 'extract', '.', '--text-out', path.join(tmp.dir, 'piped'), '--json', '--no-ocr'], { cwd: CORPUS, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    // Like `head -1`: read the first line, then close the pipe.
    const first = await new Promise<string>((resolve) => {
      let got = '';
      child.stdout.on('data', (d: Buffer) => {
        got += d;
        if (got.includes('\n')) {
          child.stdout.destroy();
          resolve(got.split('\n')[0]!);
        }
      });
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.ok(JSON.parse(first).path, 'the first line was a result');
    assert.equal(code, 141);
    assert.doesNotMatch(stderr, /EPIPE|Unhandled|at .*\(/, 'no crash trace');
  });

  it('passes a PDF password from the environment', async () => {
    const r = io(CORPUS);
    r.cli.env = { BRIGHTRUN_PDF_PASSWORD: 'foo' };
    assert.equal(await runCli(['extract', 'pdfminer/aes-256.pdf', '--text-out', path.join(tmp.dir, 't'), '--json'], r.cli), 0);
    const line = JSON.parse(r.out()) as BatchOutcome & { error: string | null };
    assert.equal(line.error, null);
  });
});

describe('corpus: worker boot loader with a V8 code cache', function () {
  this.timeout(60_000);
  const tmp = useTempDir();

  /** Runs one extraction in a process started by the boot loader; resolves with the document. */
  async function extractThroughBoot(cacheDir: string, file: string): Promise<{ text: string; backend: string }> {
    const { fork } = await import('node:child_process');
    const boot = path.join(__dirname, '..', '..', 'src', 'core', 'extract', 'workerBoot.js');
    const child = fork(boot, [JSON.stringify({ ocrWorkers: 1, codeCacheDir: cacheDir })], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    try {
      return await new Promise((resolve, reject) => {
        child.on('message', (msg: { type: string; doc?: { text: string; extractor: { backend: string } }; error?: { message: string } }) => {
          if (msg.type === 'done') resolve({ text: msg.doc!.text, backend: msg.doc!.extractor.backend });
          else if (msg.type === 'failed') reject(new Error(msg.error!.message));
        });
        child.on('error', reject);
        child.send({ type: 'extract', id: 1, file, options: { ocr: false } });
      });
    } finally {
      child.kill('SIGKILL');
    }
  }

  it('writes the cache after the first file, reuses it, and still imports pdf.js for files that need it', async () => {
    const base = path.join(tmp.dir, 'cache');
    const cacheDir = path.join(base, `${process.version}-${process.arch}`); // one directory per Node build
    await fs.mkdir(cacheDir, { recursive: true });
    await fs.writeFile(path.join(cacheDir, 'extractWorker-0123456789abcdef.v8cache'), 'an older build');
    const first = await extractThroughBoot(base, corpus('docling/pdf/multi_page.pdf'));
    const files = await fs.readdir(cacheDir);
    assert.equal(files.length, 1, 'the older build\'s cache is removed');
    const [cacheFile] = files;
    assert.match(cacheFile ?? '', /^extractWorker-[0-9a-f]{16}\.v8cache$/);
    const written = await fs.stat(path.join(cacheDir, cacheFile!));
    assert.ok(written.size > 0);
    const second = await extractThroughBoot(base, corpus('docling/pdf/multi_page.pdf'));
    assert.equal(second.text, first.text);
    assert.equal((await fs.stat(path.join(cacheDir, cacheFile!))).mtimeMs, written.mtimeMs, 'an accepted cache is not rewritten');
    // an encrypted PDF goes to pdf.js, an ES module imported through the loader
    const encrypted = await extractThroughBoot(base, corpus('unstructured/pdf/copy-protected.pdf'));
    assert.equal(encrypted.backend, 'pdfjs-dist@5.6');
    assert.ok(encrypted.text.length > 100);
  });
});
