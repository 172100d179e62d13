import * as path from 'node:path';
import { BrightRunError, exportRequestFromConfig, formatBytes, formatDuration, Project, runExport, verifyExportDir, watchExport, type ExportResult } from '../../core';
import { printable, ProgressLine, UsageError, type CliIO } from '../io';
import type { CommandSpec, ParsedCommandArgs } from './types';

export const exportCommand: CommandSpec = {
  name: 'export',
  summary: 'Export the records as a new version exports/<name>/<semver>/ (JSONL, JSON, CSV, TFRecord, …), verified before it is published; or verify an export.',
  cancelled: 'nothing was published; the same command exports again from the start',
  usage: 'brightrun export [--name <name>] [--formats jsonl,json,csv,tfrecord,…] [--compress gzip] [--lineage] [--watch]   |   brightrun export verify <version folder>',
  options: {
    name: { type: 'string', short: 'n', description: 'Export profile / folder under exports/ (default: the first profile in brightrun.json, else "default").' },
    formats: { type: 'string', short: 'f', description: 'Comma-separated formats: hf, json, jsonl, csv, parquet, tfrecord, pytorch, llama-factory, axolotl, template (default: the profile\'s).' },
    compress: { type: 'string', description: 'gzip or none: compress JSON, JSONL, CSV and TFRecord files (default: the profile\'s, else none).' },
    lineage: { type: 'boolean', description: 'Add source_path, page, span_start, span_end columns to every row (lineage.jsonl is always written).' },
    watch: { type: 'boolean', short: 'w', description: 'Export again whenever the records are rebuilt (debounced); Ctrl-C stops.' },
  },
  maxPositionals: 2,
  async run(io, args) {
    const [sub, dir] = args.positionals;
    if (sub === undefined) return args.values.watch ? watch(io, args) : exportOnce(io, args);
    if (sub === 'verify') {
      if (dir === undefined) throw new UsageError('export verify needs the folder of a version, e.g. exports/default/1.0.0', 'export');
      return verify(io, args, dir);
    }
    throw new UsageError(`unknown export command "${sub}" (verify)`, 'export');
  },
};

async function request(args: ParsedCommandArgs) {
  const project = await Project.locate(args.projectDir, { owner: 'brightrun CLI' });
  const v = args.values;
  const req = exportRequestFromConfig(project.config, {
    ...(typeof v.name === 'string' ? { name: v.name } : {}),
    ...(typeof v.formats === 'string' ? { formats: v.formats } : {}),
    ...(typeof v.compress === 'string' ? { compression: v.compress } : {}),
    ...(v.lineage === true ? { lineageColumns: true } : {}),
  });
  return { project, req };
}

function describe(r: ExportResult, root: string, ms?: number): string {
  const rel = path.relative(root, r.dir) || r.dir;
  const m = r.manifest;
  const bytes = m.files.reduce((s, f) => s + f.bytes, 0);
  if (r.status === 'unchanged') return `Export "${m.name}" unchanged: the records, sources and parameters give the files of ${m.version} (${rel}); no new version.`;
  const c = m.changes.records;
  const diff = m.previous ? ` Since ${m.previous}: +${c.added} −${c.removed} ~${c.changed} record(s).` : '';
  // Detected languages (manifest quality.languages), the first five by records.
  const langs = (m.quality.languages ?? []).slice(0, 5).map((l) => `${l.language} ${Math.round(l.share * 1000) / 10} %`);
  const languages = langs.length ? ` Languages: ${langs.join(', ')}${m.quality.languages.length > 5 ? ', …' : ''}.` : '';
  return `Exported "${m.name}" ${m.version} to ${rel}: ${m.records.total} record(s) (train ${m.records.splits.train}, validation ${m.records.splits.validation}, test ${m.records.splits.test}) as ${m.parameters.formats.join(', ')}, ${m.files.length} file(s), ${formatBytes(bytes)}${ms !== undefined ? ` in ${formatDuration(ms)}` : ''}; verified.${languages}${diff}`;
}

async function exportOnce(io: CliIO, args: ParsedCommandArgs): Promise<number> {
  const { project, req } = await request(args);
  const progress = new ProgressLine(io, `Exporting ${req.name}`);
  const started = Date.now();
  const result = await runExport(project, req, { signal: args.signal, onProgress: (p) => progress.update(p) });
  progress.done();
  if (args.json) io.out(JSON.stringify({ status: result.status, version: result.version, dir: result.dir, manifest: result.manifest }) + '\n');
  (args.json ? io.err : io.out)(printable(describe(result, project.paths.root, Date.now() - started)) + '\n');
  return 0;
}

async function watch(io: CliIO, args: ParsedCommandArgs): Promise<number> {
  const { project, req } = await request(args);
  const progress = new ProgressLine(io, `Exporting ${req.name}`);
  io.err(`Watching the records of "${project.config.name}"; exporting "${req.name}" when they change (Ctrl-C stops).\n`);
  await watchExport(project, req, {
    signal: args.signal,
    debounceMs: req.watchDebounceMs,
    onProgress: (p) => progress.update(p),
    onRun: (outcome) => {
      progress.done();
      if (outcome instanceof Error) {
        const e = outcome as Partial<BrightRunError>;
        io.err(printable(`brightrun: export failed: ${e.code ? `[${e.code}] ` : ''}${outcome.message}${e.remedy ? ` — ${e.remedy}` : ''}`) + '\n');
        return;
      }
      if (args.json) io.out(JSON.stringify({ status: outcome.status, version: outcome.version, dir: outcome.dir }) + '\n');
      else io.out(printable(describe(outcome, project.paths.root)) + '\n');
    },
  });
  io.err('Stopped watching.\n');
  return 0;
}

async function verify(io: CliIO, args: ParsedCommandArgs, dir: string): Promise<number> {
  const full = path.resolve(io.cwd, dir);
  const { manifest, findings } = await verifyExportDir(full, args.signal);
  const errors = findings.filter((f) => f.severity === 'error');
  if (args.json) io.out(JSON.stringify({ version: manifest.version, name: manifest.name, valid: errors.length === 0, findings }) + '\n');
  else {
    for (const f of findings) io.out(printable(`${f.severity}: ${f.file}: ${f.message}`) + '\n');
    io.out(errors.length ? `Export "${manifest.name}" ${manifest.version}: ${errors.length} problem(s); it does not match its manifest.\n` : `Export "${manifest.name}" ${manifest.version} verified: ${manifest.files.length} file(s), ${manifest.records.total} record(s), sizes, sha256 and contents as the manifest says.\n`);
  }
  if (errors.length) {
    throw new BrightRunError({ code: 'EXPORT_INVALID', file: full, message: `${printable(dir)} does not match its manifest (${errors.length} problem(s)).`, remedy: 'Export again to make a new version; do not use the damaged files.' });
  }
  return 0;
}
