// Records as the Records view shows them: rows with short cells, a detail with the source span. No vscode import.
import { FLAG_EDITED, FLAG_EXCLUDED, sourceSpanView, type ExtractedDocument, type OverlaidRecord, type OverlayEntry, type RecordFacets, type RecordFilter, type TrainingRecord } from '../../core';
import type { RecordDetail, RecordFields, RecordRow, RecordsFacets, RecordsFilter } from '../../shared/protocol/records';

/** Characters of a list cell; the detail pane shows the whole record. */
export const CELL_CHARS = 240;

function cell(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > CELL_CHARS ? `${flat.slice(0, CELL_CHARS - 1)}…` : flat;
}

export function fieldsOf(r: TrainingRecord): RecordFields {
  switch (r.kind) {
    case 'completion':
      return { kind: 'completion', text: r.text };
    case 'instruction':
      return { kind: 'instruction', instruction: r.instruction, input: r.input, output: r.output };
    case 'chat':
      return { kind: 'chat', messages: r.messages.map((m) => ({ role: m.role, content: m.content })) };
  }
}

export function toRow(index: number, r: OverlaidRecord): RecordRow {
  const flags = r.flags ?? [];
  const cells = r.kind === 'completion' ? [cell(r.text)] : r.kind === 'instruction' ? [cell(r.instruction), cell(r.input), cell(r.output)] : [cell(r.messages.map((m) => `${m.role}: ${m.content}`).join(' · '))];
  return {
    index,
    id: r.id,
    kind: r.kind,
    ...(r.split ? { split: r.split } : {}),
    source: r.lineage.sourcePath,
    builder: r.lineage.builder,
    ...(r.tokens !== undefined ? { tokens: r.tokens } : {}),
    flags: flags.filter((f) => f !== FLAG_EXCLUDED && f !== FLAG_EDITED),
    excluded: flags.includes(FLAG_EXCLUDED),
    edited: flags.includes(FLAG_EDITED),
    cells,
  };
}

export function toDetail(index: number, r: OverlaidRecord, original: TrainingRecord | undefined, doc: ExtractedDocument | undefined, docError?: string): RecordDetail {
  const flags = r.flags ?? [];
  const l = r.lineage;
  let source: RecordDetail['source'];
  if (doc) {
    const v = sourceSpanView(doc, l);
    source = { before: v.before, span: v.span, after: v.after, cutBefore: v.cutBefore, cutAfter: v.cutAfter };
  } else {
    source = { error: docError ?? `The extracted text of ${l.sourcePath} is not available (removed or not extracted).` };
  }
  return {
    id: r.id,
    index,
    fields: fieldsOf(r),
    ...(flags.includes(FLAG_EDITED) && original ? { original: fieldsOf(original) } : {}),
    ...(r.split ? { split: r.split } : {}),
    ...(r.tokens !== undefined ? { tokens: r.tokens } : {}),
    flags: flags.filter((f) => f !== FLAG_EXCLUDED && f !== FLAG_EDITED),
    excluded: flags.includes(FLAG_EXCLUDED),
    lineage: {
      sourcePath: l.sourcePath,
      ...(l.page !== undefined ? { page: l.page } : {}),
      ...(l.slide !== undefined ? { slide: l.slide } : {}),
      span: l.span,
      headingPath: l.headingPath,
      builder: l.builder,
      paramsHash: l.paramsHash,
      ...(l.row !== undefined ? { row: l.row } : {}),
      ...(l.model !== undefined ? { model: l.model } : {}),
    },
    source,
  };
}

/** The protocol's filter as core's (same fields; the builder name is checked by equality only). */
export function toCoreFilter(f: RecordsFilter): RecordFilter {
  return f as RecordFilter;
}

export function toFacets(f: RecordFacets): RecordsFacets {
  return f;
}

/** One line per orphaned overlay entry, for the view. */
export function describeOrphan(e: OverlayEntry): { id: string; what: string } {
  const what = [e.excluded ? 'exclusion' : '', e.edit ? `${e.edit.kind} edit` : ''].filter(Boolean).join(' and ');
  return { id: e.id, what: `${what} saved ${e.updatedAt.slice(0, 16).replace('T', ' ')}` };
}
