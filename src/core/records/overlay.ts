import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BrightRunError } from '../errors';
import { writeFileAtomic } from '../fs/atomicWrite';
import { withLock } from '../project/lock';
import type { ChatMessage, RecordKind, TrainingRecord } from './types';

/**
 * The user's changes to built records: edits and exclusions keyed by record id, kept apart from the records
 * themselves so that a rebuild (which rewrites `records/`) never loses them. Record ids are stable (ids.ts: builder,
 * parameters and source span), so an entry finds its record again after a rebuild; an entry whose record is gone
 * (document removed, chunk settings changed) stays in the file and is reported as orphaned.
 *
 * On disk: `.brightrun/records-overlay.jsonl` (docs/project-format.md) — a header line, then one entry per line
 * sorted by id, so git diffs and merges work per record.
 */
export const OVERLAY_FILE = 'records-overlay.jsonl';
export const OVERLAY_FORMAT = 1;

/** New field values of an edited record, by kind (the fields a user can edit; lineage never changes). */
export type RecordEdit =
  | { kind: 'completion'; text: string }
  | { kind: 'instruction'; instruction: string; input: string; output: string }
  | { kind: 'chat'; messages: ChatMessage[] };

export interface OverlayEntry {
  /** TrainingRecord.id */
  id: string;
  /** Left out of display counts, stats and exports while set. */
  excluded?: true;
  edit?: RecordEdit;
  /** Token count of the edited record (the caller's tokenizer), so figures stay right without re-tokenising. */
  tokens?: number;
  /** ISO time of the last change. */
  updatedAt: string;
}

/** What a record looks like once the overlay is applied: flags `edited` / `excluded` mark what it changed. */
export type OverlaidRecord = TrainingRecord;

export const FLAG_EDITED = 'edited';
export const FLAG_EXCLUDED = 'excluded';

const ROLES = new Set(['system', 'user', 'assistant']);

/** The overlay file of a project's data folder (`.brightrun/`). */
export function overlayFile(dataDir: string): string {
  return path.join(dataDir, OVERLAY_FILE);
}

/** An overlay held in memory; read with `readOverlay`, changed with `updateOverlay`. */
export class RecordOverlay {
  private readonly byId: Map<string, OverlayEntry>;

  constructor(entries: Iterable<OverlayEntry> = []) {
    this.byId = new Map([...entries].map((e) => [e.id, e]));
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: string): OverlayEntry | undefined {
    return this.byId.get(id);
  }

  isExcluded(id: string): boolean {
    return this.byId.get(id)?.excluded === true;
  }

  /** Entries sorted by id (the file's order). */
  entries(): OverlayEntry[] {
    return [...this.byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Sets or clears the exclusion of `ids`; an entry left with neither exclusion nor edit is removed. */
  setExcluded(ids: readonly string[], excluded: boolean, now = new Date().toISOString()): void {
    for (const id of ids) {
      const prev = this.byId.get(id);
      const next: OverlayEntry = { ...prev, id, updatedAt: now };
      if (excluded) next.excluded = true;
      else delete next.excluded;
      this.put(next);
    }
  }

  /** Sets (or with `undefined`, drops) the edit of one record. */
  setEdit(id: string, edit: RecordEdit | undefined, tokens?: number, now = new Date().toISOString()): void {
    const next: OverlayEntry = { ...this.byId.get(id), id, updatedAt: now };
    delete next.edit;
    delete next.tokens;
    if (edit) {
      next.edit = validEdit(edit, id);
      if (tokens !== undefined) next.tokens = tokens;
    }
    this.put(next);
  }

  private put(entry: OverlayEntry): void {
    if (!entry.excluded && !entry.edit) this.byId.delete(entry.id);
    else this.byId.set(entry.id, entry);
  }

  /**
   * One record as the user sees it: edit applied (flag `edited`, `tokens` from the edit when counted), flag
   * `excluded` when excluded. An edit of another kind than the record is ignored (reported by `mismatched`).
   */
  apply(record: TrainingRecord): OverlaidRecord {
    const entry = this.byId.get(record.id);
    if (!entry) return record;
    let out: TrainingRecord = record;
    if (entry.edit && entry.edit.kind === record.kind) {
      const { kind: _kind, ...fields } = entry.edit;
      out = { ...record, ...fields } as TrainingRecord;
      if (entry.tokens !== undefined) out.tokens = entry.tokens;
      else delete out.tokens;
      out.flags = addFlag(out.flags, FLAG_EDITED);
    }
    if (entry.excluded) out = { ...out, flags: addFlag(out.flags, FLAG_EXCLUDED) };
    return out;
  }

  /** Entries whose id is not in `present` (ids of the current build): kept, but reported as orphaned. */
  orphans(present: ReadonlySet<string>): OverlayEntry[] {
    return this.entries().filter((e) => !present.has(e.id));
  }

  /** The file's text: header, then entries sorted by id, one per line. */
  serialize(): string {
    const lines = [JSON.stringify({ formatVersion: OVERLAY_FORMAT, kind: 'brightrun-records-overlay' })];
    for (const e of this.entries()) lines.push(JSON.stringify(orderedEntry(e)));
    return lines.join('\n') + '\n';
  }
}

export interface ApplyOverlayOptions {
  /** Yield excluded records too (flagged `excluded`), for display; exports and stats leave this off. */
  keepExcluded?: boolean;
  /** Filled with the id of every record seen, so the caller can list orphaned entries afterwards. */
  seen?: Set<string>;
}

/**
 * The records of a build with the overlay applied, in order: edited records carry their new fields and the
 * flag `edited`; excluded records are left out (or, with `keepExcluded`, flagged `excluded`). Streaming: holds
 * one record at a time. Export and stats take their records through this.
 */
export async function* applyOverlay(records: AsyncIterable<TrainingRecord>, overlay: RecordOverlay, options: ApplyOverlayOptions = {}): AsyncGenerator<OverlaidRecord> {
  for await (const record of records) {
    options.seen?.add(record.id);
    if (overlay.isExcluded(record.id) && !options.keepExcluded) continue;
    yield overlay.apply(record);
  }
}

/**
 * Reads the overlay (an absent file is an empty overlay). A damaged line (a hand edit, a merge conflict
 * marker) is `STATE_CORRUPT` naming the line; the file is then never overwritten until it is fixed.
 */
export async function readOverlay(file: string): Promise<RecordOverlay> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new RecordOverlay();
    throw err;
  }
  return parseOverlay(text, file);
}

