import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { syncFiles } from '../fs/atomicWrite';
import { BrightRunError, throwIfAborted } from '../errors';
import { EXTRACTOR_VERSION } from '../extract/types';
import { EtaEstimator, type OperationOptions } from '../progress';
import type { ProjectPaths } from '../project/paths';
import type { RecordKind, SplitName } from '../records/types';
import { paramsHash } from '../records/ids';
import { TOKENIZER_SOURCES } from '../records/tokenizer';
import type { RecordsManifest } from '../records/store';
import { changedParameters, renderChangelog, sourceChanges } from './changelog';
import { openExportSource } from './exportSource';
import { formatWriter } from './formats';
import { canonicalJson, CHANGELOG_FILE, EXPORT_MANIFEST_VERSION, MANIFEST_FILE, type ExportManifest, type ExportParameters } from './manifest';
import { readLineageIndex, scanRecords, SPLITS } from './scan';
import type { ExportContext, ExportFormat, StreamCompression, WrittenFile } from './types';
import { readExportManifest, verifyVersion } from './verifyExport';
import { cardLanguages, type LanguageFigure } from './languages';
import { createPartialDir, formatSemver, listVersions, nextVersion, parseSemver, removeStalePartials, sealPartialDir } from './versions';

declare const BRIGHTRUN_VERSION: string | undefined; // set by esbuild
const TOOL_VERSION = typeof BRIGHTRUN_VERSION === 'string' ? BRIGHTRUN_VERSION : 'dev';

/** What to export. */
export interface ExportRequest {
  /** Export name: the folder under exports/ (letters, digits, '.', '_', '-'). */
  name: string;
  formats: readonly ExportFormat[];
  compression?: StreamCompression;
  /** Lineage columns in every data row (lineage.jsonl is written either way). */
  lineageColumns?: boolean;
  /** Options per format, as brightrun.json's export profile holds them. */
  options?: Partial<Record<ExportFormat, Record<string, unknown>>>;
}

export interface ExportResult {
  /** 'unchanged': the records, sources and parameters give the same files as the latest version; nothing was written. */
  status: 'published' | 'unchanged';
  version: string;
  dir: string;
  manifest: ExportManifest;
}

/** Options that shape the rows (a change is a schema change: a major version). */
const SCHEMA_OPTIONS: Partial<Record<ExportFormat, readonly string[] | 'all'>> = { json: ['mapping'], template: 'all', 'llama-factory': 'all', axolotl: 'all' };

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Whether `name` may name an export (its folder under exports/): letters, digits, '.', '_', '-', not starting with a punctuation mark. */
export function isValidExportName(name: string): boolean {
  return NAME.test(name);
}

/** Throws INVALID_ARGUMENT for a request runExport cannot run: a name that cannot name a folder, no format. */
export function checkExportRequest(request: Pick<ExportRequest, 'name' | 'formats'>): void {
  if (!isValidExportName(request.name)) throw new BrightRunError({ code: 'INVALID_ARGUMENT', message: `Export name "${request.name}" is not allowed.`, remedy: "Use letters, digits, '.', '_' and '-', starting with a letter or digit." });
  if (!request.formats.length) throw new BrightRunError({ code: 'INVALID_ARGUMENT', message: 'No export format was chosen.', remedy: 'Name one or more formats, e.g. --formats jsonl,csv.' });
}

/**
 * Runs one export (docs/export.md): reads the current records once to write lineage.jsonl and compare with the
 * latest version, has each format's writer stream them into a temporary folder inside `exports/<name>/`
 * (records of mixed kinds: one sub-folder per kind, except for writers with `mixedKinds` — hf — which get them all
 * in one call), re-reads and verifies every file, then writes CHANGELOG.md
 * and manifest.json and publishes the folder as `exports/<name>/<semver>/` with one rename. A cancelled, failed
 * or killed run publishes nothing; its temporary folder is removed (by the next run, when the process died).
 * Progress is in records, over the first pass and every format. Throws CANCELLED, EXPORT_INVALID (verification
 * found errors), INVALID_ARGUMENT (no records, bad name or format), CONFIG_INVALID (bad format options).
 */
