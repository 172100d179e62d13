import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BrightRunError, collectInputs, parseShard, defaultPoolSize, describeSkipped, extractBatch, extractProject, ExtractionPool, formatDuration, Project, type BatchOutcome, type ExtractOptions, type ProjectExtractOutcome, outputError, removeStaleTemps, toBrightRunError } from '../../core';
import { writeFileAtomic } from '../../core/fs/atomicWrite';
import { printable, problemLine, ProgressLine, UsageError, type CliIO } from '../io';
import type { CommandSpec, ParsedCommandArgs } from './types';

export const extractCommand: CommandSpec = {
  name: 'extract',
  summary: "Extract the project's queued documents (resumable), or any files to text with --text-out (PDF, Word, PowerPoint, text, CSV, JSON, images with OCR).",
  usage: 'brightrun extract [--retry-failed] [--shard <i/n>] [--project <dir>]   |   brightrun extract <files or folders…> --text-out <dir> [--md-out <dir>] [--password <pw>] [--no-ocr] [--ocr-lang <code>]… [--concurrency <n>] [--json]',
  options: {
    'text-out': { type: 'string', description: 'Write the plain text of each input to <dir>/<path relative to its input folder>.txt.' },
    'md-out': { type: 'string', description: 'Also write Markdown to <dir>/<relative path>.md.' },
    password: { type: 'string', description: 'Password for encrypted PDFs (or set BRIGHTRUN_PDF_PASSWORD).' },
    'no-ocr': { type: 'boolean', description: 'Do not OCR images and scanned pages.' },
    'ocr-lang': { type: 'string', multiple: true, description: 'OCR language (Tesseract code, default eng); repeatable. Needs @tesseract.js-data/<code>.' },
    'max-size-mb': { type: 'string', description: 'Largest file to extract, in MB (default 512).' },
    concurrency: { type: 'string', description: 'Files extracted at once (default: CPU cores − 1).' },
    include: { type: 'string', multiple: true, description: 'Glob of files to take from input folders; repeatable. Default: every supported type.' },
    exclude: { type: 'string', multiple: true, description: 'Glob of files to skip in input folders; repeatable.' },
    'retry-failed': { type: 'boolean', description: 'Project mode: also retry documents that failed before.' },
    shard: { type: 'string', description: 'Project mode: extract only share i of n (0 ≤ i < n) of the queued documents, chosen by content hash; combine the shards with "brightrun merge".' },
  },
  async run(io: CliIO, args) {
    const v = args.values;
    if (args.positionals.length === 0) return extractQueued(io, args);
    if (v.shard !== undefined) throw usage('--shard shares out the project\'s queue: give it without input files');
    const textOut = typeof v['text-out'] === 'string' ? path.resolve(io.cwd, v['text-out']) : undefined;
    const mdOut = typeof v['md-out'] === 'string' ? path.resolve(io.cwd, v['md-out']) : undefined;
    if (!textOut && !mdOut) throw usage('give --text-out <dir> and/or --md-out <dir>');
    const concurrency = v.concurrency !== undefined ? positiveInt(v.concurrency, '--concurrency') : undefined;
    const maxMb = v['max-size-mb'] !== undefined ? positiveInt(v['max-size-mb'], '--max-size-mb') : undefined;
    const password = (typeof v.password === 'string' ? v.password : undefined) ?? io.env.BRIGHTRUN_PDF_PASSWORD;
    const options: ExtractOptions = {
      ocr: v['no-ocr'] !== true,
      ocrLanguages: (v['ocr-lang'] as string[] | undefined) ?? ['eng'],
      ...(password !== undefined ? { password } : {}),
      ...(maxMb ? { maxBytes: maxMb * 1024 * 1024 } : {}),
    };
    // A thread starts booting now, while the inputs are collected.
    const pool = new ExtractionPool(concurrency ?? defaultPoolSize(false));
    pool.warm(1);
    try {
      return await extractInputs(io, args, pool, options, textOut, mdOut);
    } finally {
      await pool.close();
    }
  },
};

