import * as path from 'node:path';
import { throwIfAborted } from '../errors';
import type { ProgressCallback } from '../progress';
import { jsonlLines, readRanges } from './jsonlLines';
import { FLAG_EDITED, type OverlayEntry, type RecordOverlay, type OverlaidRecord } from './overlay';
import { SPLITS } from './splits';
import type { RecordStore, RecordsManifest } from './store';
import type { BuilderName, RecordKind, SplitName, TrainingRecord } from './types';

/** What the Records view filters by. Every field is optional; all given ones must hold. */
export interface RecordFilter {
  split?: SplitName;
  kind?: RecordKind;
  builder?: BuilderName;
  /** A source path exactly as stored (lineage.sourcePath). */
  source?: string;
  /** A quality flag of the record, or `edited` (set by the overlay). */
  flag?: string;
  /** Excluded records: shown (flagged, the default), hidden, or the only ones shown. */
  excluded?: 'show' | 'hide' | 'only';
  /** Case-insensitive substring of the record's content (text, instruction/input/output, messages) or its id. */
  text?: string;
}

/** Counts over the whole build (overlay applied), for the filter choices. Lists sorted by count, then name. */
export interface RecordFacets {
  total: number;
  splits: Record<SplitName, number>;
  kinds: Array<[RecordKind, number]>;
  builders: Array<[string, number]>;
  sources: Array<[string, number]>;
  flags: Array<[string, number]>;
  excluded: number;
  edited: number;
}

interface IndexEntry {
  id: string;
  kind: RecordKind;
  split: SplitName;
  source: number;
  builder: BuilderName;
  flags: string[] | undefined;
  offset: number;
  length: number;
}

export interface BrowseOptions {
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

const YIELD_EVERY = 2000;

/**
 * Browsing a large build without holding it: one pass over the split files keeps, per record, only what filters
 * need and where its line is (≈ 150 bytes a record: 100,000 records ≈ 15 MB); pages of records are read back by
 * byte range. Filters on fields run over that index; a text search streams the files once more. The overlay
 * (edits, exclusions) is applied to everything returned. Bound to one build: after a rebuild, open a new one.
 */
export class RecordBrowser {
  private readonly entries: IndexEntry[] = [];
  private readonly sources: string[] = [];
  private readonly byId = new Map<string, number>();
  private matches: Uint32Array = new Uint32Array(0);

  private constructor(
    private readonly dir: string,
    readonly manifest: RecordsManifest | undefined,
    private overlay: RecordOverlay,
  ) {}

  /** Indexes the current build of `store` (no build: an empty browser). Progress in bytes of the split files. */
  static async open(store: RecordStore, overlay: RecordOverlay, options: BrowseOptions = {}): Promise<RecordBrowser> {
    const manifest = await store.readManifest();
    const browser = new RecordBrowser(manifest ? path.join(store.builds, manifest.build) : '', manifest, overlay);
    if (manifest) await browser.index(options);
    browser.matches = Uint32Array.from(browser.entries.keys());
    return browser;
  }

  get size(): number {
    return this.entries.length;
  }

  /** Records matching the last `query` (all records before the first). */
  get matched(): number {
    return this.matches.length;
  }

  /** Ids of every record of the build. */
  ids(): Set<string> {
    return new Set(this.byId.keys());
  }

  private fileOf(split: SplitName): string {
    return path.join(this.dir, `${split}.jsonl`);
  }

