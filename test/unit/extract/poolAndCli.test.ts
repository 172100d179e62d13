import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { mergeParts } from '../../../src/core/extract/mergeParts';
import { batchV8Flags, collectInputs, extractBatch, ExtractionPool, type BatchOutcome, type Progress } from '../../../src/core';
import { runCli } from '../../../src/cli/main';
import type { CliIO } from '../../../src/cli/io';
import { docx, encryptedPdf, multiPagePdf, ppt, pptx, textPdf, truncate } from '../../support/fixtures';
import { useTempDir, writeFiles } from '../../support/tmp';

/** A mixed folder of generated documents (two of which fail) and a 40-page PDF that takes a while to read. */
async function writeDocuments(dir: string): Promise<void> {
  const prose = (p: number) => [`Section ${p + 1}`, ...Array.from({ length: 40 }, (_, l) => `Line ${l + 1} of page ${p + 1}: the pump seal was inspected and the bearing replaced.`)];
  await writeFiles(dir, {
    'docs/word_sample.docx': docx(),
    'docs/slides.pptx': pptx(),
    'docs/deck.ppt': ppt([{ title: 'Adding a Bullet Slide', body: 'Find the bullet slide layout' }]),
    'docs/duck.md': '# Duck\n\nA duck swims on the lake.\n',
    'docs/truncated.pptx': truncate(pptx()),
    'docs/blank.txt': ' \n\t \n',
    'docs/multi_page.pdf': multiPagePdf(),
    'docs/long.pdf': textPdf(Array.from({ length: 40 }, (_, p) => prose(p))),
    'docs/locked.pdf': encryptedPdf('Secret text on the page.', { user: 'foo', owner: 'owner' }),
  });
}