export async function runExport(project: { paths: Pick<ProjectPaths, 'root' | 'records' | 'exports' | 'dataDir'> }, request: ExportRequest, opts: OperationOptions = {}): Promise<ExportResult> {
  const { signal, onProgress } = opts;
  checkExportRequest(request);
  const formats = [...new Set(request.formats)];
  const writers = formats.map((f) => formatWriter(f));
  const params: ExportParameters = { formats, compression: request.compression ?? 'none', lineageColumns: request.lineageColumns ?? false, options: JSON.parse(canonicalJson(request.options ?? {})) as ExportParameters['options'] };

  const exportDir = path.join(project.paths.exports, request.name);
  const source = await openExportSource(project.paths);
  const inputFiles = await inputFileHashes(params.options, project.paths.root);
  if (inputFiles) params.inputFiles = inputFiles;
  await removeStalePartials(exportDir);
  const versions = await listVersions(exportDir);
  // The previous version is the newest folder with a readable manifest (a damaged or empty one is skipped and named
  // in the changelog); the new number still goes above every version folder, so versions only grow.
  const skippedVersions: string[] = [];
  let previousName: string | undefined;
  let previous: ExportManifest | undefined;
  for (const name of [...versions].reverse()) {
    const m = await readExportManifest(path.join(exportDir, name)).catch((err: unknown) => {
      skippedVersions.push(`${name}: ${err instanceof BrightRunError ? err.message : (err as Error).message}`);
      return undefined;
    });
    if (m) {
      previousName = name;
      previous = m;
      break;
    }
  }
  const newestName = versions.at(-1);
  const previousDir = previousName ? path.join(exportDir, previousName) : undefined;
  const previousIndex = previousDir ? await readLineageIndex(previousDir, signal) : undefined;

  const rm = source.manifest;
  // records.chatFormat shapes chat rows (JSONL, JSON, CSV); ShareGPT is a schema change, so it is a parameter.
  const chatFormat = chatFormatOf(rm);
  if (chatFormat) params.chatFormat = chatFormat;
  const expected = SPLITS.reduce((s, x) => s + rm.splits[x].records, 0);
  const eta = new EtaEstimator(Math.max(1, expected * (1 + writers.length)));
  let done = 0;
  let bytes = 0;
  const report = (current: string, total: number) => onProgress?.({ done, total, unit: 'records', bytesDone: bytes, ...(withEta(eta, done)) , current });

  const tmp = await createPartialDir(exportDir).catch((err: unknown) => {
    throw unwritable(exportDir, err);
  });
  try {
    const scan = await scanRecords(tmp, (split) => source.records(split), previousIndex, { ...(signal ? { signal } : {}), onRecord: (n) => ((done = n), report('lineage', expected * (1 + writers.length))) });
    const total = scan.total * (1 + writers.length);
    eta.setTotal(Math.max(1, total));
    done = scan.total;
    bytes = scan.lineage.bytes;
    const kinds = (Object.keys(scan.byKind) as RecordKind[]).sort();
    const files: WrittenFile[] = [scan.lineage];

    for (const writer of writers) {
      // A writer that takes mixed kinds (hf: one repository, a config per kind) gets them in one call.
      const whole = kinds.length > 1 && writer.mixedKinds === true;
      for (const kind of whole ? (['mixed'] as const) : kinds.length ? kinds : (['completion'] as RecordKind[])) {
        const mixed = kinds.length > 1 && kind !== 'mixed';
        const dir = mixed ? path.join(tmp, kind) : tmp;
        await fs.mkdir(dir, { recursive: true }).catch((err: unknown) => {
          throw unwritable(dir, err);
        });
        const counts = kind === 'mixed' ? scan.counts : (scan.byKind[kind] ?? { train: 0, validation: 0, test: 0 });
        const base = { done, bytes };
        const ctx: ExportContext = {
          dir,
          splits: SPLITS.filter((s) => counts[s] > 0),
          counts,
          kind,
          // Every kind's counts, also for one kind of a mixed build (a JSON mapping may name another kind's columns;
          // LLaMA-Factory names entries per kind).
          ...(kinds.length > 1 ? { kinds: scan.byKind } : {}),
          lineageColumns: params.lineageColumns,
          ...(chatFormat ? { chatFormat } : {}),
          compression: params.compression,
          options: writerOptions(writer.format, params.options[writer.format] ?? {}, request.name, rm, project.paths.root, scan.languages),
          records: mixed ? (split) => ofKind(source.records(split), kind) : (split) => source.records(split),
          ...(signal ? { signal } : {}),
          onProgress: (p) => {
            done = base.done + p.records;
            bytes = base.bytes + p.bytes;
            report(writer.format, total);
          },
        };
        const written = await writer.write(ctx);
        for (const f of written) files.push(mixed ? { ...f, path: `${kind}/${f.path}`, kind } : f);
        done = base.done + SPLITS.reduce((s, x) => s + counts[x], 0);
        bytes = base.bytes + written.reduce((s, f) => s + f.bytes, 0);
      }
    }
    throwIfAborted(signal);
    report('verify', total);

    const sources = [...scan.documents].map(([sha256, p]) => ({ path: p, sha256 })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.sha256 < b.sha256 ? -1 : 1));
    const schemaHash = schemaOf(params, kinds);
    const changes = sourceChanges(previous?.sources, sources);
    // "Unchanged" points the user at the previous version: only when its files still are what its manifest says.
    const damaged = previous && previousDir && sameContent(previous, { files: sortFiles(files), parameters: params }) ? await versionDamage(previousDir, previous, signal) : undefined;
    const manifest: ExportManifest = {
      formatVersion: EXPORT_MANIFEST_VERSION,
      name: request.name,
      version: '',
      previous: previousName ?? null,
      tool: { name: 'brightrun', version: TOOL_VERSION, extractorVersion: EXTRACTOR_VERSION, tokenizer: tokenizerOf(rm.settings), ...tokenizerSourceOf(rm.settings) },
      records: { build: rm.build, builtAt: rm.builtAt, builders: Object.keys(rm.builders).sort(), settingsHash: paramsHash(rm.settings), total: scan.total, splits: scan.counts, kinds: scan.byKind },
      parameters: params,
      schemaHash,
      files: sortFiles(files),
      sources,
      quality: {
        tokens: scan.tokens,
        duplicatesDropped: rm.dropped.duplicates,
        tooShortDropped: rm.dropped.tooShort,
        overLength: Object.fromEntries(SPLITS.map((s) => [s, rm.splits[s].overLength])) as Record<SplitName, { truncated: number; dropped: number }>,
        flags: scan.flags,
        languages: scan.languages,
      },
      changes: {
        records: { added: scan.diff.added, removed: scan.diff.removed, changed: scan.diff.changed },
        sourcesAdded: changes.added.length,
        sourcesRemoved: changes.removed.length,
        ...(changes.changed.length ? { sourcesChanged: changes.changed.length } : {}),
        parametersChanged: changedParameters(previous?.parameters, params),
        schemaChanged: !!previous && previous.schemaHash !== schemaHash,
        ...(skippedVersions.length ? { skippedVersions } : {}),
        ...(damaged ? { previousDamaged: damaged } : {}),
      },
    };
    const findings = (await verifyVersion(tmp, manifest, signal)).filter((f) => f.severity === 'error');
    // A records build published meanwhile removes the build folder being read: say that, not what it broke.
    if ((await source.currentBuild()) !== rm.build) {
      throw new BrightRunError({ code: 'SOURCE_CHANGED', message: 'The records were rebuilt while the export ran.', remedy: 'Nothing was published; export again.' });
    }
    if (findings.length) {
      throw new BrightRunError({ code: 'EXPORT_INVALID', file: findings[0]!.file, message: `The export did not verify: ${findings.map((f) => `${f.file} ${f.message}`).slice(0, 3).join('; ')}${findings.length > 3 ? ` (and ${findings.length - 3} more)` : ''}.`, remedy: 'Nothing was published. Report the problem with the log; a writer produced a file it cannot read back.' });
    }
    if (previous && previousDir && !damaged && sameContent(previous, manifest)) {
      await fs.rm(tmp, { recursive: true, force: true });
      return { status: 'unchanged', version: previous.version, dir: previousDir, manifest: previous };
    }
    const change = manifest.changes.schemaChanged ? 'schema' : scan.diff.added && previous ? 'records-added' : 'other';
    manifest.version = formatSemver(nextVersion(newestName ? parseSemver(newestName) : undefined, change));
    const previousChangelog = previousDir ? await fs.readFile(path.join(previousDir, CHANGELOG_FILE), 'utf8').catch(() => undefined) : undefined;
    const changelog = Buffer.from(renderChangelog(manifest, scan.diff, changes, previousChangelog), 'utf8');
    await fs.writeFile(path.join(tmp, CHANGELOG_FILE), changelog);
    manifest.files = sortFiles([...manifest.files, { path: CHANGELOG_FILE, format: 'version', bytes: changelog.length, sha256: createHash('sha256').update(changelog).digest('hex') }]);
    await fs.writeFile(path.join(tmp, MANIFEST_FILE), canonicalJson(manifest, 2) + '\n');
    await sealPartialDir(tmp);
    await syncTree(tmp);
    const target = path.join(exportDir, manifest.version);
    try {
      await fs.rename(tmp, target);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'EPERM') {
        throw new BrightRunError({ code: 'OUTPUT_UNWRITABLE', file: target, message: `Version ${manifest.version} of "${request.name}" already exists (another export published it first).`, remedy: 'Export again: the next version number is taken from the folders present.' }, { cause: err });
      }
      throw err;
    }
    return { status: 'published', version: manifest.version, dir: target, manifest };
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    // A first export that failed leaves no empty exports/<name>/ behind (the tree would list an export without versions).
    await fs.rmdir(exportDir).catch(() => undefined);
    throw err;
  }
}

