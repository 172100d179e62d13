import * as assert from 'node:assert/strict';
import { doing, processDeathError } from '../../../src/core/extract/processDeath';
import { LIMIT_MARKER } from '../../../src/core/extract/workerProtocol';

const marker = (usedMb: number) => `some output\n${LIMIT_MARKER}${JSON.stringify({ budget: 'memory', usedMb, limitMb: 3072 })}\n`;
const crash = { code: null, signal: 'SIGABRT' as const, output: 'native stack…' };

describe('what a pool process death means, per stage (processDeath.ts)', () => {
  it('extraction and records keep their wording', () => {
    assert.equal(doing('extract'), 'extracting');
    assert.equal(doing('records'), 'building its records');
    const e = processDeathError('docs/a.pdf', 3072, true, undefined, crash, 'extract');
    assert.equal(e.code, 'EXTRACTION_CRASHED');
    assert.match(e.message, /^Extracting docs\/a\.pdf crashed its parser process \(signal SIGABRT\)/);
    const m = processDeathError('docs/a.pdf', 3072, true, undefined, { code: null, signal: 'SIGKILL', output: marker(3500) }, 'extract');
    assert.equal(m.code, 'RESOURCE_LIMIT');
    assert.match(m.message, /^docs\/a\.pdf: extracting it used 3,500 MB of memory, over the 3,072 MB memory budget\.$/);
    const r = processDeathError('docs/b.md', 3072, true, undefined, { code: 134, signal: null, output: '' }, 'records');
    assert.equal(r.code, 'WORKER_CRASHED');
    assert.match(r.message, /^Building the records of docs\/b\.md crashed its worker process \(exit code 134\)/);
  });

  it('an export names the export, says nothing was published, and what to do', () => {
    const c = processDeathError('sft', 3072, true, undefined, crash, 'export');
    assert.equal(c.code, 'WORKER_CRASHED');
    assert.equal(c.file, 'sft');
    assert.equal(c.message, 'Export "sft" crashed its worker process (signal SIGABRT); nothing was published and its temporary folder was removed.');
    assert.match(c.remedy, /^Export again\. .*brightrun\.export\.maxMemoryMB/);
    assert.equal(c.detail, 'native stack…');
    const heap = processDeathError('sft', 4096, true, undefined, { code: 134, signal: null, output: 'FATAL ERROR: Reached heap limit Allocation failed' }, 'export');
    assert.equal(heap.code, 'RESOURCE_LIMIT');
    assert.equal(heap.message, 'Export "sft" was stopped: exporting filled the JavaScript heap, over the 4,096 MB memory budget. Nothing was published.');
    assert.match(heap.remedy, /fewer formats.*rowGroupRows.*brightrun\.export\.maxMemoryMB/);
    const stalled = processDeathError('sft', 3072, true, { budget: 'time', what: 'exporting it made no progress for 180 s', limit: 'the limit on time without progress' }, { code: null, signal: 'SIGKILL', output: '' }, 'export');
    assert.equal(stalled.code, 'RESOURCE_LIMIT');
    assert.equal(stalled.message, 'Export "sft" was stopped: exporting it made no progress for 180 s, over the limit on time without progress. Nothing was published.');
    assert.match(stalled.remedy, /^Export again/);
  });

  it('a verification names the version folder', () => {
    const c = processDeathError('sft/1.0.0', 3072, true, undefined, crash, 'verify');
    assert.equal(c.code, 'WORKER_CRASHED');
    assert.match(c.message, /^Verifying sft\/1\.0\.0 crashed its worker process \(signal SIGABRT\); the version was not changed\.$/);
    const m = processDeathError('sft/1.0.0', 3072, true, undefined, { code: null, signal: 'SIGKILL', output: marker(3100) }, 'verify');
    assert.equal(m.message, 'Verifying sft/1.0.0 was stopped: verifying used 3,100 MB of memory, over the 3,072 MB memory budget.');
    assert.match(m.remedy, /brightrun\.export\.maxMemoryMB/);
    const t = processDeathError('sft/1.0.0', 3072, true, { budget: 'time', what: 'verifying it made no progress for 180 s', limit: 'the limit on time without progress' }, { code: null, signal: 'SIGKILL', output: '' }, 'verify');
    assert.match(t.remedy, /^Verify again/);
  });

  it('a process that never came up is reported as such, in the stage family\'s code', () => {
    const e = processDeathError('sft', 3072, false, undefined, { code: 1, signal: null, output: 'Cannot find module' }, 'export');
    assert.equal(e.code, 'WORKER_CRASHED');
    assert.match(e.message, /^The worker process for sft stopped before it was ready \(exit code 1\)\.$/);
    assert.equal(processDeathError('a.pdf', 3072, false, undefined, { code: null, signal: null, output: 'spawn failed' }, 'count').code, 'EXTRACTION_CRASHED');
  });
});
