import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { throwIfAborted } from '../../errors';
import type { RecordKind, TrainingRecord } from '../../records/types';
import type { ExportContext, WrittenFile } from '../types';

/**
 * Writes a mixed build (ctx.kind 'mixed', ctx.kinds) one kind at a time into `<kind>/` sub-folders — the layout the
 * runner gives writers without `mixedKinds` (runExport.ts) — for a writer that must know every kind of the build
 * while writing one (json: a field mapping names columns of all kinds). Each call gets the kind's records, counts
 * and folder, and still `kinds`; the files come back with `<kind>/` prefixed and `kind` set. Progress is cumulative.
 */
export async function writeEachKind(ctx: ExportContext, write: (sub: ExportContext) => Promise<WrittenFile[]>): Promise<WrittenFile[]> {
  const kinds = (Object.keys(ctx.kinds ?? {}) as RecordKind[]).sort();
  const files: WrittenFile[] = [];
  let records = 0;
  let bytes = 0;
  for (const kind of kinds) {
    throwIfAborted(ctx.signal);
    const counts = ctx.kinds![kind]!;
    const dir = path.join(ctx.dir, kind);
    await fs.mkdir(dir, { recursive: true });
    const base = { records, bytes };
    const onProgress = ctx.onProgress;
    const written = await write({
      ...ctx,
      dir,
      kind,
      counts,
      splits: ctx.splits.filter((s) => counts[s] > 0),
      records: (split) => ofKind(ctx.records(split), kind),
      ...(onProgress ? { onProgress: (p) => onProgress({ records: base.records + p.records, bytes: base.bytes + p.bytes }) } : {}),
    });
    for (const f of written) files.push({ ...f, path: `${kind}/${f.path}`, kind });
    records += counts.train + counts.validation + counts.test;
    bytes += written.reduce((n, f) => n + f.bytes, 0);
  }
  return files;
}

/** Kinds of the build other than ctx.kind (empty for a build of one kind). */
export function otherKinds(ctx: Pick<ExportContext, 'kind' | 'kinds'>): RecordKind[] {
  return (Object.keys(ctx.kinds ?? {}) as RecordKind[]).filter((k) => k !== ctx.kind).sort();
}

async function* ofKind(records: AsyncIterable<TrainingRecord>, kind: RecordKind): AsyncGenerator<TrainingRecord> {
  for await (const r of records) if (r.kind === kind) yield r;
}
