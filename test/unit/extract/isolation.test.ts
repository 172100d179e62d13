import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { defaultPoolSize, ExtractionPool } from '../../../src/core';
import { useTempDir } from '../../support/tmp';

/**
 * The supervisor (ExtractionPool) against processes that die every way a parser can: each death fails only its
 * own file, with the code and remedy that say what happened, and the pool goes on with the next file.
 */
describe('extraction isolation: parser deaths are contained', function () {
  this.timeout(120_000);
  const tmp = useTempDir();
  const watchdogModule = path.join(__dirname, '..', '..', '..', 'src', 'core', 'extract', 'memoryWatchdog.js');

  /**
   * A stand-in extraction process that uses the real memory watchdog and behaves as the file's name says:
   * `ok-*` succeed; `abort` aborts the runtime (as a failed V8 CHECK or a native assertion does); `segv` dies of a
   * segmentation fault; `v8oom` prints V8's fatal out-of-memory message and aborts, as V8 does; `native` works
   * for a while, then fills native memory (Buffers) in a synchronous loop that never yields (the watchdog thread
   * stops it); `native-large` does so from its first moment; `native-async` fills native memory a chunk per event-loop turn (the main-thread sampler stops
   * it); `hang` never returns; `ok-pages` reports 5 pages over 2.25 s, longer than its base budget but well
   * inside the budget its pages earn.
   */
  async function standIn(): Promise<string> {
    const script = path.join(tmp.dir, 'host.js');
    await fs.writeFile(
      script,
      `const { startMemoryWatchdog, hostOptions } = require(${JSON.stringify(watchdogModule)});
       const watchdog = startMemoryWatchdog(hostOptions().memoryLimitMb);
       process.send({ type: 'ready' });
       // One file after the other, like the real process (the pool may send a small file behind a running one).
       let chain = Promise.resolve();
       process.on('message', (m) => { chain = chain.then(() => run(m)); });
       async function run(m) {
         if (m.type !== 'task' || m.stage !== 'extract') return;
         watchdog.setLimitMb(m.maxMemoryMB);
         const name = require('node:path').basename(m.input.file);
         if (name === 'abort') process.abort();
         if (name === 'segv') process.kill(process.pid, 'SIGSEGV');
         if (name === 'v8oom') {
           process.stderr.write('\\n<--- Last few GCs --->\\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\\n');
           process.abort();
         }
         const held = [];
         if (name === 'native') {
           await new Promise((r) => setTimeout(r, 600));
           for (;;) held.push(Buffer.alloc(16 * 1048576, 1));
         }
         if (name === 'native-large') for (;;) held.push(Buffer.alloc(16 * 1048576, 1));
         if (name === 'native-async') for (;;) {
           held.push(Buffer.alloc(16 * 1048576, 1));
           await new Promise((r) => setImmediate(r));
         }
         if (name === 'hang') for (;;);
         if (name === 'ok-pages') for (let done = 1; done <= 5; done++) {
           await new Promise((r) => setTimeout(r, 450));
           process.send({ type: 'progress', id: m.id, done, total: 5 });
         }
         process.send({ type: 'done', id: m.id, result: { text: name } });
       }`,
    );
    return script;
  }

  it('fails each dying file with its own code and remedy, and finishes the others', async () => {
    const pool = new ExtractionPool(1, 1, { workerScript: await standIn() });
    const names = ['ok-1', 'abort', 'ok-2', 'segv', 'v8oom', 'ok-3', 'native', 'native-large', 'native-async', 'hang', 'ok-4', 'ok-pages'];
    for (const n of names) await fs.writeFile(path.join(tmp.dir, n), 'x');
    try {
      // The hang gets a 2 s budget, the file that reports pages 1 s (its pages earn it more); the others a minute,
      // so that on a loaded machine the memory budget, not the time budget, is what stops the memory bombs.
      const seconds = (n: string) => (n === 'hang' ? 2 : n === 'ok-pages' ? 1 : 60);
      const results = await Promise.allSettled(names.map((n) => pool.extract(path.join(tmp.dir, n), { maxMemoryMB: 300, timeLimitSeconds: seconds(n) })));
      const by = Object.fromEntries(names.map((n, i) => [n, results[i]!]));
      for (const n of names.filter((x) => x.startsWith('ok-'))) {
        assert.equal(by[n]!.status, 'fulfilled', `${n} is extracted`);
        assert.equal((by[n] as PromiseFulfilledResult<{ text: string }>).value.text, n);
      }
      const reason = (n: string) => (by[n] as PromiseRejectedResult).reason as { code: string; message: string; remedy: string; detail?: string };
      for (const n of ['abort', 'segv']) {
        assert.equal(reason(n).code, 'EXTRACTION_CRASHED', n);
        assert.match(reason(n).message, /crashed its parser process \((signal SIG\w+|exit code \d+)\)/);
        assert.match(reason(n).remedy, /save a fresh copy, or remove it from the dataset/);
      }
      assert.equal(reason('v8oom').code, 'RESOURCE_LIMIT');
      assert.match(reason('v8oom').message, /filled the JavaScript heap, over the 300 MB memory budget/);
      for (const n of ['native', 'native-large', 'native-async']) {
        assert.equal(reason(n).code, 'RESOURCE_LIMIT', n);
        assert.match(reason(n).message, /used [\d,]+ MB of memory, over the 300 MB memory budget/);
        assert.match(reason(n).remedy, /extract\.maxMemoryMB in brightrun\.json/);
      }
      assert.equal(reason('hang').code, 'RESOURCE_LIMIT');
      assert.match(reason('hang').message, /took longer than 2 s, over its time budget/);
      assert.match(reason('hang').remedy, /extract\.timeLimitSeconds/);
    } finally {
      await pool.close();
    }
  });

  it('stops a real extraction over its memory budget; the same pool then extracts the next file', async () => {
    // ~40 MB of CSV: parsing it takes several hundred MB, far over a 256 MB budget
    const row = 'alpha,beta,gamma,delta,epsilon,zeta,eta,theta\n';
    const big = path.join(tmp.dir, 'big.csv');
    await fs.writeFile(big, row.repeat(Math.ceil((40 * 1048576) / row.length)));
    const small = path.join(tmp.dir, 'small.txt');
    await fs.writeFile(small, 'A small file.\n');
    const pool = new ExtractionPool(1, 1);
    try {
      await assert.rejects(pool.extract(big, { ocr: false, maxMemoryMB: 256 }), (e: { code?: string; message?: string }) => e.code === 'RESOURCE_LIMIT' && /over the 256 MB memory budget/.test(e.message ?? ''));
      const doc = await pool.extract(small, { ocr: false, maxMemoryMB: 256 });
      assert.equal(doc.text.trim(), 'A small file.');
    } finally {
      await pool.close();
    }
  });

  it('an extraction process whose pool is killed stops itself, even while a parser holds its main thread', async () => {
    // A pool process (a stand-in for the CLI) forks an extraction process, gives it a file that never returns,
    // and is then killed with SIGKILL: nothing is left to close the IPC channel, and the hung main thread could not
    // hear it anyway. The extraction process's watchdog thread notices its parent is gone and stops it.
    const script = await standIn();
    const pool = path.join(tmp.dir, 'pool.js');
    await fs.writeFile(path.join(tmp.dir, 'hang'), 'x');
    await fs.writeFile(
      pool,
      `const { fork } = require('node:child_process');
       const child = fork(${JSON.stringify(script)}, ['{}'], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
       child.on('message', (m) => {
         if (m.type !== 'ready') return;
         child.send({ type: 'task', id: 1, stage: 'extract', input: { file: ${JSON.stringify(path.join(tmp.dir, 'hang'))}, options: {} }, maxMemoryMB: 0 });
         setTimeout(() => process.send(child.pid), 200);
       });`,
    );
    const { fork } = await import('node:child_process');
    const parent = fork(pool, [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    const childPid = await new Promise<number>((resolve) => parent.once('message', (pid) => resolve(pid as number)));
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    assert.ok(alive(childPid), 'the extraction process is running its hung task');
    parent.kill('SIGKILL');
    const deadline = Date.now() + 5000;
    while (alive(childPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(!alive(childPid), 'the orphan stopped itself within 5 s');
  });

  it('sizes the pool by cores and by how many memory budgets the machine holds', () => {
    const GB = 1024 ** 3;
    assert.equal(defaultPoolSize(false, 3072, 16 * GB), Math.min(4, os.availableParallelism()), '16 GB × 0.75 holds four 3 GB budgets');
    assert.equal(defaultPoolSize(false, 3072, 2 * GB), 1, 'never fewer than one');
    assert.equal(defaultPoolSize(true, 256, 64 * GB), Math.max(1, os.availableParallelism() - 1), 'an editor keeps a core');
  });
});
