import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { ErrorInfo } from '../errors';
import { writeFileAtomic } from '../fs/atomicWrite';
import { forEachLine } from '../fs/lines';
import type { ExtractionSummary, SourceEntry, SourceStatus } from './sources';
import { openIfExists } from '../fs/openIfExists';

/**
 * The status journal, `.brightrun/sources.journal.jsonl`: status changes of a running extraction appended as
 * JSON lines, so that a batch of finished files costs a write of that batch — not a rewrite of the whole
 * source list (issue #13: 10,000 sources rewrote sources.json 2.5 MB at a time, every 500 ms). Readers apply
 * the journal over sources.json; any rewrite of sources.json (add, requeue, the end of a run, or the journal
 * outgrowing sources.json) absorbs it ("compaction"), so the cost per change stays constant, and at rest the
 * journal is gone and sources.json holds everything (git-friendly, sorted by path).
 *
 * Line 1 is `{"journal":"<id>"}`; sources.json names the id it absorbed (`compacted`), so a journal that a killed
 * compaction left behind is never applied twice. Every change is idempotent anyway (it sets values, it does not
 * add to them). A line cut short by a kill is skipped, and the next append starts on a fresh line.
 */
export interface StatusChange {
  status: SourceStatus;
  extracted?: ExtractionSummary;
  sha256?: string;
  size?: number;
  error?: ErrorInfo;
  /** With `extracting`: the attempt this is (SourceEntry.attempts). */
  attempts?: number;
}

/** One journal line: set `change` on the source at `path` if it still has the bytes `expect` (not re-added meanwhile). */
export interface JournalLine {
  path: string;
  expect: string;
  at: string;
  change: StatusChange;
}

export interface Journal {
  id: string;
  lines: JournalLine[];
  bytes: number;
}

/** The journal on disk, or undefined when there is none. Damaged lines (a kill mid-append) are skipped. */
export async function readJournal(file: string): Promise<Journal | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const rows = text.split('\n');
  let id: string | undefined;
  try {
    id = (JSON.parse(rows[0] ?? '') as { journal?: unknown }).journal as string | undefined;
  } catch {
    id = undefined;
  }
  if (typeof id !== 'string') return undefined; // a header cut short: nothing after it was ever acknowledged
  const lines: JournalLine[] = [];
  for (let i = 1; i < rows.length; i++) {
    const row = rows[i]!;
    if (!row) continue;
    try {
      const line = JSON.parse(row) as JournalLine;
      if (typeof line?.path === 'string' && typeof line.expect === 'string' && typeof line.change?.status === 'string') lines.push(line);
    } catch {
      // cut short by a kill: that change was never acknowledged
    }
  }
  return { id, lines, bytes: Buffer.byteLength(text) };
}

/** The journal's lines grouped by path, lines that later ones make moot dropped: what readers apply per source. */
export interface JournalIndex {
  id: string;
  byPath: Map<string, JournalLine[]>;
  bytes: number;
}

/**
 * The journal read line by line into a JournalIndex (never held whole as text), or undefined when there is
 * none. Damaged lines are skipped, as readJournal does. A line is dropped once a later line for the same path
 * makes it moot (see `supersedes`), so a run's "extracting" then "done" keep one line per source.
 */
export async function readJournalIndex(file: string): Promise<JournalIndex | undefined> {
  const handle = await openIfExists(file);
  if (!handle) return undefined;
  let id: string | undefined;
  const byPath = new Map<string, JournalLine[]>();
  let first = true;
  let bytes: number;
  try {
    ({ bytes } = await forEachLine(handle, (row) => {
      if (first) {
        first = false;
        try {
          id = (JSON.parse(row) as { journal?: unknown }).journal as string | undefined;
        } catch {
          id = undefined;
        }
        return typeof id === 'string'; // a header cut short: nothing after it was ever acknowledged
      }
      if (!row) return true;
      let line: JournalLine;
      try {
        line = JSON.parse(row) as JournalLine;
      } catch {
        return true; // cut short by a kill: that change was never acknowledged
      }
      if (typeof line?.path !== 'string' || typeof line.expect !== 'string' || typeof line.change?.status !== 'string') return true;
      const prior = byPath.get(line.path);
      if (!prior) byPath.set(line.path, [line]);
      else if (supersedes(line, prior[prior.length - 1]!)) prior[prior.length - 1] = line;
      else prior.push(line);
      return true;
    }));
  } finally {
    await handle.close();
  }
  return typeof id === 'string' ? { id, byPath, bytes } : undefined;
}

