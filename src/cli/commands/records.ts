import { BrightRunError, buildProjectRecords, defaultPoolSize, dryRunRecords, formatDuration, overlaidStats, overlayFile, Project, readOverlay, RecordStore, type RecordProblem, type RecordsManifest, type TrainingRecord } from '../../core';
import { printable, problemLine, ProgressLine, UsageError, type CliIO } from '../io';
import { generate } from './recordsGenerate';
import type { CommandSpec, ParsedCommandArgs } from './types';

export const recordsCommand: CommandSpec = {
  name: 'records',
  summary: 'Build training records from the extracted documents (chunks, instruction and chat templates, imported pairs; splits, de-duplication), generate question–answer records with a model, show their statistics or one record.',
  usage: 'brightrun records build [--dry-run <n>]   |   brightrun records generate [--yes | --estimate-only]   |   brightrun records stats [--json]   |   brightrun records show <id> [--json]',
  options: {
    'dry-run': { type: 'string', description: 'build: show the records every configured builder would make of the first <n> documents; write nothing.' },
    yes: { type: 'boolean', short: 'y', description: 'generate: start without asking (after printing the token and cost estimate).' },
    'estimate-only': { type: 'boolean', description: 'generate: print the token and cost estimate and stop.' },
  },
  minPositionals: 1,
  maxPositionals: 2,
  async run(io: CliIO, args) {
    const [sub, arg] = args.positionals;
    if (sub === 'build' && arg === undefined) return build(io, args);
    if (sub === 'generate' && arg === undefined) return generate(io, args);
    if (sub === 'stats' && arg === undefined) return stats(io, args);
    if (sub === 'show' && arg !== undefined) return show(io, args, arg);
    throw new UsageError(sub === 'show' ? 'records show needs a record id' : `unknown records command "${sub}" (build, generate, stats, show)`, 'records');
  },
};

/** One line about a record, for previews: where it is and the start of its text. */
function recordLine(r: TrainingRecord): string {
  const l = r.lineage;
  const where = [l.row ? `row ${l.row}` : '', l.page ? `p.${l.page}` : '', l.slide ? `slide ${l.slide}` : '', l.headingPath.join(' › ')].filter(Boolean).join('  ');
  const cut = (t: string, n: number) => JSON.stringify(t.length > n ? `${t.slice(0, n)}…` : t);
  const body =
    r.kind === 'completion' ? cut(r.text, 100)
    : r.kind === 'instruction' ? `${cut(r.instruction, 60)} → ${cut(r.output, 60)}`
    : r.messages.map((m) => `${m.role}: ${cut(m.content, 40)}`).join(' | ');
  return printable(`  ${r.id}  ${String(r.tokens ?? '').padStart(5)} tok  ${r.split ?? ''}  ${where}`) + `\n      ${printable(body)}\n`;
}

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
    let count = 0;
    for (const d of docs) {
      for (const o of d.outputs) {
        count += o.records.length;
        if (args.json) {
          for (const r of o.records) io.out(JSON.stringify(r) + '\n');
          continue;
        }
        const why = o.report.notApplied === 'pairs-document' ? ' (a pairs document: set records.pairs.chunk to build these too)' : o.report.notApplied === 'not-pairs' ? ' (no pair columns found)' : '';
        io.out(printable(`${d.sourcePath} — ${o.builder}: ${o.records.length} record(s)${why}`) + '\n');
        for (const r of o.records) io.out(recordLine(r));
        for (const p of problemsOf(d.sourcePath, o.report)) io.out(`  ! ${problemText(p)}\n`);
      }
    }
    (args.json ? io.err : io.out)(`Dry run: ${count} record(s) from ${docs.length} document(s); nothing written.\n`);
    return 0;
  }
  // Headless: one pool process per core builds the documents' records.
  const result = await buildProjectRecords(project, { signal: args.signal, concurrency: defaultPoolSize(false), onProgress: (p) => progress.update(p) });
  progress.done();
  const m = result.manifest;
  const records = m.splits.train.records + m.splits.validation.records + m.splits.test.records;
  const line = `Built ${records} record(s) from ${m.documents} document(s) (${result.processed} built, ${result.reused} unchanged) in ${formatDuration(Date.now() - started)}: train ${m.splits.train.records}, validation ${m.splits.validation.records}, test ${m.splits.test.records}; dropped ${m.dropped.duplicates} duplicate(s), ${m.dropped.nearDuplicates ?? 0} near-duplicate(s), ${m.dropped.tooShort} too short.`;
  if (args.json) {
    io.out(JSON.stringify({ ...m, processed: result.processed, reused: result.reused }) + '\n');
    io.err(line + '\n');
  } else io.out([line, ...builderLines(m), ...problemLines(m), ''].join('\n'));
  for (const f of result.failed) io.err(`brightrun: failed ${printable(`${f.sourcePath}: `)}${problemLine(f.error)}\n`);
  return result.failed.length ? 1 : 0;
}