  private async index(options: BrowseOptions): Promise<void> {
    const sourceIds = new Map<string, number>();
    const total = this.manifest ? SPLITS.reduce((s, x) => s + this.manifest!.splits[x].records, 0) : undefined;
    for (const split of SPLITS) {
      for await (const line of jsonlLines(this.fileOf(split))) {
        const r = JSON.parse(line.text) as TrainingRecord;
        let source = sourceIds.get(r.lineage.sourcePath);
        if (source === undefined) {
          source = this.sources.push(r.lineage.sourcePath) - 1;
          sourceIds.set(r.lineage.sourcePath, source);
        }
        this.byId.set(r.id, this.entries.length);
        this.entries.push({ id: r.id, kind: r.kind, split, source, builder: r.lineage.builder, flags: r.flags?.length ? r.flags : undefined, offset: line.offset, length: line.length });
        if (this.entries.length % YIELD_EVERY === 0) {
          throwIfAborted(options.signal);
          options.onProgress?.({ done: this.entries.length, ...(total !== undefined ? { total } : {}), unit: 'records' });
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    }
    options.onProgress?.({ done: this.entries.length, total: this.entries.length, unit: 'records' });
  }

  /** Replaces the overlay (after an edit or exclusion); the current matches stay until the next query. */
  setOverlay(overlay: RecordOverlay): void {
    this.overlay = overlay;
  }

  /** Overlay entries whose record is not in this build (kept in the file, reported). */
  orphans(): OverlayEntry[] {
    return this.overlay.orphans(new Set(this.byId.keys()));
  }

  facets(): RecordFacets {
    const splits = Object.fromEntries(SPLITS.map((s) => [s, 0])) as Record<SplitName, number>;
    const kinds = new Map<RecordKind, number>();
    const builders = new Map<string, number>();
    const sources = new Map<string, number>();
    const flags = new Map<string, number>();
    let excluded = 0;
    let edited = 0;
    const bump = <K>(m: Map<K, number>, k: K) => m.set(k, (m.get(k) ?? 0) + 1);
    for (const e of this.entries) {
      splits[e.split]++;
      bump(kinds, e.kind);
      bump(builders, e.builder);
      bump(sources, this.sources[e.source]!);
      for (const f of e.flags ?? []) bump(flags, f);
      const o = this.overlay.get(e.id);
      if (o?.excluded) excluded++;
      if (o?.edit?.kind === e.kind) {
        edited++;
        if (!e.flags?.includes(FLAG_EDITED)) bump(flags, FLAG_EDITED);
      }
    }
    const sorted = <K extends string>(m: Map<K, number>) => [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return { total: this.entries.length, splits, kinds: sorted(kinds), builders: sorted(builders), sources: sorted(sources), flags: sorted(flags), excluded, edited };
  }

  private passesFields(e: IndexEntry, f: RecordFilter): boolean {
    if (f.split && e.split !== f.split) return false;
    if (f.kind && e.kind !== f.kind) return false;
    if (f.builder && e.builder !== f.builder) return false;
    if (f.source && this.sources[e.source] !== f.source) return false;
    const o = this.overlay.get(e.id);
    if (f.flag) {
      const edited = o?.edit?.kind === e.kind;
      if (!(e.flags?.includes(f.flag) || (f.flag === FLAG_EDITED && edited))) return false;
    }
    if (f.excluded === 'hide' && o?.excluded) return false;
    if (f.excluded === 'only' && !o?.excluded) return false;
    return true;
  }

  /**
   * Sets the current matches to the records passing `filter`, in build order (train, validation, test; each in
   * file order), and returns how many. A text search streams the split files (progress in records); the rest
   * runs over the index. Cancellable.
   */
  async query(filter: RecordFilter, options: BrowseOptions = {}): Promise<number> {
    const out: number[] = [];
    const needle = filter.text?.trim().toLowerCase();
    if (!needle) {
      for (let i = 0; i < this.entries.length; i++) if (this.passesFields(this.entries[i]!, filter)) out.push(i);
      this.matches = Uint32Array.from(out);
      return out.length;
    }
    let i = 0;
    for (const split of SPLITS) {
      for await (const line of jsonlLines(this.fileOf(split))) {
        const e = this.entries[i];
        if (!e || e.split !== split || e.offset !== line.offset) break; // the build changed under us: stop
        if (this.passesFields(e, filter) && (e.id.includes(needle) || searchText(this.overlay.apply(JSON.parse(line.text) as TrainingRecord)).includes(needle))) out.push(i);
        i++;
        if (i % YIELD_EVERY === 0) {
          throwIfAborted(options.signal);
          options.onProgress?.({ done: i, total: this.entries.length, unit: 'records' });
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      // Entries of this split that the file no longer has are skipped; the next split starts at its first entry.
      while (this.entries[i]?.split === split) i++;
    }
    throwIfAborted(options.signal);
    this.matches = Uint32Array.from(out);
    return out.length;
  }

  /** Records `start … start + count − 1` of the current matches, overlay applied, with their position. */
  async page(start: number, count: number): Promise<Array<{ index: number; record: OverlaidRecord }>> {
    const from = Math.max(0, start);
    const to = Math.min(this.matches.length, from + Math.max(0, count));
    const positions = Array.from(this.matches.subarray(from, to));
    const records = await this.read(positions);
    return records.map((record, k) => ({ index: from + k, record }));
  }

  /** One record by id, overlay applied; undefined when it is not in this build. */
  async record(id: string): Promise<OverlaidRecord | undefined> {
    const at = this.byId.get(id);
    return at === undefined ? undefined : (await this.read([at]))[0];
  }

  /** The record as built, without the overlay (to show what an edit changed, or to revert it). */
  async original(id: string): Promise<TrainingRecord | undefined> {
    const at = this.byId.get(id);
    if (at === undefined) return undefined;
    const e = this.entries[at]!;
    const [text] = await readRanges(this.fileOf(e.split), [e]);
    return JSON.parse(text!) as TrainingRecord;
  }

  /** Position of a record among the current matches, or −1. */
  indexOf(id: string): number {
    const at = this.byId.get(id);
    return at === undefined ? -1 : this.matches.indexOf(at);
  }

  private async read(positions: readonly number[]): Promise<OverlaidRecord[]> {
    const bySplit = new Map<SplitName, number[]>();
    for (const p of positions) {
      const split = this.entries[p]!.split;
      bySplit.set(split, [...(bySplit.get(split) ?? []), p]);
    }
    const texts = new Map<number, string>();
    for (const [split, list] of bySplit) {
      const got = await readRanges(this.fileOf(split), list.map((p) => this.entries[p]!));
      list.forEach((p, k) => texts.set(p, got[k]!));
    }
    return positions.map((p) => this.overlay.apply(JSON.parse(texts.get(p)!) as TrainingRecord));
  }
}

/** The lower-cased content a text search looks in. */
export function searchText(r: TrainingRecord): string {
  switch (r.kind) {
    case 'completion':
      return r.text.toLowerCase();
    case 'instruction':
      return `${r.instruction}\n${r.input}\n${r.output}`.toLowerCase();
    case 'chat':
      return r.messages.map((m) => m.content).join('\n').toLowerCase();
  }
}