/**
 * Whether applying `later` after `earlier` gives what applying `later` alone gives, to any source: both expect
 * the same bytes, `earlier` does not change them, and `later` takes nothing over from `earlier` (applyChange
 * keeps an earlier summary only for "extracting", or for "done" without a summary of its own; an earlier size
 * unless it sets its own).
 */
function supersedes(later: JournalLine, earlier: JournalLine): boolean {
  if (later.expect !== earlier.expect || (earlier.change.sha256 !== undefined && earlier.change.sha256 !== earlier.expect)) return false;
  if (earlier.change.size !== undefined && later.change.size === undefined) return false;
  return later.change.status === 'queued' || later.change.status === 'failed' || (later.change.status === 'done' && later.change.extracted !== undefined);
}

/** A source with its journal lines (JournalIndex.byPath) applied in order. */
export function applyLines(s: SourceEntry, lines: readonly JournalLine[] | undefined): SourceEntry {
  if (!lines) return s;
  for (const line of lines) s = applyChange(s, line.expect, line.change, line.at);
  return s;
}

/**
 * Applies journal lines to a source list (in order). O(list + lines): one map lookup per line, and a copy of
 * the list only when something changed.
 */
export function applyJournal(sources: SourceEntry[], lines: readonly JournalLine[]): SourceEntry[] {
  if (lines.length === 0) return sources;
  const index = new Map<string, number>();
  sources.forEach((s, i) => index.set(s.path, i));
  const out = sources.slice();
  for (const line of lines) {
    const i = index.get(line.path);
    if (i === undefined) continue; // removed since
    out[i] = applyChange(out[i]!, line.expect, line.change, line.at);
  }
  return out;
}

/** A source with a status change applied, unless it was re-added with other bytes since (then it stays queued). */
export function applyChange(s: SourceEntry, expect: string, change: StatusChange, now: string): SourceEntry {
  if (s.sha256 !== expect) return s;
  const { error: _old, extracted: oldSummary, attempts: _attempts, ...rest } = s;
  const extracted = change.status === 'done' ? (change.extracted ?? oldSummary) : change.status === 'extracting' ? oldSummary : undefined;
  return {
    ...rest,
    status: change.status,
    sha256: change.sha256 ?? s.sha256,
    size: change.size ?? s.size,
    updatedAt: now,
    ...(change.error ? { error: change.error } : {}),
    ...(change.status === 'extracting' && change.attempts ? { attempts: change.attempts } : {}),
    ...(extracted ? { extracted } : {}),
  };
}

/**
 * Appends lines to the journal (the caller holds the project lock). `absorbed` is the journal id sources.json
 * already holds: a journal with that id is replaced by a fresh one rather than appended to. Returns the
 * journal's size afterwards. The lines are flushed to disk (one fsync per batch) before this returns.
 */
export async function appendJournal(file: string, lines: readonly JournalLine[], absorbed: string | undefined): Promise<number> {
  const body = lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
  const current = await journalHeader(file);
  if (!current || current.id === absorbed) {
    const text = JSON.stringify({ journal: randomBytes(8).toString('hex') }) + '\n' + body;
    await writeFileAtomic(file, text);
    return Buffer.byteLength(text);
  }
  const handle = await fs.open(file, 'a+');
  try {
    const { size } = await handle.stat();
    // A line a killed writer cut short must not swallow the first new one.
    const last = Buffer.alloc(1);
    if (size > 0) await handle.read(last, 0, 1, size - 1);
    const text = (size > 0 && last[0] !== 0x0a ? '\n' : '') + body;
    await handle.appendFile(text, 'utf8');
    await handle.sync();
    return size + Buffer.byteLength(text);
  } finally {
    await handle.close();
  }
}

/** The id on the journal's first line (read without reading the rest), or undefined when there is none. */
async function journalHeader(file: string): Promise<{ id: string } | undefined> {
  const handle = await openIfExists(file);
  if (!handle) return undefined;
  try {
    const buf = Buffer.alloc(256);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const first = buf.subarray(0, bytesRead).toString('utf8').split('\n')[0]!;
    const id = (JSON.parse(first) as { journal?: unknown }).journal;
    return typeof id === 'string' ? { id } : undefined;
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

/** Removes the journal once sources.json holds it. Missing is fine. */
export async function removeJournal(file: string): Promise<void> {
  await fs.rm(file, { force: true });
}
