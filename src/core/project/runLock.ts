import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BrightRunError } from '../errors';
import { acquireLock, type HeldLock } from './lock';

/**
 * A lock held for the whole of a long run (a records build, a generation run), so that a second run of the same
 * kind — another VS Code window, the CLI, a scheduled job — is refused at once with who holds it, instead of
 * doing the same work twice (twice the model calls, for `records generate`) and racing to publish.
 *
 * It is the project's lock file mechanism (lock.ts: created exclusively, broken when its holder is a dead process
 * on this host or when it was not touched for `staleMs`), kept fresh by touching it every `staleMs / 3` while the
 * run goes on, so a run of any length keeps it and a run on another host that died loses it within `staleMs`.
 */
export interface RunLockOptions {
  /** Who runs it, as another process will name it: "VS Code", "brightrun CLI". */
  owner?: string;
  /** Milliseconds without a touch after which another process may break the lock. Default 60,000. */
  staleMs?: number;
}

/** Kinds of run, each with its own lock file `.brightrun/<kind>.run.lock`. */
export type RunKind = 'records';

const WHAT: Record<RunKind, string> = { records: 'A records build or generation' };

/**
 * Runs `fn` holding the run lock of `kind` in the project's data folder. Throws RUN_IN_PROGRESS, naming the
 * holder, when another run of that kind holds it (no waiting).
 */
export async function withRunLock<T>(dataDir: string, kind: RunKind, options: RunLockOptions, fn: () => Promise<T>): Promise<T> {
  const file = path.join(dataDir, `${kind}.run.lock`);
  const staleMs = options.staleMs ?? 60_000;
  await fs.mkdir(dataDir, { recursive: true });
  let lock: HeldLock;
  try {
    lock = await acquireLock(file, { owner: options.owner ?? 'brightrun', timeoutMs: 0, staleMs });
  } catch (err) {
    if (!(err instanceof BrightRunError) || err.code !== 'LOCK_TIMEOUT') throw err;
    const holder = err.message.replace(/^The project is locked by /, '').replace(/\.$/, '');
    throw new BrightRunError(
      { code: 'RUN_IN_PROGRESS', file, message: `${WHAT[kind]} is running already: ${holder}.`, remedy: 'Wait for it to finish (or cancel it where it runs), then run again. If no other one is running, delete the lock file.' },
      { cause: err },
    );
  }
  const touch = setInterval(() => {
    const now = new Date();
    fs.utimes(file, now, now).catch(() => undefined);
  }, Math.max(1_000, Math.floor(staleMs / 3)));
  touch.unref();
  try {
    return await fn();
  } finally {
    clearInterval(touch);
    await lock.release();
  }
}
