import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BrightRunError, fsError } from '../errors';
import { syncFiles, writeFileAtomic } from '../fs/atomicWrite';
import { Project } from '../project/project';
import type { SourceEntry } from '../project/sources';

/** One shard of n: `index` from 0 to count − 1 (a Kubernetes Indexed Job's JOB_COMPLETION_INDEX as it is). */
export interface Shard {
  index: number;
  count: number;
}

/** Parses `i/n` (0 ≤ i < n). */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count) {
    throw new BrightRunError({ code: 'INVALID_ARGUMENT', message: `--shard needs i/n with 0 ≤ i < n (got "${text}").`, remedy: 'For example --shard 0/3, --shard 1/3 and --shard 2/3 on three machines.' });
  }
  return { index, count };
}

/**
 * The shard a source belongs to, by its content hash: deterministic on every machine, and the same bytes under
 * two names land in the same shard (so they are extracted once).
 */
export function shardOf(sha256: string, count: number): number {
  return parseInt(sha256.slice(0, 12), 16) % count;
}

export function inShard(source: SourceEntry, shard: Shard | undefined): boolean {
  return !shard || shardOf(source.sha256, shard.count) === shard.index;
}

export interface MergeResult {
  /** Sources whose done or failed status came from a shard. */
  merged: number;
  /** Documents copied in (the others were there already: same content, same name). */
  documents: number;
  /** Sources a shard finished whose bytes have changed here since (re-added): left as they are here. */
  stale: string[];
}

const RANK: Record<SourceEntry['status'], number> = { queued: 0, extracting: 0, failed: 1, done: 2 };

/**
 * Merges the outputs of sharded runs (`brightrun extract --shard i/n` on copies of this project) into this
 * project: their documents are content-addressed files, copied in when missing (never a conflict: one name, one
 * content); their finished statuses are taken for sources that still have the same bytes here, done over failed
 * over queued. The source list is written once, under the lock.
 */
export async function mergeShards(project: Project, shardRoots: readonly string[]): Promise<MergeResult> {
  const result: MergeResult = { merged: 0, documents: 0, stale: [] };
  const best = new Map<string, SourceEntry>();
  const copied: string[] = [];
  await fs.mkdir(project.paths.documents, { recursive: true });
  for (const root of shardRoots) {
    const shard = await Project.open(root);
    for (const s of await shard.readSources()) {
      if (s.status !== 'done' && s.status !== 'failed') continue;
      if (s.status === 'done') {
        const name = `${s.sha256}.json`;
        const target = path.join(project.paths.documents, name);
        const present = await fs.access(target).then(() => true, () => false);
        if (!present) {
          const from = path.join(shard.paths.documents, name);
          let bytes: Buffer;
          try {
            bytes = await fs.readFile(from);
          } catch (err) {
            throw fsError(err, from, 'read');
          }
          await writeFileAtomic(target, bytes, { durable: false });
          copied.push(target);
          result.documents++;
        }
      }
      const prior = best.get(s.path);
      if (!prior || RANK[s.status] > RANK[prior.status]) best.set(s.path, s);
    }
  }
  await syncFiles(copied, project.paths.documents); // documents first, then the statuses that name them
  await project.updateSources((sources) => {
    let changed = false;
    const out = sources.map((s) => {
      const from = best.get(s.path);
      if (!from || RANK[from.status] <= RANK[s.status]) return s;
      // Only for the bytes this project has: a source re-added here with other bytes since stays as it is.
      if (from.sha256 !== s.sha256) {
        result.stale.push(s.path);
        return s;
      }
      changed = true;
      result.merged++;
      const { attempts: _a, ...rest } = from;
      return { ...rest, addedAt: s.addedAt };
    });
    return { sources: changed ? out : sources, result: undefined };
  });
  await project.log([{ level: 'info', stage: 'extract', message: `Merged ${shardRoots.length} shard(s): ${result.merged} source(s), ${result.documents} document(s) copied, ${result.stale.length} changed here since` }]);
  return result;
}
