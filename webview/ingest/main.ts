import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import type { IngestAction, IngestFile, IngestFileAction, IngestState, IngestToHost, IngestToView } from '../../src/shared/protocol/ingest';
import { button, createChannel, h, noProject } from '../shared/vscodeApi';

interface UiState {
  last?: IngestState;
}

let nextId = 1;
const app = document.getElementById('app')!;
const channel = createChannel<IngestToHost, IngestToView, UiState>((message) => {
  if (message.type === 'state') {
    channel.setState(message.state ? { last: message.state } : {});
    render(message.state);
  } else if (message.type === 'reply' && !message.ok) {
    showError(message.error);
  }
});

const run = (action: IngestAction) => channel.post({ type: 'run', id: nextId++, action });
const onFile = (action: IngestFileAction, path: string) => channel.post({ type: 'file', id: nextId++, action, path });

function render(state: IngestState | undefined): void {
  if (!state) return noProject(app);
  app.replaceChildren();
  const c = state.counts;
  const total = c.queued + c.extracting + c.done + c.failed;
  const status = state.running ? (state.paused ? 'Paused' : 'Extracting') : c.queued ? 'Waiting to start' : 'Idle';
  const bar = h('vscode-progress-bar' as 'div', { attrs: { value: String(state.percent), max: '100', 'aria-label': 'Overall progress' } });
  app.append(
    h('header', {}, h('h1', { text: `Ingestion — ${state.project}` }), h('p', { className: 'muted', text: `${status} · ${c.done} of ${total} done · ${c.failed} failed · ${c.queued} queued` })),
    h('section', { className: 'overall' }, bar, h('p', { className: 'muted', text: [`${state.percent}%`, state.throughput, state.eta].filter(Boolean).join(' · ') })),
    h(
      'div',
      { className: 'actions' },
      ...(state.running
        ? [state.paused ? button('Resume', () => run('resume')) : button('Pause', () => run('pause'), { secondary: true }), button('Cancel All', () => run('cancelAll'), { secondary: true })]
        : c.queued
          ? [button('Start', () => run('start'))]
          : []),
      ...(c.failed ? [button(`Retry ${c.failed} Failed`, () => run('retryFailed'), { secondary: true })] : []),
      button('Add Documents…', () => run('addDocuments'), { secondary: true }),
      button('Show Log', () => run('showLog'), { secondary: true }),
    ),
    dropZone(),
    table(state.files),
    ...(state.hidden ? [h('p', { className: 'muted', text: `… and ${state.hidden} more document(s) not listed.` })] : []),
  );
}

function dropZone(): HTMLElement {
  const zone = h('div', { className: 'drop', attrs: { tabindex: '0', role: 'button', 'aria-label': 'Drop files here to add them' } }, h('span', { text: 'Drop files or folders here (from the Explorer; hold Shift when dragging from your desktop) to add them to the dataset.' }));
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    const list = e.dataTransfer?.getData('text/uri-list') || e.dataTransfer?.getData('application/vnd.code.uri-list') || '';
    const uris = list.split(/\r?\n/).map((u) => u.trim()).filter((u) => u && !u.startsWith('#'));
    if (uris.length) channel.post({ type: 'drop', id: nextId++, uris });
    else showError('Nothing to add: drop files from the Explorer (or hold Shift while dragging from your desktop).');
  });
  zone.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') run('addDocuments');
  });
  return zone;
}

function table(files: IngestFile[]): HTMLElement {
  if (!files.length) return h('p', { className: 'empty', text: 'No documents yet. Add some to start.' });
  const rows = files.map((f) => {
    const progress = f.status === 'extracting' ? `${f.percent ?? 0}%` : f.status === 'done' ? '100%' : '';
    const details = f.error ? h('div', { className: 'error-text' }, h('strong', { text: `${f.error.code}: ` }), h('span', { text: `${f.error.message} ` }), h('em', { text: f.error.remedy })) : h('span', { className: 'muted', text: [f.format?.toUpperCase(), f.pages !== undefined ? `${f.pages} page(s)` : '', f.ocrPages ? `${f.ocrPages} OCR` : ''].filter(Boolean).join(' · ') });
    const actions = h('td', { className: 'row-actions' });
    if (f.status === 'failed') actions.append(button('Retry', () => onFile('retry', f.path), { small: true }));
    if (f.status === 'queued') actions.append(button('First', () => onFile('prioritize', f.path), { small: true, secondary: true, title: 'Extract this one next' }));
    if (f.status === 'queued' || f.status === 'extracting') actions.append(button('Cancel', () => onFile('cancel', f.path), { small: true, secondary: true }));
    if (f.status === 'done') actions.append(button('Preview', () => onFile('preview', f.path), { small: true, secondary: true }));
    return h(
      'tr',
      { className: `status-${f.status}` },
      h('td', { className: 'path', text: f.path, attrs: { title: f.path } }),
      h('td', { className: `status ${f.status}`, text: f.status }),
      h('td', { className: 'num', text: progress }),
      h('td', { className: 'num', text: f.duration ?? '' }),
      h('td', {}, details),
      actions,
    );
  });
  return h(
    'table',
    { attrs: { 'aria-label': 'Documents' } },
    h('thead', {}, h('tr', {}, ...['Document', 'Status', 'Progress', 'Time', 'Details', ''].map((t) => h('th', { text: t })))),
    h('tbody', {}, ...rows),
  );
}

function showError(message: string): void {
  app.prepend(h('p', { className: 'error', attrs: { role: 'alert' }, text: message }));
}

const saved = channel.getState();
if (saved?.last) render(saved.last);
channel.post({ type: 'ready' });
