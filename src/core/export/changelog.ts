import type { ExportManifest, ExportParameters } from './manifest';
import { canonicalJson } from './manifest';
import type { RecordDiff } from './scan';

/** Names of the parameters that differ between two runs ("formats", "options.csv", …), sorted. */
export function changedParameters(before: ExportParameters | undefined, after: ExportParameters): string[] {
  if (!before) return [];
  const out: string[] = [];
  for (const key of ['formats', 'compression', 'lineageColumns'] as const) if (canonicalJson(before[key]) !== canonicalJson(after[key])) out.push(key);
  const files = new Set([...Object.keys(before.inputFiles ?? {}), ...Object.keys(after.inputFiles ?? {})]);
  for (const f of [...files].sort()) if (before.inputFiles?.[f] !== after.inputFiles?.[f]) out.push(`file of ${f}`);
  const formats = new Set([...Object.keys(before.options), ...Object.keys(after.options)]);
  for (const f of [...formats].sort()) {
    const b = (before.options as Record<string, unknown>)[f];
    const a = (after.options as Record<string, unknown>)[f];
    if (canonicalJson(b ?? {}) !== canonicalJson(a ?? {})) out.push(`options.${f}`);
  }
  return out;
}

/** What changed between two source lists. */
export interface SourceChanges {
  /** New paths, "path (sha256 prefix)". */
  added: string[];
  /** Paths gone. */
  removed: string[];
  /** Paths in both with other bytes, "path (old → new)". */
  changed: string[];
}

/** Sources added, removed and changed (same path, other bytes) between two source lists. */
export function sourceChanges(before: readonly { path: string; sha256: string }[] | undefined, after: readonly { path: string; sha256: string }[]): SourceChanges {
  const key = (s: { path: string; sha256: string }) => `${s.sha256} ${s.path}`;
  const b = new Set((before ?? []).map(key));
  const a = new Set(after.map(key));
  const newOnes = after.filter((s) => !b.has(key(s)));
  const goneOnes = (before ?? []).filter((s) => !a.has(key(s)));
  // A path on both sides with other bytes is one changed source, not one added and one removed.
  const goneByPath = new Map(goneOnes.map((s) => [s.path, s]));
  const newPaths = new Set(newOnes.map((s) => s.path));
  const short = (sha: string) => sha.slice(0, 12);
  return {
    added: newOnes.filter((s) => !goneByPath.has(s.path)).map((s) => `${s.path} (${short(s.sha256)})`),
    removed: goneOnes.filter((s) => !newPaths.has(s.path)).map((s) => `${s.path} (${short(s.sha256)})`),
    changed: newOnes.filter((s) => goneByPath.has(s.path)).map((s) => `${s.path} (${short(goneByPath.get(s.path)!.sha256)} → ${short(s.sha256)})`),
  };
}

/**
 * This version's CHANGELOG.md entry, followed by the previous version's CHANGELOG.md (newest first). Deterministic:
 * no dates (the records build time is given, as an input).
 */
export function renderChangelog(m: ExportManifest, diff: RecordDiff, sources: SourceChanges, previousText: string | undefined): string {
  const lines: string[] = [];
  if (!previousText) lines.push(`# Changelog of export "${m.name}"`, '');
  const why = m.previous === null ? 'first version' : m.changes.schemaChanged ? 'major: the schema or template changed' : diff.added ? 'minor: records added' : 'patch';
  lines.push(`## ${m.version} (${why})`, '', `Records build ${m.records.build} of ${m.records.builtAt}: ${m.records.total} record(s) (train ${m.records.splits.train}, validation ${m.records.splits.validation}, test ${m.records.splits.test}).`, '');
  if (m.previous !== null) {
    lines.push(`Compared with ${m.previous}:`, '');
    lines.push(...idList('Records added', diff.added, diff.addedIds), ...idList('Records removed', diff.removed, diff.removedIds), ...idList('Records changed', diff.changed, diff.changedIds));
    lines.push(...itemList('Sources added', sources.added), ...itemList('Sources removed', sources.removed), ...itemList('Sources changed', sources.changed));
    if (m.changes.parametersChanged.length) lines.push(`- Parameters changed: ${m.changes.parametersChanged.join(', ')}`);
    if (m.changes.schemaChanged) lines.push(`- Schema changed (record kinds, columns, field mapping or template)`);
    if (m.changes.previousDamaged) lines.push(`- Replaces ${m.previous}, whose files no longer match its manifest (${m.changes.previousDamaged}).`);
    for (const skipped of m.changes.skippedVersions ?? []) lines.push(`- Skipped ${skipped}`);
    if (!diff.added && !diff.removed && !diff.changed && !sources.added.length && !sources.removed.length && !sources.changed.length && !m.changes.parametersChanged.length && !m.changes.schemaChanged && !m.changes.previousDamaged) {
      lines.push('- Same records, sources and parameters; the files differ (a newer Bright Run writes them differently).');
    }
    lines.push('');
  }
  lines.push(`Formats: ${m.parameters.formats.join(', ')}${m.parameters.compression !== 'none' ? ` (${m.parameters.compression})` : ''}.`, '');
  let text = lines.join('\n');
  if (previousText) text += '\n' + previousText.replace(/^# Changelog[^\n]*\n\n/, '');
  if (!previousText) return text;
  return `# Changelog of export "${m.name}"\n\n` + text;
}

function idList(label: string, count: number, ids: readonly string[]): string[] {
  if (!count) return [];
  const more = count > ids.length ? ` and ${count - ids.length} more (compare the versions' lineage.jsonl)` : '';
  return [`- ${label}: ${count} — ${ids.join(', ')}${more}`];
}

function itemList(label: string, items: readonly string[]): string[] {
  if (!items.length) return [];
  const shown = items.slice(0, 50);
  return [`- ${label}: ${items.length} — ${shown.join(', ')}${items.length > shown.length ? ` and ${items.length - shown.length} more` : ''}`];
}
