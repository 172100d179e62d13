import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { DraftProblem, ExportDraft, ExportPanelRequest, ExportPanelState, ExportPanelToHost, ExportPanelToView, ExportPreviewView, ExportSplit } from '../../src/shared/protocol/exportPanel';
import { button, createChannel, h, noProject } from '../shared/vscodeApi';
import { checkbox, errorSlot, field, select, showProblems, textfield } from './controls';
import { formatOptions } from './formatOptions';
import { mappingEditor } from './mappingEditor';
import { previewTable, sampleView } from './sampleView';

/** What survives hiding the panel or reloading the window (getState / setState). */
interface UiState {
  draft?: ExportDraft;
  /** The profile of brightrun.json the draft was opened from; absent for a new one. */
  replacing?: string;
  split?: ExportSplit;
  limit?: number;
}

type Reply = Extract<ExportPanelToView, { type: 'reply' }>;


let nextId = 1;
let state: ExportPanelState | undefined;
let preview: ExportPreviewView | undefined;
let problems: DraftProblem[] = [];
let mappingKinds = '';
const ui: UiState = {};
const waiting = new Map<number, (reply: Reply) => void>();
const app = document.getElementById('app')!;

const channel = createChannel<ExportPanelToHost, ExportPanelToView, UiState>((m) => {
  switch (m.type) {
    case 'state':
      state = m.state;
      if (!state) return noProject(app);
      if (!ui.draft || !app.querySelector('.export-form')) {
        ui.draft ??= state.profiles[0] ? structuredClone(state.profiles[0]) : newDraft();
        if (ui.replacing === undefined && state.profiles.some((p) => p.name === ui.draft!.name)) ui.replacing = ui.draft.name;
        renderShell();
        schedule();
      } else renderHeader();
      return;
    case 'preview':
      renderPreview(m);
      return;
    case 'reply': {
      const done = waiting.get(m.id);
      waiting.delete(m.id);
      done?.(m);
      return;
    }
  }
});

function request(message: ExportPanelRequest, done: (reply: Reply) => void): number {
  const id = nextId++;
  waiting.set(id, done);
  channel.post({ ...message, id } as unknown as ExportPanelToHost);
  return id;
}

const persist = () => channel.setState({ ...ui });
/** Sample sizes offered (the protocol allows up to MAX_SAMPLE_REQUEST). */
const LIMITS = [1, 3, 5, 10, 20];
/** The picker's "New profile…" entry: no profile name can start with '_' (isValidExportName). */
const NEW_PROFILE = '_new';

function newDraft(): ExportDraft {
  const taken = new Set(state?.profiles.map((p) => p.name) ?? []);
  let name = 'default';
  for (let n = 2; taken.has(name); n++) name = `export-${n}`;
  return { name, formats: ['jsonl'], compression: 'none', lineageColumns: false, options: {} };
}

// ── layout: header, profile, form, preview, sample, actions ──
const headerEl = h('header');
const profileEl = h('section', { className: 'profile', attrs: { 'aria-label': 'Export profile' } });
let formEl = h('div', { className: 'export-form' });
const previewEl = h('section', { attrs: { 'aria-label': 'Split preview' } });
const sampleEl = h('div');
const generalEl = h('div', { attrs: { role: 'alert' } });
const statusEl = h('p', { className: 'muted status', attrs: { role: 'status' } });

function renderShell(): void {
  renderHeader();
  renderProfile();
  renderForm();
  const sampleControls = h(
    'div',
    { className: 'row' },
    field('Split', select(ui.split ?? 'train', [['train', 'train'], ['validation', 'validation'], ['test', 'test']], (v) => {
      ui.split = v as ExportSplit;
      persist();
      requestSample();
    }, 'Split of the sample')),
    field('Records', select(String(ui.limit ?? 5), LIMITS.map((n): [string, string] => [String(n), String(n)]), (v) => {
      ui.limit = Number(v);
      persist();
      requestSample();
    }, 'Records in the sample')),
  );
  const actions = h(
    'div',
    { className: 'actions' },
    button('Export', () => runExport(), { title: 'Export these settings as a new version under exports/<name>/ (a background job you can cancel)' }),
    button('Save Profile', () => save(), { secondary: true, title: 'Write this profile into brightrun.json (exports[])' }),
    button('Recount', () => channel.post({ type: 'recount' }), { secondary: true, title: 'Count the records again' }),
  );
  app.replaceChildren(
    headerEl,
    profileEl,
    generalEl,
    formEl,
    h('h2', { text: 'Split preview' }),
    previewEl,
    actions,
    statusEl,
    h('h2', { text: 'Sample of rendered records' }),
    sampleControls,
    sampleEl,
  );
  if (!previewEl.childElementCount) previewEl.append(h('p', { className: 'muted', text: 'Counting…' }));
}

