import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { recordsStateKey, watchRecords } from '../../../src/core/export/watch';
import { projectPaths } from '../../../src/core/project/paths';
import { overlayFile } from '../../../src/core/records/overlay';
import { makeRecords, writeRecordsBuild } from '../../support/exportRecords';
import { useTempDir } from '../../support/tmp';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('records watch and key (the VS Code scheduled export)', function () {
  this.timeout(20_000);
  const tmp = useTempDir();

  it('recordsStateKey: none before a build; changes with a new build and with the overlay, not otherwise', async () => {
    const paths = projectPaths(tmp.dir);
    assert.equal(await recordsStateKey(paths), undefined);
    await writeRecordsBuild(tmp.dir, makeRecords('completion', 5), 'b1');
    const first = await recordsStateKey(paths);
    assert.ok(first?.startsWith('b1 '));
    assert.equal(await recordsStateKey(paths), first, 'stable while nothing changes');
    await fs.writeFile(overlayFile(paths.dataDir), '{"id":"x","excluded":true}\n');
    const edited = await recordsStateKey(paths);
    assert.notEqual(edited, first, 'an edit or exclusion changes it');
    await writeRecordsBuild(tmp.dir, makeRecords('completion', 6), 'b2');
    assert.ok((await recordsStateKey(paths))?.startsWith('b2 '));
  });

  it('watchRecords: one call per burst of changes after the quiet time; nothing after close', async () => {
    const paths = projectPaths(tmp.dir);
    await fs.mkdir(paths.dataDir, { recursive: true });
    let calls = 0;
    const watch = await watchRecords(paths, { debounceMs: 500, onChange: () => calls++ });
    try {
      await writeRecordsBuild(tmp.dir, makeRecords('completion', 5), 'b1');
      await writeRecordsBuild(tmp.dir, makeRecords('completion', 5), 'b2');
      await fs.writeFile(overlayFile(paths.dataDir), '\n');
      for (let i = 0; i < 100 && calls === 0; i++) await sleep(50);
      await sleep(800);
      assert.equal(calls, 1, 'a burst is one change');
      await fs.writeFile(path.join(paths.dataDir, 'unrelated.json'), '{}');
      await sleep(900);
      assert.equal(calls, 1, 'other files of .brightrun are not the records');
    } finally {
      watch.close();
    }
    await writeRecordsBuild(tmp.dir, makeRecords('completion', 5), 'b3');
    await sleep(900);
    assert.equal(calls, 1, 'closed: no more calls');
  });
});
