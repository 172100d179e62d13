import * as assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { acquireLock, isProcessAlive, withLock } from '../../../src/core/project/lock';
import { useTempDir } from '../../support/tmp';

const run = promisify(execFile);
const worker = path.join(__dirname, '..', '..', 'support', 'lockWorker.js');

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('project lock', () => {
  const tmp = useTempDir();
  const lockFile = () => path.join(tmp.dir, 'lock');

  it('serialises read-modify-write between processes (no lost updates)', async function () {
    this.timeout(60_000);
    const counter = path.join(tmp.dir, 'counter');
    await fs.writeFile(counter, '0');
    await Promise.all([1, 2, 3].map(() => run(process.execPath, [worker, lockFile(), counter, '25'])));
    assert.equal(await fs.readFile(counter, 'utf8'), '75');
    await assert.rejects(fs.access(lockFile()), 'the lock is released at the end');
  });

  it('waits for a holder in the same process, then takes the lock', async () => {
    const order: string[] = [];
    const first = await acquireLock(lockFile());
    const second = withLock(lockFile(), {}, async () => {
      order.push('second');
    });
    await new Promise((r) => setTimeout(r, 50));
    order.push('first-release');
    await first.release();
    await second;
    assert.deepEqual(order, ['first-release', 'second']);
  });

  it('times out with a message naming the holder', async () => {
    const held = await acquireLock(lockFile(), { owner: 'VS Code' });
    await assert.rejects(acquireLock(lockFile(), { timeoutMs: 100 }), (e: Error & { code?: string; remedy?: string }) => {
      assert.equal(e.code, 'LOCK_TIMEOUT');
      assert.match(e.message, /VS Code \(process \d+ on /);
      assert.match(e.remedy ?? '', /Wait/);
      return true;
    });
    await held.release();
  });

  it('recovers a stale lock left by a killed process on this host', async () => {
    const pid = deadPid();
    assert.equal(isProcessAlive(pid), false);
    await fs.writeFile(lockFile(), JSON.stringify({ token: 'old', pid, host: os.hostname(), owner: 'killed', acquiredAt: 'then' }));
    const lock = await acquireLock(lockFile(), { timeoutMs: 1000 });
    const record = JSON.parse(await fs.readFile(lockFile(), 'utf8'));
    assert.equal(record.pid, process.pid);
    await lock.release();
    assert.deepEqual((await fs.readdir(tmp.dir)).filter((f) => f.startsWith('lock')), []);
  });

  it('recovers a lock from another host once it is older than staleMs', async () => {
    await fs.writeFile(lockFile(), JSON.stringify({ token: 'x', pid: process.pid, host: 'elsewhere', owner: 'remote', acquiredAt: 'then' }));
    const old = new Date(Date.now() - 120_000);
    await fs.utimes(lockFile(), old, old);
    const lock = await acquireLock(lockFile(), { timeoutMs: 500, staleMs: 60_000 });
    await lock.release();
  });

  it('treats an unreadable lock as in-progress first, then as abandoned', async () => {
    await fs.writeFile(lockFile(), '{"tok');
    await assert.rejects(acquireLock(lockFile(), { timeoutMs: 50 }), { code: 'LOCK_TIMEOUT' });
    const old = new Date(Date.now() - 10_000);
    await fs.utimes(lockFile(), old, old);
    const lock = await acquireLock(lockFile(), { timeoutMs: 500 });
    await lock.release();
  });

  it('does not release a lock it no longer owns', async () => {
    const lock = await acquireLock(lockFile());
    await fs.writeFile(lockFile(), JSON.stringify({ token: 'someone-else', pid: process.pid, host: os.hostname() }));
    await lock.release();
    assert.match(await fs.readFile(lockFile(), 'utf8'), /someone-else/);
  });

  it('stops waiting when aborted', async () => {
    const held = await acquireLock(lockFile());
    const c = new AbortController();
    const waiting = acquireLock(lockFile(), { signal: c.signal, timeoutMs: 10_000 });
    setTimeout(() => c.abort(), 30);
    await assert.rejects(waiting, { code: 'CANCELLED' });
    await held.release();
  });

  it('releases the lock when the work throws', async () => {
    await assert.rejects(withLock(lockFile(), {}, async () => Promise.reject(new Error('work failed'))), /work failed/);
    await assert.rejects(fs.access(lockFile()));
  });

  it('reports a live process as alive', () => {
    assert.ok(isProcessAlive(process.pid));
  });
});
