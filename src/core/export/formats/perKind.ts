import type { RecordKind } from '../../records/types';
import type { ExportContext } from '../types';

/**
 * Kinds of the build other than ctx.kind (empty for a build of one kind). The runner writes a mixed build kind by
 * kind into `<kind>/` sub-folders and gives each call every kind's counts (ctx.kinds), so a writer can tell: json (a
 * field mapping may name another kind's columns), llama-factory (entries named per kind).
 */
export function otherKinds(ctx: Pick<ExportContext, 'kind' | 'kinds'>): RecordKind[] {
  return (Object.keys(ctx.kinds ?? {}) as RecordKind[]).filter((k) => k !== ctx.kind).sort();
}
