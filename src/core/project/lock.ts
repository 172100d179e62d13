import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import { BrightRunError, throwIfAborted } from '../errors';
import { isProcessAlive } from '../fs/processAlive';
export { isProcessAlive };

/**
 * A lock file that serialises writes to a project between processes (two VS Code windows, a window and the
 * CLI). Held only around read-modify-write of state files, so it is short-lived; long work happens outside.
 *
 * A lock is stale when its holder is a dead process on this host, or when it is older than `staleMs` (a
 * holder on another host, or one that hung). Stale locks are broken by renaming them aside first, so two
 * processes that both judge the same lock stale cannot both take it.
 */
export interface LockOptions {
  /** Who holds it, for the message another process shows while waiting ("brightrun CLI", "VS Code"). */
  owner?: string;
  timeoutMs?: number;
  staleMs?: number;
  signal?: AbortSignal;
}

interface LockRecord {
  token: string;
  pid: number;
  host: string;
  owner: string;
  acquiredAt: string;
}

export interface HeldLock {
  readonly file: string;
  release(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_STALE_MS = 60_000;

export async function acquireLock(file: string, options: LockOptions = {}): Promise<HeldLock> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const record: LockRecord = { token: randomUUID(), pid: process.pid, host: os.hostname(), owner: options.owner ?? 'brightrun', acquiredAt: new Date().toISOString() };
  const deadline = Date.now() + timeoutMs;
  let delay = 10;
  let holder: LockRecord | undefined;
  for (;;) {
    throwIfAborted(options.signal);
    try {
      await fs.writeFile(file, JSON.stringify(record), { flag: 'wx' });
      return { file, release: () => releaseLock(file, record.token) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    holder = await readLockRecord(file);
    if (await isStale(file, holder, staleMs)) {
      await breakLock(file, holder);
      continue;
    }
    if (Date.now() >= deadline) break;
    await sleep(delay);
    delay = Math.min(delay * 2, 250);
  }
  const who = holder ? `${holder.owner} (process ${holder.pid} on ${holder.host}, since ${holder.acquiredAt})` : 'another process';
  throw new BrightRunError({
    code: 'LOCK_TIMEOUT',
    file,
    message: `The project is locked by ${who}.`,
    remedy: 'Wait for the other Bright Run window or CLI command to finish, then try again. If no other one is running, delete the lock file.',
  });
}

export async function withLock<T>(file: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
  const lock = await acquireLock(file, options);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

async function releaseLock(file: string, token: string): Promise<void> {
  const current = await readLockRecord(file);
  // Only remove our own lock: if ours was broken as stale, someone else's may be there now.
  if (current?.token === token) await fs.rm(file, { force: true });
}

async function readLockRecord(file: string): Promise<LockRecord | undefined> {
  try {
    const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<LockRecord>;
    if (typeof parsed.token === 'string' && typeof parsed.pid === 'number' && typeof parsed.host === 'string') {
      return { owner: 'unknown', acquiredAt: '?', ...parsed } as LockRecord;
    }
  } catch {
    // missing, or half-written by a holder that is creating it right now
  }
  return undefined;
}

async function isStale(file: string, holder: LockRecord | undefined, staleMs: number): Promise<boolean> {
  let ageMs: number;
  try {
    ageMs = Date.now() - (await fs.stat(file)).mtimeMs;
  } catch {
    return false; // gone already: the next attempt will take it
  }
  if (holder && holder.host === os.hostname() && !isProcessAlive(holder.pid)) return true;
  // An unreadable record is a holder mid-write; give it a moment before judging it abandoned.
  if (!holder) return ageMs > Math.min(staleMs, 5_000);
  return ageMs > staleMs;
}


async function breakLock(file: string, judged: LockRecord | undefined): Promise<void> {
  const aside = `${file}.stale-${randomUUID()}`;
  try {
    await fs.rename(file, aside);
  } catch {
    return; // someone else broke or released it first
  }
  const moved = await readLockRecord(aside);
  if (judged && moved && moved.token !== judged.token) {
    // We moved a fresh lock taken between our check and the rename: put it back unless a new one exists.
    await fs.link(aside, file).catch(() => undefined);
  }
  await fs.rm(aside, { force: true });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
