import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { RecordDetail, RecordFields, RecordRow, RecordsAction, RecordsFilter, RecordsState, RecordsToHost, RecordsToView } from '../../src/shared/protocol/records';
import { button, createChannel, h, noProject } from '../shared/vscodeApi';
import { renderDetail } from './recordDetail';
import { PAGE_SIZE, VirtualList, type Column } from './virtualList';

interface UiState {
  filter?: RecordsFilter;
  scrollTop?: number;
  selectedId?: string;
}

let nextId = 1;
let query = 0;
let state: RecordsState | undefined;
let detail: RecordDetail | undefined;
let editing = false;
let matched = 0;
let status = '';
const saved: UiState = {};
const app = document.getElementById('app')!;

const channel = createChannel<RecordsToHost, RecordsToView, UiState>((m) => {
  switch (m.type) {
    case 'state':
      state = m.state;
      renderShell();
      return;
    case 'result':
      if (m.query !== query) return;
      matched = m.matched;
      status = '';
      list.reset(m.matched, columns());
      updateStatus();
      if (pendingScroll !== undefined) {
        list.scrollTop = pendingScroll;
        pendingScroll = undefined;
      }
      return;
    case 'searching':
      if (m.query !== query) return;
      status = `Searching… ${Math.round((100 * m.done) / Math.max(1, m.total))}%`;
      updateStatus();
      return;
    case 'rows':
      if (m.query !== query) return;
      list.setRows(m.start, m.rows);
      if (list.selectedIndex < 0 && saved.selectedId) {
        const at = m.rows.findIndex((r) => r.id === saved.selectedId);
        if (at >= 0) list.select(m.start + at);
      }
      return;
    case 'detail':
      if (detail?.id !== m.detail?.id) editing = false;
      detail = m.detail;
      renderDetailPane();
      return;
    case 'reply':
      if (!m.ok) showError(m.error);
      return;
  }
});

const persist = () => channel.setState({ ...saved });

const list = new VirtualList({
  needPages: (pages) => {
    for (const p of pages) channel.post({ type: 'rows', query, start: p * PAGE_SIZE, count: PAGE_SIZE });
  },
  select: (row) => {
    if (!row) return;
    saved.selectedId = row.id;
    persist();
    scheduleSelect(row.id);
  },
  toggleExcluded: (row) => run(row.excluded ? 'include' : 'exclude', [row.id]),
  reveal: (row) => run('reveal', [row.id]),
});
let pendingScroll: number | undefined;
let selectTimer: ReturnType<typeof setTimeout> | undefined;
list.element.addEventListener('scroll', () => {
  saved.scrollTop = list.scrollTop;
  persist();
});

/** Moving through the list with the keyboard asks for one detail when it stops, not one per row passed. */
function scheduleSelect(id: string): void {
  clearTimeout(selectTimer);
  selectTimer = setTimeout(() => channel.post({ type: 'select', recordId: id }), 80);
}

function run(action: RecordsAction, recordIds: string[] = []): void {
  channel.post({ type: 'run', id: nextId++, action, recordIds });
}

function filter(): RecordsFilter {
  return saved.filter ?? {};
}

function sendQuery(): void {
  query++;
  status = 'Filtering…';
  updateStatus();
  channel.post({ type: 'query', query, filter: filter() });
}

/** Columns by record kind: the kind's own fields when one kind is shown, kind + content when they mix. */
function columns(): Column[] {
  const kinds = state?.facets.kinds.filter(([, n]) => n > 0).map(([k]) => k) ?? [];
  const kind = filter().kind ?? (kinds.length === 1 ? kinds[0] : undefined);
  const lead: Column[] = [
    { title: '#', className: 'c-num', value: (r) => String(r.index + 1) },
    { title: 'Split', className: 'c-split', value: (r) => r.split ?? '' },
    { title: 'Tokens', className: 'c-num', value: (r) => (r.tokens !== undefined ? String(r.tokens) : '') },
  ];
  const content: Column[] =
    kind === 'instruction'
      ? [{ title: 'Instruction', className: 'c-text', value: (r) => r.cells[0] ?? '' }, { title: 'Input', className: 'c-short', value: (r) => r.cells[1] ?? '' }, { title: 'Output', className: 'c-text', value: (r) => r.cells[2] ?? '' }]
      : kind === 'chat'
        ? [{ title: 'Messages', className: 'c-text', value: (r) => r.cells[0] ?? '' }]
        : kind === 'completion'
          ? [{ title: 'Text', className: 'c-text', value: (r) => r.cells[0] ?? '' }]
          : [{ title: 'Kind', className: 'c-split', value: (r) => r.kind }, { title: 'Content', className: 'c-text', value: (r: RecordRow) => r.cells.join(' — ') }];
  const flags = (r: RecordRow) => [...r.flags, r.edited ? 'edited' : '', r.excluded ? 'excluded' : ''].filter(Boolean).join(', ');
  return [...lead, ...content, { title: 'Source', className: 'c-source', value: (r) => r.source }, { title: 'Flags', className: 'c-flags', value: flags }];
}

