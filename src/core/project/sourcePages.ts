import { SOURCE_STATUSES, type SourceEntry, type SourceStatus } from './sources';

/**
 * The sidebar's view of a large source list (issue #13: 100,000 sources must not become one 100,000-node
 * expand). Sources are grouped by status, and a group of more than `pageSize` is shown as pages ("1–500",
 * "501–1,000", …) that each list at most `pageSize` sources. The index is built once per change of the list
 * (O(n)); opening a group or a page costs what it shows, not the size of the project. Plain data, no VS Code:
 * the tree (src/extension/views/datasetTree.ts) renders it, unit tests check it.
 */
export const SOURCE_PAGE_SIZE = 500;

export interface SourcePage {
  status: SourceStatus;
  /** 0-based page number. */
  page: number;
  /** 1-based positions of its first and last source in the group, for its label. */
  first: number;
  last: number;
}

export class SourceIndex {
  private readonly groups: Record<SourceStatus, SourceEntry[]>;

  /** Groups the list by status, each group in path order (the list is stored sorted by path). O(n). */
  constructor(
    sources: readonly SourceEntry[],
    readonly pageSize = SOURCE_PAGE_SIZE,
  ) {
    this.groups = { queued: [], extracting: [], done: [], failed: [] };
    for (const s of sources) this.groups[s.status].push(s);
  }

  count(status: SourceStatus): number {
    return this.groups[status].length;
  }

  /** The statuses that have sources, in the usual order. */
  statuses(): SourceStatus[] {
    return SOURCE_STATUSES.filter((s) => this.groups[s].length > 0);
  }

  /** Whether the group is shown as pages rather than as its sources. */
  paged(status: SourceStatus): boolean {
    return this.groups[status].length > this.pageSize;
  }

  /** The pages of a group (empty when it is small enough to list directly). */
  pages(status: SourceStatus): SourcePage[] {
    const n = this.groups[status].length;
    if (n <= this.pageSize) return [];
    const out: SourcePage[] = [];
    for (let page = 0; page * this.pageSize < n; page++) out.push({ status, page, first: page * this.pageSize + 1, last: Math.min(n, (page + 1) * this.pageSize) });
    return out;
  }

  /** The sources of one page, or of a whole small group (`page` omitted). At most `pageSize` of them. */
  sources(status: SourceStatus, page?: number): SourceEntry[] {
    const group = this.groups[status];
    if (page === undefined) return group.length <= this.pageSize ? group.slice() : group.slice(0, this.pageSize);
    return group.slice(page * this.pageSize, (page + 1) * this.pageSize);
  }
}

/** "1–500", "501–1,000": a page's label. */
export function pageLabel(page: SourcePage): string {
  return `${page.first.toLocaleString('en-US')}–${page.last.toLocaleString('en-US')}`;
}

/**
 * How long to wait before re-reading the project after a change on disk: at least `requestedMs` (to coalesce a
 * burst), and long enough that re-reading — which costs `lastLoadMs`, growing with the project — takes no more
 * than a tenth of the time (a run that journals every 500 ms must not keep the editor parsing a 100,000-source
 * list back to back). `sinceLastMs`: time since the last re-read ended.
 */
export function refreshDelayMs(requestedMs: number, lastLoadMs: number, sinceLastMs: number): number {
  return Math.max(requestedMs, Math.min(10_000, lastLoadMs * 10) - sinceLastMs);
}

/** The Ingestion panel's order: running first, then failed, queued, and done (newest first). */
const PANEL_RANK: Record<SourceStatus, number> = { extracting: 0, failed: 1, queued: 2, done: 3 };

const panelOrders = new WeakMap<readonly SourceEntry[], { order: SourceEntry[]; byPath: Map<string, SourceEntry>; running: number }>();

/**
 * The first `max` sources in the Ingestion panel's order, with the files running now (`live`) counted as
 * extracting. The list is sorted once per change of the list (cached on it); each call — several a second
 * while a run goes on — then costs O(max + running), not a sort of 100,000 sources.
 */
export function panelRows(sources: readonly SourceEntry[], live: { has(path: string): boolean; keys(): Iterable<string> }, max: number): SourceEntry[] {
  let cached = panelOrders.get(sources);
  if (!cached) {
    const order = [...sources].sort((a, b) => PANEL_RANK[a.status] - PANEL_RANK[b.status] || (a.status === 'done' ? (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0) : a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    let running = 0;
    while (running < order.length && order[running]!.status === 'extracting') running++;
    cached = { order, byPath: new Map(sources.map((s) => [s.path, s])), running };
    panelOrders.set(sources, cached);
  }
  const first = new Map<string, SourceEntry>();
  for (const path of live.keys()) {
    const s = cached.byPath.get(path);
    if (s) first.set(path, s);
  }
  for (let i = 0; i < cached.running; i++) first.set(cached.order[i]!.path, cached.order[i]!);
  const out = [...first.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).slice(0, max);
  for (let i = cached.running; i < cached.order.length && out.length < max; i++) {
    const s = cached.order[i]!;
    if (!live.has(s.path)) out.push(s);
  }
  return out;
}
