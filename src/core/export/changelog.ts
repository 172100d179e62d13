import type { ExportManifest, ExportParameters } from './manifest';
import { canonicalJson } from './manifest';
import type { RecordDiff } from './scan';

/** Names of the parameters that differ between two runs ("formats", "options.csv", …), sorted. */
export function changedParameters(before: ExportParameters | undefined, after: ExportParameters): string[] {
  if (!before) return [];
  const out: string[] = [];
  for (const key of ['formats', 'compression', 'lineageColumns'] as const) if (canonicalJson(before[key]) !== canonicalJson(after[key])) out.push(key);
  const formats = new Set([...Object.keys(before.options), ...Object.keys(after.options)]);
  for (const f of [...formats].sort()) {
    const b = (before.options as Record<string, unknown>)[f];
    const a = (after.options as Record<string, unknown>)[f];
    if (canonicalJson(b ?? {}) !== canonicalJson(a ?? {})) out.push(`options.${f}`);
  }
  return out;
}

/** Paths added and removed between two source lists. */
export function sourceChanges(before: readonly { path: string; sha256: string }[] | undefined, after: readonly { path: string; sha256: string }[]): { added: string[]; removed: string[] } {
  const key = (s: { path: string; sha256: string }) => `${s.sha256} ${s.path}`;
  const b = new Set((before ?? []).map(key));
  const a = new Set(after.map(key));
  return {
    added: after.filter((s) => !b.has(key(s))).map((s) => `${s.path} (${s.sha256.slice(0, 12)})`),
    removed: (before ?? []).filter((s) => !a.has(key(s))).map((s) => `${s.path} (${s.sha256.slice(0, 12)})`),
  };
}

/**
 * This version's CHANGELOG.md entry, followed by the previous version's CHANGELOG.md (newest first). Deterministic:
 * no dates (the records build time is given, as an input).
 */
export function renderChangelog(m: ExportManifest, diff: RecordDiff, sources: { added: string[]; removed: string[] }, previousText: string | undefined): string {
  const lines: string[] = [];
  if (!previousText) lines.push(`# Changelog of export "${m.name}"`, '');
  const why = m.previous === null ? 'first version' : m.changes.schemaChanged ? 'major: the schema or template changed' : diff.added ? 'minor: records added' : 'patch';
  lines.push(`## ${m.version} (${why})`, '', `Records build ${m.records.build} of ${m.records.builtAt}: ${m.records.total} record(s) (train ${m.records.splits.train}, validation ${m.records.splits.validation}, test ${m.records.splits.test}).`, '');
  if (m.previous !== null) {
    lines.push(`Compared with ${m.previous}:`, '');
    lines.push(...idList('Records added', diff.added, diff.addedIds), ...idList('Records removed', diff.removed, diff.removedIds), ...idList('Records changed', diff.changed, diff.changedIds));
    lines.push(...itemList('Sources added', sources.added), ...itemList('Sources removed', sources.removed));
    if (m.changes.parametersChanged.length) lines.push(`- Parameters changed: ${m.changes.parametersChanged.join(', ')}`);
    if (m.changes.schemaChanged) lines.push(`- Schema changed (record kinds, columns or field mapping)`);
    if (!diff.added && !diff.removed && !diff.changed && !sources.added.length && !sources.removed.length && !m.changes.parametersChanged.length && !m.changes.schemaChanged) {
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