/** Files mode: each input's text (and Markdown) written beside the others under --text-out / --md-out. */
async function extractInputs(io: CliIO, args: ParsedCommandArgs, pool: ExtractionPool, options: ExtractOptions, textOut: string | undefined, mdOut: string | undefined): Promise<number> {
  const v = args.values;
  const { inputs, problems, notices, skipped } = await collectInputs(args.positionals, io.cwd, {
    ...(v.include ? { include: v.include as string[] } : {}),
    ...(v.exclude ? { exclude: v.exclude as string[] } : {}),
  });
  for (const p of problems) io.err(`brightrun: skipped ${problemLine(p)}\n`);
  for (const n of notices) io.err(`brightrun: note: ${printable(n)}\n`);
  const skippedLine = describeSkipped(skipped);
  if (skippedLine) io.err(`brightrun: note: skipped ${skippedLine} — file types Bright Run does not take (--include to take them anyway).\n`);
  const outputs = new OutputFolders();
  const started = Date.now();
  const progress = new ProgressLine(io, 'Extracting');
  let pages = 0;
  let ocrPages = 0;
  const failures: BatchOutcome[] = [];
  await extractBatch(inputs, options, {
    signal: args.signal,
    pool,
    onProgress: (p) => progress.update(p),
    onOutcome: async (extracted) => {
      let o = extracted;
      if (o.doc) {
        // A file that cannot be written is that file's failure; the batch goes on.
        const doc = o.doc;
        try {
          if (textOut) await outputs.write(textOut, `${o.input.relative}.txt`, doc.text.endsWith('\n') || !doc.text ? [doc.text] : [doc.text, '\n']);
          if (mdOut) await outputs.write(mdOut, `${o.input.relative}.md`, [doc.markdown]);
          pages += doc.pages?.length ?? 0;
          ocrPages += doc.ocrPages;
        } catch (err) {
          o = { input: o.input, error: err instanceof BrightRunError ? err.toJSON() : toBrightRunError(err, o.input.file).toJSON() };
        }
      }
      if (!o.doc) {
        failures.push(o);
      }
      if (args.json) {
        io.out(
          JSON.stringify({
            path: o.input.relative,
            format: o.doc?.format ?? null,
            pages: o.doc?.pages?.length ?? null,
            ocrPages: o.doc?.ocrPages ?? 0,
            chars: o.doc?.text.length ?? 0,
            warnings: o.doc?.warnings.map((w) => w.code) ?? [],
            ms: o.doc?.timings.totalMs ?? null,
            error: o.error ? o.error.code : null,
            ...(o.error ? { message: o.error.message, remedy: o.error.remedy } : {}),
          }) + '\n',
        );
      }
    },
  });
  progress.done();
  const summary = `Extracted ${inputs.length - failures.length} of ${inputs.length} file(s): ${pages} page(s), ${ocrPages} OCR'd, in ${elapsed(Date.now() - started)}${failures.length ? `; ${failures.length} failed` : ''}.`;
  if (!args.json) {
    io.out(summary + '\n');
    for (const f of failures) io.err(`brightrun: failed ${problemLine(f.error!)}\n`);
  } else {
    io.err(summary + '\n');
  }
  return failures.length || problems.length ? 1 : 0;
}

/** Project mode: the queued sources, into .brightrun/documents; a killed run resumes where it stopped. */
async function extractQueued(io: CliIO, args: ParsedCommandArgs): Promise<number> {
  const v = args.values;
  if (v['text-out'] !== undefined || v['md-out'] !== undefined) throw usage('--text-out and --md-out need input files or folders');
  const shard = typeof v.shard === 'string' ? parseShard(v.shard) : undefined;
  const project = await Project.locate(args.projectDir, { owner: 'brightrun CLI' });
  const concurrency = v.concurrency !== undefined ? positiveInt(v.concurrency, '--concurrency') : undefined;
  const password = (typeof v.password === 'string' ? v.password : undefined) ?? io.env.BRIGHTRUN_PDF_PASSWORD;
  const options: ExtractOptions = {
    ...(v['no-ocr'] === true ? { ocr: false } : {}),
    ...(v['ocr-lang'] ? { ocrLanguages: v['ocr-lang'] as string[] } : {}),
    ...(password !== undefined ? { password } : {}),
  };
  // Temp files a killed run left where this one writes.
  await Promise.all([removeStaleTemps(project.paths.dataDir), removeStaleTemps(project.paths.documents)]);
  const started = Date.now();
  const progress = new ProgressLine(io, 'Extracting');
  const failures: ProjectExtractOutcome[] = [];
  const summary = await extractProject(project, {
    options,
    signal: args.signal,
    retryFailed: v['retry-failed'] === true,
    ...(shard ? { shard } : {}),
    concurrency: concurrency ?? defaultPoolSize(false),
    onProgress: (p) => progress.update(p),
    onOutcome: (o) => {
      if (o.status === 'failed') failures.push(o);
      if (args.json) io.out(JSON.stringify({ path: o.path, status: o.status, reused: o.reused, format: o.extracted?.format ?? null, pages: o.extracted?.pages ?? null, ocrPages: o.extracted?.ocrPages ?? 0, error: o.error?.code ?? null }) + '\n');
    },
  });
  progress.done();
  const total = summary.done + summary.failed;
  const line =
    total === 0
      ? `Nothing to extract in "${project.config.name}": no queued documents${v['retry-failed'] ? ' or failed ones' : ' (use --retry-failed to retry failed ones)'}.`
      : `Extracted ${summary.done} of ${total} document(s) (${summary.reused} unchanged, reused): ${summary.pages} page(s), ${summary.ocrPages} OCR'd, in ${elapsed(Date.now() - started)}${summary.failed ? `; ${summary.failed} failed` : ''}.`;
  (args.json ? io.err : io.out)(line + '\n');
  if (!args.json) for (const f of failures) io.err(`brightrun: failed ${printable(`${f.path}: `)}${problemLine(f.error!)}\n`);
  return summary.failed ? 1 : 0;
}

/** Writes outputs under --text-out / --md-out; the first write into a folder removes temp files a killed run left there. */
class OutputFolders {
  private readonly cleaned = new Map<string, Promise<unknown>>();

  async write(root: string, relative: string, content: readonly string[]): Promise<void> {
    const file = path.join(root, relative);
    const dir = path.dirname(file);
    try {
      await fs.mkdir(dir, { recursive: true });
      if (!this.cleaned.has(dir)) this.cleaned.set(dir, removeStaleTemps(dir));
      await this.cleaned.get(dir);
      await writeFileAtomic(file, content);
    } catch (err) {
      throw outputError(err, file);
    }
  }
}

/** A run's duration for its summary: tenths under 10 s ("in 0.3 s", not "in 0 s"). */
function elapsed(ms: number): string {
  return ms < 9_950 ? `${(ms / 1000).toFixed(1)} s` : formatDuration(ms);
}

function positiveInt(value: unknown, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw usage(`${flag} needs a whole number ≥ 1 (got "${String(value)}")`);
  return n;
}

function usage(message: string): UsageError {
  return new UsageError(message, 'extract');
}