export function parseOverlay(text: string, file = OVERLAY_FILE): RecordOverlay {
  const lines = text.split('\n');
  const corrupt = (line: number, why: string) =>
    new BrightRunError({ code: 'STATE_CORRUPT', file, message: `${path.basename(file)} line ${line} ${why}.`, remedy: `Fix or delete line ${line} (each line is one record's edit or exclusion, see docs/project-format.md); until then edits and exclusions cannot be saved.` });
  const entries: OverlayEntry[] = [];
  let header = false;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (!raw) continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw corrupt(i + 1, 'is not valid JSON');
    }
    if (!header) {
      const h = value as { formatVersion?: unknown; kind?: unknown };
      if (typeof h !== 'object' || h === null || h.kind !== 'brightrun-records-overlay') throw corrupt(i + 1, 'is not the overlay header');
      if (typeof h.formatVersion !== 'number' || h.formatVersion > OVERLAY_FORMAT) {
        throw new BrightRunError({ code: 'STATE_NEWER_FORMAT', file, message: `${path.basename(file)} has format ${String(h.formatVersion)}, newer than this Bright Run reads (${OVERLAY_FORMAT}).`, remedy: 'Update Bright Run.' });
      }
      header = true;
      continue;
    }
    const why = entryProblem(value);
    if (why) throw corrupt(i + 1, why);
    entries.push(value as OverlayEntry);
  }
  return new RecordOverlay(entries);
}

/**
 * Read-modify-write of the overlay file under the project lock (another window or the CLI may change it), written
 * atomically. Returns the overlay as saved.
 */
export async function updateOverlay(dataDir: string, change: (overlay: RecordOverlay) => void, options: { lockFile?: string; owner?: string } = {}): Promise<RecordOverlay> {
  const file = overlayFile(dataDir);
  await fs.mkdir(dataDir, { recursive: true });
  const work = async () => {
    const overlay = await readOverlay(file);
    change(overlay);
    await writeFileAtomic(file, overlay.serialize());
    return overlay;
  };
  return withLock(options.lockFile ?? path.join(dataDir, 'lock'), { owner: options.owner ?? 'Bright Run' }, work);
}

function entryProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'is not an object';
  const e = value as Record<string, unknown>;
  if (typeof e.id !== 'string' || !e.id) return 'has no record id';
  if (e.excluded !== undefined && e.excluded !== true) return 'has an "excluded" that is not true';
  if (e.tokens !== undefined && (typeof e.tokens !== 'number' || !Number.isInteger(e.tokens) || e.tokens < 0)) return 'has a "tokens" that is not a whole number';
  if (typeof e.updatedAt !== 'string') return 'has no "updatedAt"';
  if (e.edit !== undefined) {
    try {
      validEdit(e.edit as RecordEdit, e.id);
    } catch (err) {
      return `has a bad edit (${(err as Error).message})`;
    }
  }
  if (e.edit === undefined && e.excluded === undefined) return 'neither edits nor excludes its record';
  return undefined;
}

/** Checks an edit's shape (strings where strings belong, known chat roles); returns it with only its fields. */
export function validEdit(edit: RecordEdit, id: string): RecordEdit {
  const bad = (why: string) => new BrightRunError({ code: 'INVALID_ARGUMENT', message: `The edit of record ${id} ${why}.`, remedy: 'Give every field as text; chat roles are system, user or assistant.' });
  const str = (v: unknown, name: string) => {
    if (typeof v !== 'string') throw bad(`has a "${name}" that is not text`);
    return v;
  };
  const kind = (edit as { kind?: unknown } | null)?.kind as RecordKind | undefined;
  switch (kind) {
    case 'completion':
      return { kind, text: str((edit as { text?: unknown }).text, 'text') };
    case 'instruction': {
      const e = edit as Extract<RecordEdit, { kind: 'instruction' }>;
      return { kind, instruction: str(e.instruction, 'instruction'), input: str(e.input, 'input'), output: str(e.output, 'output') };
    }
    case 'chat': {
      const messages = (edit as Extract<RecordEdit, { kind: 'chat' }>).messages;
      if (!Array.isArray(messages) || messages.length === 0) throw bad('has no messages');
      return {
        kind,
        messages: messages.map((m, i) => {
          if (typeof m !== 'object' || m === null || !ROLES.has(m.role)) throw bad(`has message ${i + 1} with an unknown role`);
          return { role: m.role, content: str(m.content, `messages[${i}].content`) };
        }),
      };
    }
    default:
      throw bad(`has an unknown kind "${String(kind)}"`);
  }
}

function orderedEntry(e: OverlayEntry): OverlayEntry {
  return { id: e.id, ...(e.excluded ? { excluded: true as const } : {}), ...(e.edit ? { edit: e.edit } : {}), ...(e.tokens !== undefined ? { tokens: e.tokens } : {}), updatedAt: e.updatedAt };
}

function addFlag(flags: readonly string[] | undefined, flag: string): string[] {
  return flags?.includes(flag) ? [...flags] : [...(flags ?? []), flag];
}