function builderLines(m: RecordsManifest): string[] {
  return Object.entries(m.builders).map(([name, s]) => {
    const notes: string[] = [];
    if (s.problems) notes.push(name === 'pairs' ? `${s.problems} row(s) skipped` : name === 'generate' ? `${s.problems} malformed repl(ies)` : `${s.problems} empty render(s)`);
    if (s.dropped.duplicates + (s.dropped.nearDuplicates ?? 0) + s.dropped.tooShort + s.dropped.overLength) notes.push(`dropped ${s.dropped.duplicates} duplicate, ${s.dropped.nearDuplicates ?? 0} near-duplicate, ${s.dropped.tooShort} short, ${s.dropped.overLength} too long`);
    if (name === 'generate' && m.generation?.pending) notes.push(`${m.generation.pending} document(s) not generated yet: run "brightrun records generate"`);
    return `  ${name.padEnd(12)} ${String(s.records).padStart(8)} record(s) ${String(s.tokens).padStart(10)} tokens ${String(s.documents).padStart(6)} document(s)${notes.length ? `; ${notes.join('; ')}` : ''}`;
  });
}

function problemsOf(sourcePath: string, r: { builder: RecordProblem['builder']; skipped?: Array<{ row: number; reason: string }>; empty?: number[] }): RecordProblem[] {
  return [...(r.skipped ?? []).map((x) => ({ builder: r.builder, sourcePath, row: x.row, reason: x.reason })), ...(r.empty ?? []).map((chunk) => ({ builder: r.builder, sourcePath, chunk, reason: 'the output rendered empty' }))];
}

function problemText(p: RecordProblem): string {
  return printable(`${p.sourcePath}${p.row !== undefined ? ` row ${p.row}` : ''}${p.chunk !== undefined ? ` chunk ${p.chunk}` : ''} (${p.builder}): ${p.reason}`);
}

const PROBLEMS_SHOWN = 20;

function problemLines(m: RecordsManifest): string[] {
  if (!m.problemsTotal) return [];
  const shown = m.problems.slice(0, PROBLEMS_SHOWN);
  return [`Problems (${m.problemsTotal}; ${shown.length < m.problemsTotal ? `first ${shown.length} here, ` : ''}all listed in .brightrun/records/manifest.json up to 1000):`, ...shown.map((p) => `  ${problemText(p)}`)];
}