describe('extraction in child processes', function () {
  this.timeout(120_000);
  const tmp = useTempDir();
  beforeEach(() => writeDocuments(tmp.dir));
  const doc = (name: string) => path.join(tmp.dir, 'docs', name);

  it('extracts a batch in parallel, keeps going past failures, reports progress by bytes', async () => {
    const { inputs, problems } = await collectInputs(['docs/word_sample.docx', 'docs/deck.ppt', 'docs/blank.txt', 'missing.pdf'], tmp.dir);
    assert.equal(problems[0]?.code, 'SOURCE_NOT_FOUND');
    const progress: Progress[] = [];
    const outcomes = await extractBatch(inputs, { ocr: false }, { concurrency: 2, onProgress: (p) => progress.push(p) });
    const byPath = Object.fromEntries(outcomes.map((o) => [o.input.relative, o]));
    assert.equal(byPath['docs/word_sample.docx']!.doc?.format, 'docx');
    assert.equal(byPath['docs/deck.ppt']!.doc?.format, 'ppt');
    assert.equal(byPath['docs/blank.txt']!.error?.code, 'EMPTY_FILE');
    assert.equal(progress.at(-1)!.done, 3);
    assert.equal(progress.at(-1)!.bytesDone, progress.at(-1)!.bytesTotal);
  });


  it('walks folders with include/exclude globs', async () => {
    await writeFiles(tmp.dir, { 'a/x.txt': 'x', 'a/y.md': '# y', 'a/skip/z.txt': 'z', 'a/b.exe': 'b' });
    const { inputs } = await collectInputs(['a'], tmp.dir, { exclude: ['skip/**'] });
    assert.deepEqual(inputs.map((i) => i.relative), ['x.txt', 'y.md']);
  });

  /** A stand-in thread script: the first `healthy` starts come up and echo each task after 1 s; later ones die while starting. */
  async function standIn(healthy: number): Promise<{ script: string; starts: () => Promise<number> }> {
    const dir = await fs.mkdtemp(path.join(tmp.dir, 'standIn-'));
    const script = path.join(dir, 'thread.js');
    const log = path.join(dir, 'starts');
    await fs.writeFile(
      script,
      `const fs = require('node:fs');
       fs.appendFileSync(${JSON.stringify(log)}, 'x');
       if (fs.readFileSync(${JSON.stringify(log)}, 'utf8').length > ${healthy}) throw new Error('cannot start');
       process.send({ type: 'ready' });
       process.on('message', (m) => m.type === 'task' && setTimeout(() => process.send({ type: 'done', id: m.id, result: { text: m.input.file } }), 1000));`,
    );
    return { script, starts: async () => (await fs.readFile(log, 'utf8')).length };
  }

  it('a thread that fails to start is not restarted while another is up, which does the work', async () => {
    const { script, starts } = await standIn(1);
    const pool = new ExtractionPool(2, 1, { workerScript: script });
    try {
      const first = pool.extract('a', { ocr: false });
      await new Promise((r) => setTimeout(r, 600)); // the first process is up and busy
      const docs = await Promise.all([first, pool.extract('b', { ocr: false }), pool.extract('c', { ocr: false })]);
      assert.deepEqual(docs.map((d) => d.text), ['a', 'b', 'c']);
      assert.equal(await starts(), 2, 'one failed start, not retried while a thread is up');
    } finally {
      await pool.close();
    }
  });

  it('when no thread can start, each start carries a task that then fails: no endless restarts', async () => {
    const { script, starts } = await standIn(0);
    const pool = new ExtractionPool(2, 1, { workerScript: script });
    try {
      const results = await Promise.allSettled(['a', 'b', 'c'].map((f) => pool.extract(f, { ocr: false })));
      assert.ok(results.every((r) => r.status === 'rejected' && (r.reason as { code?: string }).code === 'EXTRACTION_CRASHED'));
      assert.ok((await starts()) <= 4, `${await starts()} starts for 3 tasks`);
    } finally {
      await pool.close();
    }
  });

  it('tunes V8 in its own processes on Node 20 (V8 11) only, never under Electron', () => {
    const node20 = { ...process.versions, v8: '11.3.244.8-node.38' };
    assert.equal(batchV8Flags(node20), '--interrupt-budget=600000');
    assert.equal(batchV8Flags({ ...process.versions, v8: '13.6.233.17-node.53' }), undefined);
    assert.equal(batchV8Flags({ ...node20, electron: '37.2.0' }), undefined);
  });



  it('cancels work in flight by stopping its thread, and the pool goes on', async () => {
    const pool = new ExtractionPool(1);
    try {
      const c = new AbortController();
      const slow = pool.extract(doc('long.pdf'), { ocr: false }, { signal: c.signal });
      setTimeout(() => c.abort(), 20);
      await assert.rejects(slow, { code: 'CANCELLED' });
      const after = await pool.extract(doc('word_sample.docx'), {});
      assert.equal(after.format, 'docx');
      const pre = new AbortController();
      pre.abort();
      await assert.rejects(pool.extract(doc('word_sample.docx'), {}, { signal: pre.signal }), { code: 'CANCELLED' });
    } finally {
      await pool.close();
    }
    await assert.rejects(pool.extract(doc('word_sample.docx'), {}), /closed/);
  });

  it('stops a file that makes no progress without stopping the pool', async () => {
    const stalling = new ExtractionPool(1, 1, { stallTimeoutMs: 30 });
    try {
      await assert.rejects(stalling.extract(doc('long.pdf'), { ocr: false }), (e: Error & { code?: string }) => e.code === 'RESOURCE_LIMIT' && /no progress/.test(e.message));
    } finally {
      await stalling.close();
    }
  });

  it('keeps the caller responsive while a process parses', async () => {
    const pool = new ExtractionPool(1);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      await pool.extract(doc('long.pdf'), { ocr: false });
    } finally {
      clearInterval(timer);
      await pool.close();
    }
    assert.ok(ticks > 0, 'timers fired during the extraction');
  });
});

