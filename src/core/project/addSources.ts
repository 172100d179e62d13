import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BrightRunError, fsError, throwIfAborted, type ErrorInfo } from '../errors';
import { removeStaleTemps } from '../fs/atomicWrite';
import { sha256Handle } from '../fs/hash';
import { openRegular } from '../fs/openRegular';
import { comparePaths, describeSkipped, expandInputs, globFilter } from '../fs/walkFiles';
import { EtaEstimator, type OperationOptions } from '../progress';
import { DEFAULT_EXCLUDE, DEFAULT_INCLUDE } from './fileTypes';
import { toStoredPath } from './paths';
import type { Project } from './project';
import type { SourceEntry } from './sources';

export interface AddOptions extends OperationOptions {
  /** Globs, relative to each added folder, of the files taken from it. Files named directly are always taken. */
  include?: readonly string[];
  exclude?: readonly string[];
}

export interface AddResult {
  added: string[];
  /** Already in the project with different bytes: queued again. */
  updated: string[];
  unchanged: string[];
  /** Files read and hashed; the others were found unchanged by size and modification time without reading them. */
  hashed: number;
  /** Inputs that could not be taken, each with its reason. Nothing else was affected by them. */
  problems: ErrorInfo[];
  /** What was taken otherwise than named, e.g. "x.pdf is a symbolic link; its target /real/y.pdf is taken instead." */
  notices: string[];
  /** Files in added folders that the include globs leave out, counted by extension (see describeSkipped). */
  skipped: Record<string, number>;
}

/** Files hashed at once by add. */
const HASH_PARALLEL = 8;

interface Candidate {
  file: string;
  size: number;
  mtimeMs: number;
}

/**
 * Adds files and folders (recursively, filtered by globs) to the project's source list, keyed by path and
 * fingerprinted by sha256. New and changed files are queued for extraction; unchanged ones are left alone.
 * Hashing happens outside the lock; only the merge into sources.json holds it.
 */
