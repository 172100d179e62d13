import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import type { OverviewAction, OverviewState, OverviewToHost, OverviewToView } from '../../src/shared/protocol/overview';
import { button, createChannel, h, noProject } from '../shared/vscodeApi';

interface UiState {
  last?: OverviewState;
}

let nextId = 1;
const app = document.getElementById('app')!;
const channel = createChannel<OverviewToHost, OverviewToView, UiState>((message) => {
  if (message.type === 'state') {
    channel.setState({ ...(message.state ? { last: message.state } : {}) });
    render(message.state);
  } else if (message.type === 'reply' && !message.ok) {
    showError(message.error);
  }
});

function run(action: OverviewAction): void {
  channel.post({ type: 'run', id: nextId++, action });
}

const action = (label: string, a: OverviewAction, secondary = false) => button(label, () => run(a), { secondary });

function render(state: OverviewState | undefined): void {
  if (!state) return noProject(app);
  app.replaceChildren();
  const d = state.documents;
  app.append(
    h('header', {}, h('h1', { text: state.name }), h('p', { className: 'muted', text: state.root })),
    ...(state.description ? [h('p', { text: state.description })] : []),
    h(
      'section',
      { className: 'counts', attrs: { 'aria-label': 'Documents by status' } },
      ...(
        [
          ['Queued', d.queued],
          ['Extracting', d.extracting],
          ['Done', d.done],
          ['Failed', d.failed],
        ] as const
      ).map(([label, n]) => h('div', { className: `count ${label.toLowerCase()}` }, h('span', { className: 'n', text: String(n) }), h('span', { text: label }))),
    ),
    h('p', { className: 'muted', text: `${state.sources} document(s), ${state.bytes}` }),
    h('div', { className: 'actions' }, action('Add Documents…', 'addDocuments'), action('Extract', 'extract', true), action('Show Log', 'showLog', true)),
  );
  if (state.recentSources.length) {
    const rows = state.recentSources.map((s) =>
      h('tr', {}, h('td', { text: s.path, attrs: { title: s.error ?? s.path } }), h('td', { className: `status ${s.status}`, text: s.status }), h('td', { className: 'num', text: s.size })),
    );
    app.append(
      h('h2', { text: 'Recent documents' }),
      h('table', {}, h('thead', {}, h('tr', {}, h('th', { text: 'Path' }), h('th', { text: 'Status' }), h('th', { className: 'num', text: 'Size' }))), h('tbody', {}, ...rows)),
    );
  }
}

function showError(message: string): void {
  app.prepend(h('p', { className: 'error', attrs: { role: 'alert' }, text: message }));
}

const saved = channel.getState();
if (saved?.last) render(saved.last); // instant paint after a reload, refreshed once the host answers
channel.post({ type: 'ready' });
