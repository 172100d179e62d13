import * as assert from 'node:assert/strict';
import { pageLabel, refreshDelayMs, SourceIndex, type SourceEntry, type SourceStatus } from '../../../src/core';

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
});