async function stats(io: CliIO, args: ParsedCommandArgs): Promise<number> {
  const project = await Project.locate(args.projectDir, { owner: 'brightrun CLI' });
  const store = new RecordStore(project.paths.records);
  const m = await store.readManifest();
  if (!m) throw noRecords(project.paths.records);
  // Your edits and exclusions (records-overlay.jsonl): what an export would hold.
  const overlay = await readOverlay(overlayFile(project.paths.dataDir));
  const mine = overlay.size ? await overlaidStats(store, overlay, { signal: args.signal }) : undefined;
  if (args.json) {
    io.out(JSON.stringify(mine ? { ...m, overlay: { excluded: mine.excluded, edited: mine.edited, orphaned: mine.orphans.map((e) => e.id), splits: mine.splits } } : m) + '\n');
    return 0;
  }
  const rows = (['train', 'validation', 'test'] as const).map((s) => {
    const x = m.splits[s];
    return `${s.padEnd(11)} ${String(x.records).padStart(8)} ${String(x.tokens).padStart(11)} ${String(x.documents).padStart(9)} ${String(x.overLength.truncated).padStart(10)} ${String(x.overLength.dropped).padStart(8)}`;
  });
  io.out(
    [
      printable(`Records of "${project.config.name}" (build ${m.build}, ${m.builtAt})`),
      `split        records      tokens documents  truncated  dropped`,
      ...rows,
      'by builder:',
      ...builderLines(m),
      `dropped: ${m.dropped.duplicates} exact duplicate(s), ${m.dropped.nearDuplicates ?? 0} near-duplicate(s), ${m.dropped.tooShort} too short`,
      ...(m.furniture?.lines ? [`page furniture left out: ${m.furniture.lines} line(s) in ${m.furniture.documents} document(s)`] : []),
      ...(m.pii ? [`PII replaced in ${m.pii.records} record(s): ${m.pii.email} e-mail, ${m.pii.phone} phone, ${m.pii.iban} IBAN, ${m.pii.card} card, ${m.pii.secret} key/token`] : []),
      ...problemLines(m),
      ...(m.strata ? strataRows(m.strata) : []),
      ...(mine
        ? [
            `your changes (records-overlay.jsonl): ${mine.excluded} excluded, ${mine.edited} edited${mine.orphans.length ? `, ${mine.orphans.length} for records not in this build (kept)` : ''}; as exported: ${(['train', 'validation', 'test'] as const).map((s) => `${s} ${mine.splits[s].records} (${mine.splits[s].tokens} tokens)`).join(', ')}`,
          ]
        : []),
      '',
    ].join('\n'),
  );
  return 0;
}

/** Per stratum: records / documents in each split. */
function strataRows(strata: NonNullable<RecordsManifest['strata']>): string[] {
  const names = [...new Set(Object.values(strata.splits).flatMap((o) => Object.keys(o)))].sort();
  const cell = (s: 'train' | 'validation' | 'test', n: string) => {
    const c = strata.splits[s][n];
    return `${c?.records ?? 0}/${c?.documents ?? 0}`.padStart(12);
  };
  return [`by ${strata.field} (records/documents)      train   validation         test`, ...names.map((n) => `  ${n.slice(0, 28).padEnd(28)} ${cell('train', n)} ${cell('validation', n)} ${cell('test', n)}`)];
}

async function show(io: CliIO, args: ParsedCommandArgs, id: string): Promise<number> {
  const project = await Project.locate(args.projectDir, { owner: 'brightrun CLI' });
  const store = new RecordStore(project.paths.records);
  if (!(await store.readManifest())) throw noRecords(project.paths.records);
  const overlay = await readOverlay(overlayFile(project.paths.dataDir));
  for await (const built of store.records()) {
    if (built.id !== id) continue;
    const r = overlay.apply(built);
    if (args.json) io.out(JSON.stringify(r) + '\n');
    else {
      const l = r.lineage;
      const body = r.kind === 'completion' ? r.text : r.kind === 'instruction' ? `### Instruction\n${r.instruction}\n${r.input ? `\n### Input\n${r.input}\n` : ''}\n### Output\n${r.output}` : r.messages.map((msg) => `### ${msg.role}\n${msg.content}`).join('\n\n');
      io.out(
        [
          `Record ${r.id} (${r.kind}, ${r.tokens} tokens, ${r.split})`,
          printable(`Source ${l.sourcePath}${l.row ? ` row ${l.row}` : ''}${l.page ? ` page ${l.page}` : ''}${l.slide ? ` slide ${l.slide}` : ''}, characters ${l.span.start}–${l.span.end}`),
          printable(`Headings ${l.headingPath.join(' › ') || '(none)'}`),
          printable(`Builder ${l.builder} ${l.paramsHash}${l.model ? `; model ${l.model}, prompt ${l.promptHash}` : ''}${r.flags?.length ? `; flags ${r.flags.join(', ')}` : ''}`),
          '',
          body,
          '',
        ].join('\n'),
      );
    }
    return 0;
  }
  throw new BrightRunError({ code: 'INVALID_ARGUMENT', message: `No record with id ${id} in the current build.`, remedy: 'Copy an id from "brightrun records build --dry-run 1" or from the .jsonl files; ids change when the builder settings change.' });
}

export function noRecords(dir: string): BrightRunError {
  return new BrightRunError({ code: 'INVALID_ARGUMENT', file: dir, message: 'No records have been built in this project yet.', remedy: 'Run "brightrun records build" (after "brightrun extract").' });
}