type Options = Array<[string, string]>;

function select(label: string, key: keyof RecordsFilter, options: Options): HTMLElement {
  const el = h('vscode-single-select' as 'select', { className: 'filter', attrs: { label, 'aria-label': label, title: label } }) as unknown as HTMLElement & { value: string };
  const current = (filter()[key] as string | undefined) ?? '';
  for (const [value, text] of options) el.append(h('vscode-option' as 'option', { text, attrs: { value, ...(value === current ? { selected: '' } : {}) } }));
  el.addEventListener('change', () => {
    const next = { ...filter() } as Record<string, string | undefined>;
    if (el.value) next[key] = el.value;
    else delete next[key];
    saved.filter = next as RecordsFilter;
    persist();
    sendQuery();
  });
  return el;
}

const counted = (list: Array<[string, number]>): Options => list.map(([v, n]) => [v, `${v} (${n.toLocaleString()})`]);

let statusLine: HTMLElement = h('span');
function updateStatus(): void {
  statusLine.textContent = status || `${matched.toLocaleString()} of ${(state?.facets.total ?? 0).toLocaleString()} records match`;
}

let detailPane: HTMLElement = h('div');
function renderDetailPane(): void {
  const next = renderDetail(detail, editing, {
    toggleExcluded: (d) => run(d.excluded ? 'include' : 'exclude', [d.id]),
    reveal: (d) => run('reveal', [d.id]),
    save: (d, fields: RecordFields | null) => {
      editing = false;
      channel.post({ type: 'edit', id: nextId++, recordId: d.id, fields });
    },
  }, (on) => {
    editing = on;
    renderDetailPane();
  });
  next.classList.add('pane');
  detailPane.replaceWith(next);
  detailPane = next;
}

function renderShell(): void {
  if (!state) return noProject(app);
  const s = state;
  const f = s.facets;
  const header = h(
    'header',
    {},
    h('h1', { text: `Records — ${s.project}` }),
    h('p', { className: 'muted', text: s.busy ?? (s.build ? `Build ${s.build.id} · ${s.build.builtAt.slice(0, 16).replace('T', ' ')} · ${f.total.toLocaleString()} records from ${s.build.documents} document(s) · ${f.excluded} excluded · ${f.edited} edited` : 'No records have been built yet.') }),
    h('div', { className: 'actions' }, button(s.build ? 'Rebuild Records' : 'Build Records', () => run('build'), { secondary: !!s.build }), button('Show Log', () => run('showLog'), { secondary: true })),
  );
  const orphans = s.orphans.length
    ? [h('details', { className: 'warnings', attrs: { role: 'note' } }, h('summary', { text: `${s.orphans.length} of your edits or exclusions match no record of this build (kept in .brightrun/records-overlay.jsonl; they apply again if the record comes back)` }), h('ul', {}, ...s.orphans.slice(0, 200).map((o) => h('li', { text: `${o.id}: ${o.what}` }))))]
    : [];
  const search = h('vscode-textfield' as 'input', { className: 'search', attrs: { placeholder: 'Search text or id', 'aria-label': 'Search records', type: 'search' } }) as unknown as HTMLElement & { value: string };
  search.value = filter().text ?? '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const text = search.value.trim();
      saved.filter = { ...filter(), ...(text ? { text } : {}) };
      if (!text) delete saved.filter.text;
      persist();
      sendQuery();
    }, 250);
  });
  const filters = h(
    'div',
    { className: 'filters', attrs: { role: 'search' } },
    search,
    select('Split', 'split', [['', 'All splits'], ...counted(Object.entries(f.splits))]),
    select('Kind', 'kind', [['', 'All kinds'], ...counted(f.kinds)]),
    select('Builder', 'builder', [['', 'All builders'], ...counted(f.builders)]),
    select('Source', 'source', [['', 'All sources'], ...counted(f.sources.slice(0, 500))]),
    select('Flag', 'flag', [['', 'Any flags'], ...counted(f.flags)]),
    select('Excluded', 'excluded', [['', `Excluded shown (${f.excluded})`], ['hide', 'Excluded hidden'], ['only', 'Only excluded']]),
  );
  statusLine = h('span', { className: 'muted status', attrs: { role: 'status' } });
  updateStatus();
  detailPane = h('div');
  const error = s.error ? [h('p', { className: 'error', attrs: { role: 'alert' }, text: s.error })] : [];
  app.replaceChildren(header, ...error, ...orphans, filters, statusLine, h('div', { className: 'records-main' }, h('div', { className: 'pane list-pane' }, list.element), detailPane));
  renderDetailPane();
  list.reset(matched, columns());
}

function showError(message: string): void {
  app.prepend(h('p', { className: 'error', attrs: { role: 'alert' }, text: message }));
}

const restored = channel.getState();
if (restored) Object.assign(saved, restored);
pendingScroll = saved.scrollTop;
channel.post({ type: 'ready' });
sendQuery();
