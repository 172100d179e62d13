import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isProcessAlive } from '../fs/processAlive';

/** A semantic version `MAJOR.MINOR.PATCH` (semver.org 2.0.0, without pre-release or build parts). */
export interface Semver {
  major: number;
  minor: number;
  patch: number;
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

export function parseSemver(text: string): Semver | undefined {
  const m = SEMVER.exec(text);
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) } : undefined;
}

export function formatSemver(v: Semver): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

export function compareSemver(a: Semver, b: Semver): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** What changed since the previous version, as the semver rule reads it. */
export type VersionChange = 'schema' | 'records-added' | 'other';

/**
 * The next version (docs/export.md): the first is 1.0.0; a schema or template change bumps the major version,
 * added records the minor, anything else (records removed or changed, sources, parameters) the patch.
 */
export function nextVersion(previous: Semver | undefined, change: VersionChange): Semver {
  if (!previous) return { major: 1, minor: 0, patch: 0 };
  if (change === 'schema') return { major: previous.major + 1, minor: 0, patch: 0 };
  if (change === 'records-added') return { major: previous.major, minor: previous.minor + 1, patch: 0 };
  return { ...previous, patch: previous.patch + 1 };
}

/** Published versions of an export (folders named as a semver), oldest first. */
export async function listVersions(exportDir: string): Promise<string[]> {
  const names = await fs.readdir(exportDir).catch(() => [] as string[]);
  return names
    .map((n) => ({ n, v: parseSemver(n) }))
    .filter((x): x is { n: string; v: Semver } => !!x.v)
    .sort((a, b) => compareSemver(a.v, b.v))
    .map((x) => x.n);
}

const PARTIAL = '.partial-';
const MARKER = '.export-in-progress.json';

/**
 * A fresh temporary folder inside the export folder (`.partial-<random>`), with a marker naming this host and
 * process, so a later run can tell a live export from one that was killed. Same file system as the versions,
 * so publishing is one rename.
 */
export async function createPartialDir(exportDir: string): Promise<string> {
  await fs.mkdir(exportDir, { recursive: true });
  const dir = path.join(exportDir, `${PARTIAL}${randomBytes(6).toString('hex')}`);
  await fs.mkdir(dir);
  await fs.writeFile(path.join(dir, MARKER), JSON.stringify({ pid: process.pid, host: os.hostname() }) + '\n');
  return dir;
}

/** Removes the marker before publishing (it is not part of the version). */
export async function sealPartialDir(dir: string): Promise<void> {
  await fs.rm(path.join(dir, MARKER), { force: true });
}

/**
 * Removes temporary folders left by exports that were killed or crashed: those whose marker names a dead process on
 * this host, or that are older than `maxAgeMs` (another host's, or without a marker). Returns how many it removed.
 */
export async function removeStalePartials(exportDir: string, maxAgeMs = 24 * 3600_000): Promise<number> {
  let removed = 0;
  for (const name of await fs.readdir(exportDir).catch(() => [] as string[])) {
    if (!name.startsWith(PARTIAL)) continue;
    const dir = path.join(exportDir, name);
    const marker = await fs.readFile(path.join(dir, MARKER), 'utf8').then((t) => JSON.parse(t) as { pid: number; host: string }, () => undefined);
    // A marker of this host names a dead process: stale now. Otherwise (another host, no marker, or a pid reused
    // by some other live process) it is stale once untouched for maxAgeMs.
    const old = Date.now() - ((await fs.stat(dir).catch(() => undefined))?.mtimeMs ?? 0) > maxAgeMs;
    const deadHere = !!marker && marker.host === os.hostname() && marker.pid !== process.pid && !isProcessAlive(marker.pid);
    const stale = deadHere || (old && marker?.pid !== process.pid);
    if (stale) {
      await fs.rm(dir, { recursive: true, force: true });
      removed++;
    }
  }
  return removed;
}


/** Every export under `exportsDir` (the project's exports/ folder) with its published versions, oldest first; names sorted. */
export async function listExports(exportsDir: string): Promise<{ name: string; versions: string[] }[]> {
  const out: { name: string; versions: string[] }[] = [];
  const entries = await fs.readdir(exportsDir, { withFileTypes: true }).catch(() => []);
  for (const e of entries.filter((x) => x.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    out.push({ name: e.name, versions: await listVersions(path.join(exportsDir, e.name)) });
  }
  return out;
}