/** A folder that cannot be created or written: OUTPUT_UNWRITABLE with what to do (not an internal error). */
function unwritable(dir: string, err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (!code || !['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'ENOTDIR', 'EEXIST'].includes(code)) return err;
  const why = code === 'EROFS' ? 'the file system is read-only' : code === 'ENOSPC' || code === 'EDQUOT' ? 'the disk is full' : code === 'ENOTDIR' || code === 'EEXIST' ? 'a file stands where a folder should be' : 'permission denied';
  return new BrightRunError({ code: 'OUTPUT_UNWRITABLE', file: dir, message: `Cannot create the export folder ${dir}: ${why}.`, remedy: 'Make the project\'s exports/ folder writable (or free space), then export again.' }, { cause: err });
}

/** sha256 of the files export options name (template files, an existing dataset_info.json), or undefined when none is named. */
async function inputFileHashes(options: ExportParameters['options'], root: string): Promise<Record<string, string> | undefined> {
  const out: Record<string, string> = {};
  for (const [format, keys] of [['template', ['recordFile', 'headerFile', 'footerFile']], ['llama-factory', ['datasetInfo']]] as const) {
    const o = options[format];
    for (const key of keys) {
      const file = o?.[key];
      if (typeof file !== 'string' || !file) continue;
      // A missing or unreadable file is the writer's to report (with its own message); it hashes as absent here.
      const bytes = await fs.readFile(path.resolve(root, file)).catch(() => undefined);
      out[`${format}.${key}`] = bytes ? createHash('sha256').update(bytes).digest('hex') : 'absent';
    }
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * Why a published version's files no longer match its manifest (a file missing, of another size or other bytes),
 * or undefined when they all do. Reads every file once.
 */
async function versionDamage(dir: string, manifest: ExportManifest, signal?: AbortSignal): Promise<string | undefined> {
  for (const f of manifest.files) {
    throwIfAborted(signal);
    const file = path.join(dir, ...f.path.split('/'));
    const stat = await fs.stat(file).catch(() => undefined);
    if (!stat) return `${f.path} is missing`;
    if (stat.size !== f.bytes) return `${f.path} has ${stat.size} bytes, not ${f.bytes}`;
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
    if (hash.digest('hex') !== f.sha256) return `${f.path} has other bytes than its sha256 says`;
  }
  return undefined;
}

/** The chat row shape of a records build (its `records.chatFormat` setting): 'sharegpt', or undefined for OpenAI `messages`. */
export function chatFormatOf(rm: Pick<RecordsManifest, 'settings'>): 'sharegpt' | undefined {
  return (rm.settings as { chatFormat?: string }).chatFormat === 'sharegpt' ? 'sharegpt' : undefined;
}

function withEta(eta: EtaEstimator, done: number): { etaMs?: number } {
  const ms = eta.update(done);
  return ms === undefined ? {} : { etaMs: ms };
}

async function* ofKind<T extends { kind: RecordKind }>(records: AsyncIterable<T>, kind: RecordKind): AsyncGenerator<T> {
  for await (const r of records) if (r.kind === kind) yield r;
}

function sortFiles(files: WrittenFile[]): WrittenFile[] {
  return [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function schemaOf(params: ExportParameters, kinds: readonly RecordKind[]): string {
  const shaping: Record<string, unknown> = {};
  for (const [format, keys] of Object.entries(SCHEMA_OPTIONS)) {
    const o = params.options[format as ExportFormat];
    if (!o || !params.formats.includes(format as ExportFormat)) continue;
    shaping[format] = keys === 'all' ? o : Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));
  }
  // A template file's contents shape the rows as an inline template does.
  const templateFiles = Object.entries(params.inputFiles ?? {}).filter(([k]) => k.startsWith('template.') && params.formats.includes('template'));
  const schema = { kinds, lineageColumns: params.lineageColumns, formats: [...params.formats].sort(), shaping, ...(params.chatFormat ? { chatFormat: params.chatFormat } : {}), ...(templateFiles.length ? { templateFiles: Object.fromEntries(templateFiles) } : {}) };
  return createHash('sha256').update(canonicalJson(schema)).digest('hex').slice(0, 16);
}

/** The tokenizer's vocabulary source and package version, for the manifest (`tool.tokenizerSource`). */
function tokenizerSourceOf(settings: object): { tokenizerSource?: string } {
  const name = tokenizerOf(settings);
  const source = name ? (TOKENIZER_SOURCES as Record<string, string>)[name] : undefined;
  return source ? { tokenizerSource: source } : {};
}

function tokenizerOf(settings: object): string | null {
  const t = (settings as { chunk?: { tokenizer?: unknown } }).chunk?.tokenizer;
  return typeof t === 'string' ? t : null;
}

/** Same data files (paths and sha256, CHANGELOG.md aside) and parameters: nothing to publish. */
function sameContent(previous: Pick<ExportManifest, 'files' | 'parameters'>, next: Pick<ExportManifest, 'files' | 'parameters'>): boolean {
  const key = (m: Pick<ExportManifest, 'files'>) => m.files.filter((f) => f.path !== CHANGELOG_FILE).map((f) => `${f.path} ${f.sha256}`).join('\n');
  return key(previous) === key(next) && canonicalJson(previous.parameters) === canonicalJson(next.parameters);
}

/** fsyncs every file of a folder tree, then its folders, before the publishing rename. */
async function syncTree(dir: string): Promise<void> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => path.join(dir, e.name));
  await syncFiles(files, dir);
  for (const e of entries) if (e.isDirectory()) await syncTree(path.join(dir, e.name));
}

/**
 * A writer's options as the profile gives them, paths resolved against the project folder; for the writers with a
 * dataset card (hf, llama-factory) also the card's facts (formats/datasetCard.ts CardInfo):
 * the export's name, the tool and tokenizer, the records build's quality figures, and what the profile's own
 * options say (`title`, `description`, `license`, `language`). Deterministic, so re-exports stay byte-identical.
 */
export function writerOptions(format: ExportFormat, given: Readonly<Record<string, unknown>>, name: string, rm: RecordsManifest, root: string, languages: readonly LanguageFigure[] = []): Readonly<Record<string, unknown>> {
  // Paths in a profile (template files, an existing dataset_info.json) are relative to the project folder.
  const options: Record<string, unknown> = { ...given };
  for (const key of ['recordFile', 'headerFile', 'footerFile', 'datasetInfo']) {
    if (typeof options[key] === 'string' && options[key] !== '') options[key] = path.resolve(root, options[key] as string);
  }
  if (format !== 'hf' && format !== 'llama-factory') return options;
  const own = (key: string) => (options[key] !== undefined ? { [key]: options[key] } : {});
  const quality: Record<string, number> = { 'exact duplicates dropped': rm.dropped.duplicates, 'too short dropped': rm.dropped.tooShort };
  if (rm.dropped.nearDuplicates !== undefined) quality['near-duplicates dropped'] = rm.dropped.nearDuplicates;
  quality['over-length truncated'] = SPLITS.reduce((n, s) => n + rm.splits[s].overLength.truncated, 0);
  quality['over-length dropped'] = SPLITS.reduce((n, s) => n + rm.splits[s].overLength.dropped, 0);
  const tokenizer = tokenizerOf(rm.settings);
  // The profile's `language` wins; else the detected languages with ≥ 1 % of the records (languages.ts).
  const detected = cardLanguages(languages);
  const card = { name, tool: `brightrun ${TOOL_VERSION}`, ...(tokenizer ? { tokenizer } : {}), quality, languages, ...(detected.length ? { language: detected } : {}), ...own('title'), ...own('description'), ...own('license'), ...own('language') };
  return { ...options, card };
}

