import * as assert from 'node:assert/strict';
import { pageLabel, panelRows, refreshDelayMs, SourceIndex, type SourceEntry, type SourceStatus } from '../../../src/core';

const entry = (i: number, status: SourceStatus): SourceEntry => ({ path: `docs/f${String(i).padStart(6, '0')}.md`, sha256: 'a'.repeat(64), size: 1, mtimeMs: 1, addedAt: 'x', updatedAt: 'x', status });

describe('the sidebar at 100,000 sources (SourceIndex)', () => {
  it('groups by status and pages a large group: no node lists more than a page', () => {
    const sources = Array.from({ length: 100_000 }, (_, i) => entry(i, i % 10 === 0 ? 'failed' : i < 60_000 ? 'done' : 'queued'));
    const index = new SourceIndex(sources);
    assert.deepEqual(index.statuses(), ['queued', 'done', 'failed']);
    assert.equal(index.count('done') + index.count('queued') + index.count('failed'), 100_000);
    const pages = index.pages('done');
    assert.equal(pages.length, Math.ceil(index.count('done') / 500));
    assert.equal(pageLabel(pages[1]!), '501–1,000');
    let seen = 0;
    for (const p of pages) {
      const list = index.sources('done', p.page);
      assert.ok(list.length <= 500);
      assert.equal(list.length, p.last - p.first + 1);
      seen += list.length;
    }
    assert.equal(seen, index.count('done'), 'the pages together hold the group, once');
    assert.ok(index.paged('failed'));
    assert.ok(index.sources('failed').length <= 500, 'even without a page, a group never lists more than a page');
  });

  it('lists a small group directly, in path order', () => {
    const index = new SourceIndex([entry(2, 'queued'), entry(1, 'queued'), entry(3, 'extracting')].sort((a, b) => (a.path < b.path ? -1 : 1)), 500);
    assert.equal(index.paged('queued'), false);
    assert.deepEqual(index.pages('queued'), []);
    assert.deepEqual(index.sources('queued').map((s) => s.path), [entry(1, 'queued').path, entry(2, 'queued').path]);
    assert.deepEqual(index.statuses(), ['queued', 'extracting']);
  });

  it('spaces re-reads of the project by what they cost', () => {
    assert.equal(refreshDelayMs(150, 5, 10_000), 150, 'a cheap read: the usual coalescing delay');
    assert.equal(refreshDelayMs(150, 300, 1_000), 2_000, 'a 300 ms read waits until 3 s after the last one');
    assert.equal(refreshDelayMs(150, 5_000, 0), 10_000, 'never more than 10 s');
  });

  it('the Ingestion panel takes its rows from an order sorted once per list, running files first', () => {
    const sources = Array.from({ length: 50_000 }, (_, i) => ({ ...entry(i, i % 100 === 0 ? 'failed' : i < 30_000 ? 'done' : 'queued'), updatedAt: String(i).padStart(6, '0') }));
    sources[7] = { ...sources[7]!, status: 'extracting' };
    const live = new Map([[sources[40_001]!.path, {}]]);
    const rows = panelRows(sources, live, 300);
    assert.equal(rows.length, 300);
    assert.deepEqual(rows.slice(0, 2).map((s) => s.path), [sources[7]!.path, sources[40_001]!.path], 'running ones first, by path');
    assert.ok(rows.slice(2, 502).every((s) => s.status === 'failed'));
    assert.equal(new Set(rows.map((s) => s.path)).size, rows.length, 'a live file is not listed twice');
    // Sorted once per list: 200 updates of the panel copy (and sort) the 50,000 sources once, not 200 times.
    class Counted<T> extends Array<T> {
      copies = 0;
      override [Symbol.iterator](): ArrayIterator<T> {
        this.copies++;
        return super[Symbol.iterator]();
      }
    }
    const counted = Counted.from(sources) as Counted<SourceEntry>;
    for (let i = 0; i < 200; i++) panelRows(counted, live, 300);
    assert.equal(counted.copies, 1);
    const doneOnly = panelRows(sources.filter((s) => s.status === 'done'), new Map(), 3);
    assert.deepEqual(doneOnly.map((s) => s.updatedAt), ['029999', '029998', '029997'], 'done: newest first');
  });
});
