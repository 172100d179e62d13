import { promises as fs } from 'node:fs';
import { BrightRunError, type ErrorInfo } from '../errors';
import { writeSourcesStream } from './sourcesStream';

/** Runs that may start extracting a source without finishing before it is failed (docs/threat-model.md: poison pills). */
export const MAX_EXTRACT_ATTEMPTS = 2;

export type SourceStatus = 'queued' | 'extracting' | 'done' | 'failed';
export const SOURCE_STATUSES: readonly SourceStatus[] = ['queued', 'extracting', 'done', 'failed'];

/** One document in the dataset: where it is, which bytes it had when added, and how far it got. */
export interface SourceEntry {
  /** Relative to the project root with '/', or absolute when outside it. */
  path: string;
  sha256: string;
  size: number;
  mtimeMs: number;
  addedAt: string;
  updatedAt: string;
  status: SourceStatus;
  /**
   * Set while `extracting`: how many runs have started extracting these bytes without finishing (a run killed
   * mid-file). A source left extracting after MAX_EXTRACT_ATTEMPTS is failed instead of tried again.
   */
  attempts?: number;
  error?: ErrorInfo;
  /** What extraction found, for tooltips and lists without opening the document. */
  extracted?: ExtractionSummary;
}

export interface ExtractionSummary {
  format: string;
  pages?: number;
  ocrPages: number;
  chars: number;
  warnings: string[];
  title?: string;
  durationMs: number;
  /** Lowest OCR confidence of its pages, when any page was OCR'd. */
  minOcrConfidence?: number;
}

/** Puts sources back in the queue (retry, re-extract): status queued, error cleared. */
export function requeued(sources: SourceEntry[], paths: readonly string[], now = new Date().toISOString()): { sources: SourceEntry[]; result: SourceEntry[] } {
  const want = new Set(paths);
  const changed: SourceEntry[] = [];
  const out = sources.map((s) => {
    if (!want.has(s.path)) return s;
    const { error: _e, attempts: _a, ...rest } = s;
    const next: SourceEntry = { ...rest, status: 'queued', updatedAt: now };
    changed.push(next);
    return next;
  });
  return { sources: out, result: changed };
}

/** Removes sources from the list (their extracted documents stay, keyed by content, in case they come back). */
export function withoutSources(sources: SourceEntry[], paths: readonly string[]): { sources: SourceEntry[]; result: string[] } {
  const drop = new Set(paths);
  return { sources: sources.filter((s) => !drop.has(s.path)), result: sources.filter((s) => drop.has(s.path)).map((s) => s.path) };
}

/**
 * sources.json's own format: 1 held only the list; 2 adds `compacted`, the id of the status journal
 * (sourceJournal.ts) whose lines the list already holds. Version 1 files are read as they are and written as 2.
 */
export const SOURCES_FORMAT_VERSION = 2;

interface SourcesFile {
  formatVersion: 1 | 2;
  /** The journal whose changes this list already holds (its lines are not applied again). */
  compacted?: string;
  sources: SourceEntry[];
}

/** sources.json as stored: the list, and which journal it has absorbed. */
export interface SourcesSnapshot {
  sources: SourceEntry[];
  compacted?: string;
  /** Size of the file in bytes (0 when missing): the journal is compacted once it grows past this. */
  bytes: number;
}

export async function readSourcesFile(file: string): Promise<SourceEntry[]> {
  return (await readSourcesSnapshot(file)).sources;
}

export async function readSourcesSnapshot(file: string): Promise<SourcesSnapshot> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { sources: [], bytes: 0 };
    throw err;
  }
  let parsed: Partial<SourcesFile>;
  try {
    parsed = JSON.parse(text) as Partial<SourcesFile>;
  } catch (err) {
    throw corruptSources(file, 'is not valid JSON', err);
  }
  if (parsed && typeof parsed.formatVersion === 'number' && parsed.formatVersion > SOURCES_FORMAT_VERSION) {
    throw new BrightRunError({
      code: 'STATE_NEWER_FORMAT',
      file,
      message: `${file} was written by a newer Bright Run (source list format ${parsed.formatVersion}; this one reads up to ${SOURCES_FORMAT_VERSION}).`,
      remedy: 'Update Bright Run to open this project.',
    });
  }
  if (!parsed || (parsed.formatVersion !== 1 && parsed.formatVersion !== 2) || !Array.isArray(parsed.sources)) throw corruptSources(file, 'does not hold a source list');
  for (const [i, s] of parsed.sources.entries()) {
    if (typeof s?.path !== 'string' || typeof s.sha256 !== 'string' || !SOURCE_STATUSES.includes(s.status)) {
      throw corruptSources(file, `has a broken entry at index ${i}`);
    }
  }
  return { sources: parsed.sources, ...(typeof parsed.compacted === 'string' ? { compacted: parsed.compacted } : {}), bytes: Buffer.byteLength(text) };
}

/**
 * Writes the list (sorted by path, for stable diffs in git; one source per line, sourcesStream.ts) atomically,
 * noting the journal it absorbed.
 */
export function writeSourcesFile(file: string, sources: readonly SourceEntry[], compacted?: string): Promise<void> {
  const sorted = [...sources].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return writeSourcesStream(file, compacted, async (put) => {
    for (const s of sorted) await put(s);
  });
}

/**
 * The `compacted` journal id of sources.json, read from the file's first bytes only (it is written before the
 * list), so that appending to the journal does not read the whole list.
 */
export async function readCompactedId(file: string): Promise<string | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const head = Buffer.alloc(256);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const text = head.subarray(0, bytesRead).toString('utf8');
    const named = /^\{\s*"formatVersion":\s*2,\s*"compacted":\s*"([0-9a-f]+)"/.exec(text);
    if (named) return named[1];
    if (/^\{\s*"formatVersion":\s*[12],\s*"sources":/.test(text)) return undefined;
  } finally {
    await handle.close();
  }
  // Not as Bright Run writes it (edited by hand, say): read it whole rather than guess.
  return (await readSourcesSnapshot(file)).compacted;
}

export function countByStatus(sources: readonly SourceEntry[]): Record<SourceStatus, number> {
  const counts: Record<SourceStatus, number> = { queued: 0, extracting: 0, done: 0, failed: 0 };
  for (const s of sources) counts[s.status]++;
  return counts;
}

export function corruptSources(file: string, what: string, cause?: unknown): BrightRunError {
  return new BrightRunError(
    {
      code: 'STATE_CORRUPT',
      file,
      message: `${file} ${what}; Bright Run will not overwrite it.`,
      remedy: 'Restore it from git, or delete it and add the documents again (extracted documents are kept and not redone).',
    },
    { cause },
  );
}