describe('brightrun extract', function () {
  this.timeout(120_000);
  const tmp = useTempDir();

  function io(cwd: string) {
    const out: string[] = [];
    const err: string[] = [];
    const cli: CliIO = { out: (t) => out.push(t), err: (t) => err.push(t), interactive: false, cwd, env: {} };
    return { cli, out: () => out.join(''), err: () => err.join('') };
  }
  beforeEach(() => writeDocuments(tmp.dir));

  it('writes <text-out>/<relative path>.txt and .md, one JSON line per file, and exits 1 on failures', async () => {
    const textOut = path.join(tmp.dir, 'text');
    const mdOut = path.join(tmp.dir, 'md');
    const r = io(tmp.dir);
    const code = await runCli(['extract', 'docs/word_sample.docx', 'docs/duck.md', 'docs/truncated.pptx', '--text-out', textOut, '--md-out', mdOut, '--json', '--no-ocr'], r.cli);
    assert.equal(code, 1);
    const lines = r.out().trim().split('\n').map((l) => JSON.parse(l) as { path: string; format: string | null; error: string | null; pages: number | null; ocrPages: number });
    const byPath = Object.fromEntries(lines.map((l) => [l.path, l]));
    assert.equal(byPath['docs/word_sample.docx']!.format, 'docx');
    assert.equal(byPath['docs/truncated.pptx']!.error, 'CORRUPT_FILE');
    assert.match(await fs.readFile(path.join(textOut, 'docs/word_sample.docx.txt'), 'utf8'), /Let’s swim!/);
    assert.match(await fs.readFile(path.join(mdOut, 'docs/duck.md.md'), 'utf8'), /^#/m);
    assert.match(r.err(), /Extracted 2 of 3 file\(s\)/);
  });


  it('prints a summary and a line per failure with its remedy', async () => {
    await writeFiles(tmp.dir, { 'in/a.txt': 'alpha', 'in/sub/b.csv': 'x,y\n1,2\n', 'in/empty.txt': '   ' });
    const r = io(tmp.dir);
    const code = await runCli(['extract', 'in', '--text-out', 'out'], r.cli);
    assert.equal(code, 1);
    assert.match(r.out(), /Extracted 2 of 3 file\(s\)/);
    assert.match(r.err(), /failed \[EMPTY_FILE\] .*empty\.txt.* — Remove it/);
    assert.equal(await fs.readFile(path.join(tmp.dir, 'out/sub/b.csv.txt'), 'utf8'), 'x\ty\n1\t2\n');
  });


  it('stops quietly with status 141 when its output pipe closes (`… --json | head -1`)', async () => {
    const many = path.join(tmp.dir, 'many');
    await writeFiles(many, Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`note-${i}.md`, `# Note ${i}\n\nSome text for note ${i}.\n`])));
    const { spawn } = await import('node:child_process');
    const cli = path.resolve(__dirname, '../../../../dist/cli.js');
    const child = spawn(process.execPath, [cli, 'extract', '.', '--text-out', path.join(tmp.dir, 'piped'), '--json', '--no-ocr'], { cwd: many, stdio: ['ignore', 'pipe', 'pipe'] });
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

  it('checks its options', async () => {
    for (const argv of [['extract', 'x'], ['extract', 'x', '--text-out', 'o', '--concurrency', '0'], ['extract', 'x', '--text-out', 'o', '--max-size-mb', 'big']]) {
      const r = io(tmp.dir);
      assert.equal(await runCli(argv, r.cli), 2, argv.join(' '));
    }
  });


  it('passes a PDF password from the environment', async () => {
    const r = io(tmp.dir);
    r.cli.env = { BRIGHTRUN_PDF_PASSWORD: 'foo' };
    assert.equal(await runCli(['extract', 'docs/locked.pdf', '--text-out', path.join(tmp.dir, 't'), '--json'], r.cli), 0);
    const line = JSON.parse(r.out()) as BatchOutcome & { error: string | null };
    assert.equal(line.error, null);
  });
});

describe('large PDFs split across threads', function () {
  this.timeout(120_000);
  const tmp = useTempDir();

  it('extracts page ranges on several threads and merges them into the same document', async () => {
    const generate = (await import(pathToFileURL(path.resolve(__dirname, '../../../../bench/generate.mjs')).href)) as { writeLargePdf: (f: string, o: { pages: number; targetBytes: number }) => Promise<number> };
    const file = path.join(tmp.dir, 'large.pdf');
    await generate.writeLargePdf(file, { pages: 120, targetBytes: 9 * 1024 * 1024 });
    const single = new ExtractionPool(1);
    const wide = new ExtractionPool(4);
    try {
      const units: number[] = [];
      const [whole, split] = await Promise.all([single.extract(file, { ocr: false }), wide.extract(file, { ocr: false }, { onUnit: (d) => units.push(d) })]);
      assert.equal(split.text, whole.text);
      assert.equal(split.markdown, whole.markdown);
      assert.deepEqual(split.pages, whole.pages);
      assert.deepEqual(split.blocks, whole.blocks);
      assert.equal(split.id, whole.id);
      assert.equal(split.metadata.pages, 120);
      assert.equal(Math.max(...units), 120, 'progress counts pages across the parts');
    } finally {
      await Promise.all([single.close(), wide.close()]);
    }
  });

  it('merges parts: offsets shifted, warnings de-duplicated, OCR summed', () => {
    const base = { id: 'sha', source: { path: 'a.pdf', name: 'a.pdf', size: 1 }, format: 'pdf' as const, detectedBy: '', metadata: { pages: 3 }, extractor: { name: 'brightrun' as const, version: '1', backend: '' }, extractedAt: '' };
    const warn = { code: 'PARTIAL_CONTENT' as const, message: 'truncated' };
    const a = { ...base, text: 'one', markdown: 'one\n', blocks: [{ type: 'paragraph' as const, start: 0, end: 3, page: 1 }], pages: [{ number: 1, start: 0, end: 3, source: 'text-layer' as const }], warnings: [warn], ocrPages: 0, timings: { totalMs: 5 } };
    const empty = { ...base, id: '', text: '', markdown: '', blocks: [], pages: [{ number: 2, start: 0, end: 0, source: 'none' as const }], warnings: [warn], ocrPages: 0, timings: { totalMs: 5 } };
    const c = { ...base, id: '', text: 'three', markdown: 'three\n', blocks: [{ type: 'paragraph' as const, start: 0, end: 5, page: 3 }], pages: [{ number: 3, start: 0, end: 5, source: 'ocr' as const, ocrConfidence: 90 }], warnings: [warn], ocrPages: 1, timings: { totalMs: 5, ocrMs: 4 } };
    const merged = mergeParts([a, empty, c], 12);
    assert.equal(merged.text, 'one\n\nthree');
    assert.equal(merged.markdown, 'one\n\nthree\n');
    assert.deepEqual(merged.blocks.map((b) => [b.start, b.end]), [[0, 3], [5, 10]]);
    assert.deepEqual(merged.pages!.map((p) => [p.number, p.start, p.end]), [[1, 0, 3], [2, 3, 3], [3, 5, 10]]);
    assert.equal(merged.warnings.length, 1);
    assert.equal(merged.ocrPages, 1);
    assert.deepEqual(merged.timings, { totalMs: 12, ocrMs: 4 });
    assert.equal(merged.id, 'sha');
    assert.throws(() => mergeParts([], 0));
  });
});