function renderHeader(): void {
  const s = state!;
  headerEl.replaceChildren(
    h('h1', { text: `Export — ${s.project}` }),
    h('p', { className: 'muted', text: s.build ? `Records build ${s.build.id} of ${s.build.builtAt.slice(0, 16).replace('T', ' ')}` : 'No records have been built yet.' }),
    ...(s.exporting ? [h('p', { className: 'busy', text: s.exporting })] : []),
  );
  renderProfile();
}

function renderProfile(): void {
  const s = state!;
  const draft = ui.draft!;
  const choices: Array<[string, string]> = [...s.profiles.map((p): [string, string] => [p.name, `${p.name} — ${p.formats.join(', ')}`]), [NEW_PROFILE, 'New profile…']];
  const picker = select(ui.replacing ?? NEW_PROFILE, choices, (v) => {
    if (v === NEW_PROFILE) {
      ui.draft = newDraft();
      delete ui.replacing;
    } else {
      ui.draft = structuredClone(s.profiles.find((p) => p.name === v)!);
      ui.replacing = v;
    }
    persist();
    renderProfile();
    renderForm();
    schedule();
  }, 'Export profile');
  const name = textfield(draft.name, (v) => {
    draft.name = v.trim();
    changed();
  }, { label: 'Export name', placeholder: 'folder under exports/' });
  profileEl.replaceChildren(
    h('div', { className: 'row' }, field('Profile (brightrun.json)', picker), field('Name', name, 'name', 'The folder under exports/; each export is a new version in it.')),
  );
  showAll();
}

function columnsForMapping(): string[] {
  const kinds = preview?.kinds.length ? preview.kinds : (['completion', 'instruction', 'chat'] as const);
  const cols = [...new Set(kinds.flatMap((k) => state!.columns[k] ?? []))];
  return ui.draft!.lineageColumns ? [...cols, ...state!.lineageColumns] : cols;
}

function renderForm(): void {
  const draft = ui.draft!;
  mappingKinds = preview?.kinds.join() ?? '';
  const formats = state!.formats.map((f) => {
    const on = draft.formats.includes(f.name);
    const box = checkbox(f.name, on, (checked) => {
      draft.formats = state!.formats.map((x) => x.name).filter((n) => (n === f.name ? checked : draft.formats.includes(n)));
      changed(true);
    }, f.description);
    const options = on ? formatOptions(draft, f.name, { changed, pickTemplate }) : undefined;
    const mapping = on && f.name === 'json' ? mappingEditor(draft, columnsForMapping(), changed) : undefined;
    return h('div', { className: `format${on ? ' on' : ''}`, attrs: { 'data-format': f.name } }, h('div', { className: 'format-head' }, box, h('span', { className: 'muted', text: f.description })), ...(options ? [options] : []), ...(mapping ? [mapping] : []), errorSlot(f.name));
  });
  const next = h(
    'div',
    { className: 'export-form' },
    h('h2', { text: 'Formats' }),
    h('div', { className: 'formats', attrs: { 'data-field': 'formats' } }, ...formats, errorSlot('formats')),
    h('h2', { text: 'Every format' }),
    h(
      'div',
      { className: 'row' },
      field('Compression', select(draft.compression ?? 'none', [['none', 'none'], ['gzip', 'gzip (.gz: JSON, JSONL, CSV, TFRecord)']], (v) => {
        draft.compression = v as 'none' | 'gzip';
        changed();
      }, 'Compression'), 'compression'),
      h('div', { className: 'form-field', attrs: { 'data-field': 'lineageColumns' } }, checkbox('Lineage columns (source_path, page, span_start, span_end)', draft.lineageColumns === true, (on) => {
        draft.lineageColumns = on;
        changed(true);
      }, 'lineage.jsonl is written either way'), errorSlot('lineageColumns')),
    ),
  );
  formEl.replaceWith(next);
  formEl = next;
  showAll();
}

