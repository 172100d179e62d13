import { BrightRunError, buildProjectRecords, defaultPoolSize, dryRunRecords, formatDuration, Project, RecordStore } from '../../core';
import { printable, problemLine, ProgressLine, UsageError, type CliIO } from '../io';
import type { CommandSpec, ParsedCommandArgs } from './types';

export const recordsCommand: CommandSpec = {
  name: 'records',
  summary: 'Build training records from the extracted documents (chunks in tokens, splits, de-duplication), show their statistics or one record.',
  usage: 'brightrun records build [--dry-run <n>]   |   brightrun records stats [--json]   |   brightrun records show <id> [--json]',
  options: {
    'dry-run': { type: 'string', description: 'build: show the records the first <n> documents would give; write nothing.' },
  },
  minPositionals: 1,
  maxPositionals: 2,
  async run(io: CliIO, args) {
    const [sub, arg] = args.positionals;
    if (sub === 'build' && arg === undefined) return build(io, args);
    if (sub === 'stats' && arg === undefined) return stats(io, args);
    if (sub === 'show' && arg !== undefined) return show(io, args, arg);
    throw new UsageError(sub === 'show' ? 'records show needs a record id' : `unknown records command "${sub}" (build, stats, show)`, 'records');
  },
};

async function build(io: CliIO, args: ParsedCommandArgs): Promise<number> {
  const project = await Project.locate(args.projectDir, { owner: 'brightrun CLI' });
  const dry = args.values['dry-run'];
  const started = Date.now();
  const progress = new ProgressLine(io, 'Building records');
  if (dry !== undefined) {
    const n = Number(dry);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--dry-run needs a whole number ≥ 1 (got "${String(dry)}")`, 'records');
    const docs = await dryRunRecords(project, n, { signal: args.signal, onProgress: (p) => progress.update(p) });
    progress.done();
    for (const d of docs) {
      if (args.json) {
        for (const r of d.records) io.out(JSON.stringify(r) + '\n');
        continue;
      }
      io.out(`${d.sourcePath}: ${d.records.length} record(s)\n`);
      for (const r of d.records) {
        const where = [r.lineage.page ? `p.${r.lineage.page}` : '', r.lineage.slide ? `slide ${r.lineage.slide}` : '', r.lineage.headingPath.join(' › ')].filter(Boolean).join('  ');
        io.out(`  ${r.id}  ${String(r.tokens).padStart(5)} tok  ${r.split}  ${where}\n      ${JSON.stringify(r.text.slice(0, 100))}${r.text.length > 100 ? '…' : ''}\n`);
      }
    }
    (args.json ? io.err : io.out)(`Dry run: ${docs.reduce((s, d) => s + d.records.length, 0)} record(s) from ${docs.length} document(s); nothing written.\n`);
    return 0;
  }
  // Headless: one pool process per core builds the documents' records.
  const result = await buildProjectRecords(project, { signal: args.signal, concurrency: defaultPoolSize(false), onProgress: (p) => progress.update(p) });
  progress.done();
  const m = result.manifest;
  const records = m.splits.train.records + m.splits.validation.records + m.splits.test.records;
  const line = `Built ${records} record(s) from ${m.documents} document(s) (${result.processed} chunked, ${result.reused} unchanged) in ${formatDuration(Date.now() - started)}: train ${m.splits.train.records}, validation ${m.splits.validation.records}, test ${m.splits.test.records}; dropped ${m.dropped.duplicates} duplicate(s), ${m.dropped.tooShort} too short.`;
  if (args.json) io.out(JSON.stringify({ ...m, processed: result.processed, reused: result.reused }) + '\n');
  (args.json ? io.err : io.out)(line + '\n');
  for (const f of result.failed) io.err(`brightrun: failed ${printable(`${f.sourcePath}: `)}${problemLine(f.error)}\n`);
  return result.failed.length ? 1 : 0;
}

async function stats(io: CliIO, args: ParsedCommandArgs): Promise<number> {
  const project = await Project.locate(args.projectDir, { owner: 'brightrun CLI' });
  const m = await new RecordStore(project.paths.records).readManifest();
  if (!m) throw noRecords(project.paths.records);
  if (args.json) {
    io.out(JSON.stringify(m) + '\n');
    return 0;
  }
  const rows = (['train', 'validation', 'test'] as const).map((s) => {
    const x = m.splits[s];
    return `${s.padEnd(11)} ${String(x.records).padStart(8)} ${String(x.tokens).padStart(11)} ${String(x.documents).padStart(9)} ${String(x.overLength.truncated).padStart(10)} ${String(x.overLength.dropped).padStart(8)}`;
  });
  io.out(
    [
      `Records of "${project.config.name}" (build ${m.build}, ${m.builtAt}, builder ${m.builder} ${m.paramsHash})`,
      `split        records      tokens documents  truncated  dropped`,
      ...rows,
      `dropped: ${m.dropped.duplicates} exact duplicate(s), ${m.dropped.tooShort} too short`,
      '',
    ].join('\n'),
  );
  return 0;
}

async function show(io: CliIO, args: ParsedCommandArgs, id: string): Promise<number> {
  const project = await Project.locate(args.projectDir, { owner: 'brightrun CLI' });
  const store = new RecordStore(project.paths.records);
  if (!(await store.readManifest())) throw noRecords(project.paths.records);
  for await (const r of store.records()) {
    if (r.id !== id) continue;
    if (args.json) io.out(JSON.stringify(r) + '\n');
    else {
      const l = r.lineage;
      io.out(
        [
          `Record ${r.id} (${r.kind}, ${r.tokens} tokens, ${r.split})`,
          `Source ${l.sourcePath}${l.page ? ` page ${l.page}` : ''}${l.slide ? ` slide ${l.slide}` : ''}, characters ${l.span.start}–${l.span.end}`,
          `Headings ${l.headingPath.join(' › ') || '(none)'}`,
          `Builder ${l.builder} ${l.paramsHash}${r.flags?.length ? `; flags ${r.flags.join(', ')}` : ''}`,
          '',
          r.kind === 'completion' ? r.text : JSON.stringify(r, null, 2),
          '',
        ].join('\n'),
      );
    }
    return 0;
  }
  throw new BrightRunError({ code: 'INVALID_ARGUMENT', message: `No record with id ${id} in the current build.`, remedy: 'Copy an id from "brightrun records build --dry-run 1" or from the .jsonl files; ids change when the chunk settings change.' });
}

function noRecords(dir: string): BrightRunError {
  return new BrightRunError({ code: 'INVALID_ARGUMENT', file: dir, message: 'No records have been built in this project yet.', remedy: 'Run "brightrun records build" (after "brightrun extract").' });
}