describe('worker boot loader with a V8 code cache', function () {
  this.timeout(60_000);
  const tmp = useTempDir();

  /** Runs one extraction in a process started by the boot loader; resolves with the document. */
  async function extractThroughBoot(cacheDir: string, file: string, env: NodeJS.ProcessEnv = process.env): Promise<{ text: string; backend: string }> {
    const { fork } = await import('node:child_process');
    const boot = path.join(__dirname, '..', '..', '..', 'src', 'core', 'extract', 'workerBoot.js');
    const child = fork(boot, [JSON.stringify({ ocrWorkers: 1, codeCacheDir: cacheDir })], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env });
    try {
      return await new Promise((resolve, reject) => {
        child.on('message', (msg: { type: string; result?: { text: string; extractor: { backend: string } }; error?: { message: string } }) => {
          if (msg.type === 'done') resolve({ text: msg.result!.text, backend: msg.result!.extractor.backend });
          else if (msg.type === 'failed') reject(new Error(msg.error!.message));
        });
        child.on('error', reject);
        child.send({ type: 'task', id: 1, stage: 'extract', input: { file, options: { ocr: false } }, maxMemoryMB: 3072 });
      });
    } finally {
      child.kill('SIGKILL');
    }
  }

  it('writes the cache after the first file, reuses it, and still imports pdf.js for files that need it', async () => {
    await writeFiles(tmp.dir, { 'multi_page.pdf': multiPagePdf(), 'owner-only.pdf': encryptedPdf('Owner only protection here.\nAnyone can open it and read it, every line of it.\n'.repeat(3), { user: '', owner: 'owner' }) });
    const base = path.join(tmp.dir, 'cache');
    const cacheDir = path.join(base, `${process.version}-${process.arch}`); // one directory per Node build
    await fs.mkdir(cacheDir, { recursive: true });
    await fs.writeFile(path.join(cacheDir, 'extractWorker-0123456789abcdef.v8cache'), 'an older build');
    const first = await extractThroughBoot(base, path.join(tmp.dir, 'multi_page.pdf'));
    const files = await fs.readdir(cacheDir);
    assert.equal(files.length, 1, 'the older build\'s cache is removed');
    const [cacheFile] = files;
    assert.match(cacheFile ?? '', /^extractWorker-[0-9a-f]{16}\.v8cache$/);
    const written = await fs.stat(path.join(cacheDir, cacheFile!));
    assert.ok(written.size > 0);
    const second = await extractThroughBoot(base, path.join(tmp.dir, 'multi_page.pdf'));
    assert.equal(second.text, first.text);
    assert.equal((await fs.stat(path.join(cacheDir, cacheFile!))).mtimeMs, written.mtimeMs, 'an accepted cache is not rewritten');
    // pdf.js, an ES module imported through the loader, reads the file when asked to
    const encrypted = await extractThroughBoot(base, path.join(tmp.dir, 'owner-only.pdf'), { ...process.env, BRIGHTRUN_PDF_READER: 'pdfjs' });
    assert.equal(encrypted.backend, 'pdfjs-dist@5.6');
    assert.ok(encrypted.text.length > 100);
  });
});
