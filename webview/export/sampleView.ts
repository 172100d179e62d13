import type { ExportPreviewView, ExportSampleView, SampleFileView } from '../../src/shared/protocol/exportPanel';
import { h } from '../shared/vscodeApi';

const SPLITS = ['train', 'validation', 'test'] as const;
/** Longest cell text shown in a row table (the full value is in the title). */
const CELL_CHARS = 400;

/** The split preview: records and tokens per split (and per kind when they mix), after exclusions. */
export function previewTable(preview: ExportPreviewView): HTMLElement {
  const mixed = preview.kinds.length > 1;
  const num = (n: number) => h('td', { className: 'num', text: n.toLocaleString() });
  const rows = SPLITS.map((s) => {
    const c = preview.splits[s];
    return h('tr', { attrs: { 'data-split': s } }, h('td', { text: s }), num(c.records), num(c.tokens), ...(mixed ? [h('td', { text: Object.entries(c.kinds).map(([k, n]) => `${k} ${n!.toLocaleString()}`).join(', ') })] : []));
  });
  const tokens = SPLITS.reduce((n, s) => n + preview.splits[s].tokens, 0);
  return h(
    'div',
    {},
    h(
      'table',
      { className: 'preview-table' },
      h('thead', {}, h('tr', {}, h('th', { text: 'Split' }), h('th', { className: 'num', text: 'Records' }), h('th', { className: 'num', text: 'Tokens' }), ...(mixed ? [h('th', { text: 'Kinds' })] : []))),
      h('tbody', {}, ...rows, h('tr', { className: 'total' }, h('td', { text: 'total' }), num(preview.total), num(tokens), ...(mixed ? [h('td', { text: preview.kinds.join(', ') + ' (one folder per kind)' })] : []))),
    ),
    h('p', { className: 'muted', text: `Build ${preview.build} · ${preview.builtAt.slice(0, 16).replace('T', ' ')} · ${preview.excluded.toLocaleString()} excluded record(s) left out · ${preview.edited.toLocaleString()} edited${preview.kinds.length === 1 ? ` · ${preview.kinds[0]} records` : ''}` }),
  );
}

/** A sample: per format, its data files as written (text, or rows as columns / features), then its other files folded. */
export function sampleView(sample: ExportSampleView): HTMLElement {
  if (!sample.records) return h('p', { className: 'muted', text: `The ${sample.split} split has no records.` });
  const sections = sample.formats.map((f) => {
    const data = f.files.filter((x) => x.role === 'data');
    const meta = f.files.filter((x) => x.role === 'meta');
    return h(
      'section',
      { className: 'sample-format', attrs: { 'data-format': f.format } },
      h('h3', { text: f.format }),
      ...(f.error ? [h('p', { className: 'error', attrs: { role: 'alert' }, text: `${f.error.message} ${f.error.remedy}` })] : []),
      ...data.map((file) => fileView(file, true)),
      ...meta.map((file) => fileView(file, false)),
    );
  });
  return h('div', { className: 'sample' }, h('p', { className: 'muted', text: `The first ${sample.records} record(s) of ${sample.split}, written by each format's own writer (records overlay applied).` }), ...sections);
}

function fileView(file: SampleFileView, open: boolean): HTMLElement {
  const facts = [`${file.bytes.toLocaleString()} bytes`, file.records !== undefined ? `${file.records} record(s)` : '', file.truncated ? 'cut for display' : ''].filter(Boolean).join(' · ');
  const body: HTMLElement[] = [];
  if (file.text !== undefined) body.push(h('pre', { className: 'sample-text', text: visibleControls(file.text) }));
  if (file.metadata) body.push(h('p', { className: 'muted', text: `metadata: ${Object.entries(file.metadata).map(([k, v]) => `${k}=${v}`).join(' · ')}` }));
  if (file.columns && file.rows) body.push(rowTable(file.columns, file.rows));
  const details = h('details', { className: 'sample-file' }, h('summary', {}, h('code', { text: file.path }), h('span', { className: 'muted', text: ` ${facts}` })), ...body);
  if (open) details.open = true;
  return details;
}

/** Binary rows as a table: a column per Parquet column / TFRecord feature / tensor, its type in the header. */
function rowTable(columns: ReadonlyArray<{ name: string; type: string }>, rows: readonly unknown[]): HTMLElement {
  const names = columns.map((c) => c.name);
  // safetensors: the header lists tensors, the rows hold each record's slices of them.
  const keys = rows.length && typeof rows[0] === 'object' && rows[0] !== null ? [...new Set(rows.flatMap((r) => Object.keys(r as object)))] : names;
  const typeOf = new Map(columns.map((c) => [c.name, c.type]));
  return h(
    'div',
    { className: 'table-scroll' },
    h(
      'table',
      { className: 'rows' },
      h('thead', {}, h('tr', {}, ...keys.map((k) => h('th', {}, h('span', { text: k }), ...(typeOf.has(k) ? [h('span', { className: 'muted type', text: ` ${typeOf.get(k)}` })] : []))))),
      h('tbody', {}, ...rows.map((r) => h('tr', {}, ...keys.map((k) => cell((r as Record<string, unknown>)[k]))))),
    ),
    ...(keys.join() !== names.join() ? [h('p', { className: 'muted', text: `Tensors: ${columns.map((c) => `${c.name} ${c.type}`).join(' · ')}` })] : []),
  );
}

function cell(value: unknown): HTMLElement {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const shown = text === undefined ? '' : text.length > CELL_CHARS ? `${text.slice(0, CELL_CHARS)}…` : text;
  return h('td', { text: visibleControls(shown), ...(text && text.length > CELL_CHARS ? { attrs: { title: text.slice(0, 5000) } } : {}) });
}

/** CR and tab made visible, so CSV line ends and delimiters read as written. */
function visibleControls(text: string): string {
  return text.replace(/\r/g, '␍').replace(/\t/g, '⇥\t');
}