function renderPreview(m: Extract<ExportPanelToView, { type: 'preview' }>): void {
  if (m.preview) {
    preview = m.preview;
    previewEl.replaceChildren(previewTable(m.preview));
    if (ui.draft?.formats.includes('json') && preview.kinds.join() !== mappingKinds && app.querySelector('.export-form')) renderForm();
  } else if (m.counting) {
    const of = m.counting.total ? ` of ${m.counting.total.toLocaleString()}` : '';
    const busy = h('p', { className: 'muted', text: `Counting… ${m.counting.done.toLocaleString()}${of} records read` });
    if (preview) previewEl.replaceChildren(busy, previewTable(preview));
    else previewEl.replaceChildren(busy);
  } else if (m.error) {
    preview = undefined;
    previewEl.replaceChildren(h('p', { className: 'error', text: m.error }));
  }
}

// ── requests ──
let timer: ReturnType<typeof setTimeout> | undefined;
/** After an edit: validate and sample again once typing pauses. */
function schedule(): void {
  clearTimeout(timer);
  timer = setTimeout(() => {
    validate();
    requestSample();
  }, 400);
}

function changed(structural = false): void {
  persist();
  if (structural) renderForm();
  schedule();
}

function validate(): void {
  request({ type: 'validate', draft: ui.draft!, ...(ui.replacing ? { replacing: ui.replacing } : {}) }, (r) => {
    if (r.method !== 'validate') return;
    problems = r.problems;
    showAll();
  });
}

function showAll(): void {
  const left = showProblems(app, problems);
  generalEl.replaceChildren(...left.map((p) => h('p', { className: 'error', text: `${p.message} ${p.remedy}`.trim() })));
}

let sampleId = 0;
function requestSample(): void {
  sampleEl.replaceChildren(h('p', { className: 'muted', text: 'Rendering…' }), ...Array.from(sampleEl.querySelectorAll('.sample')));
  sampleId = request({ type: 'sample', draft: ui.draft!, split: ui.split ?? 'train', limit: ui.limit ?? 5 }, (r) => {
    if (r.method !== 'sample' || r.id !== sampleId) return;
    if (r.sample) sampleEl.replaceChildren(sampleView(r.sample));
    else sampleEl.replaceChildren(h('p', { className: 'error', text: r.error ?? 'No sample.' }));
  });
}

function pickTemplate(option: 'recordFile' | 'headerFile' | 'footerFile', done: (path: string | undefined) => void): void {
  request({ type: 'pickTemplate', option }, (r) => r.method === 'pickTemplate' && done(r.path));
}

function save(): void {
  statusEl.textContent = 'Saving…';
  request({ type: 'save', draft: ui.draft!, ...(ui.replacing ? { replacing: ui.replacing } : {}) }, (r) => {
    if (r.method !== 'save') return;
    problems = r.problems;
    showAll();
    if (r.saved) {
      ui.replacing = ui.draft!.name;
      persist();
      statusEl.textContent = `Saved profile "${ui.draft!.name}" in brightrun.json.`;
    } else statusEl.textContent = r.error ?? 'Not saved: fix the problems shown above.';
  });
}

function runExport(): void {
  statusEl.textContent = `Exporting "${ui.draft!.name}"… (progress and Cancel in the notification)`;
  request({ type: 'export', draft: ui.draft!, ...(ui.replacing ? { replacing: ui.replacing } : {}) }, (r) => {
    if (r.method !== 'export') return;
    if (r.problems) {
      problems = r.problems;
      showAll();
    }
    if (r.result) statusEl.textContent = r.result.status === 'published' ? `Published ${r.result.name} ${r.result.version} (exports/${r.result.name}/${r.result.version}); it is under Exports in the Bright Run view.` : `Unchanged: ${r.result.name} ${r.result.version} already holds these files.`;
    else statusEl.textContent = r.problems?.length ? 'Not exported: fix the problems shown above.' : (r.error ?? 'Not exported.');
  });
}

const restored = channel.getState();
if (restored) Object.assign(ui, restored);
if (ui.limit !== undefined && !LIMITS.includes(ui.limit)) delete ui.limit;
channel.post({ type: 'ready' });