export async function addSources(project: Project, inputs: readonly string[], options: AddOptions = {}): Promise<AddResult> {
  const { signal, onProgress } = options;
  const filter = globFilter(options.include ?? DEFAULT_INCLUDE, options.exclude ?? DEFAULT_EXCLUDE);
  const refuse = (abs: string) => {
    const own = ownFileReason(project, abs);
    return own ? new BrightRunError({ code: 'INVALID_ARGUMENT', file: abs, message: `${abs} is ${own}.`, remedy: "Add your documents, not Bright Run's own files." }).toJSON() : undefined;
  };
  const expanded = await expandInputs(inputs, process.cwd(), filter, { verb: 'add', ...(signal ? { signal } : {}), skipDirNames: ['.brightrun'], refuse });
  const problems: ErrorInfo[] = expanded.problems;
  const { notices } = expanded;
  // A folder holding the project (`add .` at its root) must not take the project's settings or its exports as documents.
  const own = expanded.files.filter((f) => ownFileReason(project, f.file));
  if (own.length > 0) {
    expanded.files = expanded.files.filter((f) => !ownFileReason(project, f.file));
    notices.push(`${own.length} of the project's own file${own.length === 1 ? '' : 's'} (brightrun.json, exports/) left out.`);
  }
  // A link's target is its real path; inside the project (whose own path may pass through a link, like macOS's
  // /var → /private/var) it is named from the project root, so it is stored relative like any other source.
  const realRoot = await fs.realpath(project.root).catch(() => project.root);
  const underRoot = (file: string) => (!isInside(project.root, file) && isInside(realRoot, file) ? path.join(project.root, path.relative(realRoot, file)) : file);
  const candidates = new Map<string, Candidate>(expanded.files.map((f) => [underRoot(f.file), { file: underRoot(f.file), size: f.size, mtimeMs: f.mtimeMs }]));

  // Size and modification time first, as git does: a file whose both match its entry is unchanged and is not
  // read (re-adding an unchanged folder of 100,000 files reads no file). Only the others are hashed.
  // Only what the check needs, of the sources this add names (the list is read a source at a time, not held).
  const wanted = new Set([...candidates.keys()].map((file) => toStoredPath(project.root, file)));
  const known = new Map<string, Pick<SourceEntry, 'size' | 'mtimeMs' | 'sha256'>>();
  await project.scanSources(() => {
    known.clear();
    return (s) => {
      if (wanted.has(s.path)) known.set(s.path, { size: s.size, mtimeMs: s.mtimeMs, sha256: s.sha256 });
    };
  });
  wanted.clear();
  const statUnchanged: Array<Candidate & { sha256: string }> = [];
  const files: Candidate[] = [];
  for (const f of [...candidates.values()].sort((a, b) => comparePaths(a.file, b.file))) {
    const entry = known.get(toStoredPath(project.root, f.file));
    if (entry && entry.size === f.size && entry.mtimeMs === Math.round(f.mtimeMs)) statUnchanged.push({ ...f, sha256: entry.sha256 });
    else files.push(f);
  }
  known.clear();
  const bytesTotal = files.reduce((sum, f) => sum + f.size, 0);
  const eta = new EtaEstimator(bytesTotal);
  let bytesDone = 0;
  const slots: Array<(Candidate & { sha256: string }) | undefined> = new Array(files.length);
  const slotProblems: Array<ErrorInfo | undefined> = new Array(files.length);
  let next = 0;
  let done = 0;
  // A few files at once: small files cost a round of open/read/close each, waits that overlap well.
  const hashOne = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      const f = files[i]!;
      throwIfAborted(signal);
      // Reported just before the file is read (with `current`), and again once it is hashed (without).
      onProgress?.({ done, total: files.length, unit: 'files', bytesDone, bytesTotal, etaMs: eta.eta(bytesDone), current: f.file });
      try {
        // Hashed through openRegular, like extraction reads it: a file swapped for a link since the walk is refused.
        const { handle, stat } = await openRegular(f.file);
        try {
          slots[i] = { ...f, size: stat.size, mtimeMs: stat.mtimeMs, sha256: await sha256Handle(handle, signal, stat.size) };
        } finally {
          await handle.close().catch(() => undefined);
        }
      } catch (err) {
        throwIfAborted(signal);
        slotProblems[i] = (err instanceof BrightRunError ? err : fsError(err, f.file, 'read')).toJSON();
      }
      done++;
      bytesDone += f.size;
      eta.update(bytesDone);
      if (done < files.length) onProgress?.({ done, total: files.length, unit: 'files', bytesDone, bytesTotal, etaMs: eta.eta(bytesDone) });
    }
  };
  await Promise.all(Array.from({ length: Math.min(HASH_PARALLEL, files.length) }, hashOne));
  const hashed = slots.filter((h): h is Candidate & { sha256: string } => h !== undefined);
  for (const p of slotProblems) if (p) problems.push(p);
  onProgress?.({ done: files.length, total: files.length, unit: 'files', bytesDone, bytesTotal, etaMs: 0 });
  throwIfAborted(signal);

  const now = new Date().toISOString();
  const result = await project.updateSources((sources) => {
    const byPath = new Map(sources.map((s) => [s.path, s]));
    const out: AddResult = { added: [], updated: [], unchanged: [], hashed: hashed.length, problems, notices, skipped: expanded.skipped };
    for (const f of [...statUnchanged, ...hashed]) {
      const stored = toStoredPath(project.root, f.file);
      const existing = byPath.get(stored);
      // Stat-unchanged files are unchanged unless another add rewrote their entry meanwhile with other stats.
      const same = existing && (existing.sha256 === f.sha256 || (existing.size === f.size && existing.mtimeMs === Math.round(f.mtimeMs)));
      if (same) {
        out.unchanged.push(stored);
        continue;
      }
      const entry: SourceEntry = { path: stored, sha256: f.sha256, size: f.size, mtimeMs: Math.round(f.mtimeMs), addedAt: existing?.addedAt ?? now, updatedAt: now, status: 'queued' };
      byPath.set(stored, entry);
      (existing ? out.updated : out.added).push(stored);
    }
    out.unchanged.sort(comparePaths);
    // Nothing added or changed: the list is left as it is (no rewrite of sources.json).
    return { sources: out.added.length + out.updated.length ? [...byPath.values()] : sources, result: out };
  });

  await project.log([
    { level: 'info', stage: 'add', message: `Added ${result.added.length}, updated ${result.updated.length}, unchanged ${result.unchanged.length}, problems ${problems.length}` },
    ...notices.map((message) => ({ level: 'info' as const, stage: 'add' as const, message })),
    ...(describeSkipped(expanded.skipped) ? [{ level: 'info' as const, stage: 'add' as const, message: `Skipped ${describeSkipped(expanded.skipped)} (file types not included)` }] : []),
    ...problems.map((p) => ({ level: 'error' as const, stage: 'add' as const, message: p.message, ...(p.file ? { file: p.file } : {}), error: p })),
  ]);
  await removeStaleTemps(project.paths.dataDir); // left by a killed run; sources.json was just written here
  return result;
}

function isInside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Why a path is the project's own (its settings file, its data folder, its exports), or undefined for a document. */
function ownFileReason(project: Project, abs: string): string | undefined {
  if (isInside(project.paths.dataDir, abs)) return "inside the project's own .brightrun folder";
  if (path.resolve(abs) === path.resolve(project.paths.config)) return "the project's settings file";
  if (isInside(project.paths.exports, abs)) return "inside the project's exports folder (datasets Bright Run wrote)";
  return undefined;
}
