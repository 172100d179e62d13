import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { PreviewDoc, PreviewPage, PreviewToHost, PreviewToView } from '../../src/shared/protocol/preview';
import { button, createChannel, h } from '../shared/vscodeApi';

interface UiState {
  path?: string;
  page?: number;
}

let nextId = 1;
let current: PreviewDoc | undefined;
const app = document.getElementById('app')!;
const channel = createChannel<PreviewToHost, PreviewToView, UiState>((message) => {
  if (message.type === 'doc') {
    current = message.doc;
    if (message.doc) channel.setState({ ...channel.getState(), path: message.doc.path });
    render(message.message);
  } else if (message.type === 'reply' && !message.ok) {
    app.prepend(h('p', { className: 'error', attrs: { role: 'alert' }, text: message.error }));
  }
});

/** Low OCR confidence is shaded so a reader checks those pages first. */
function shade(page: PreviewPage): string {
  if (page.source !== 'ocr' || page.confidence === undefined) return '';
  return page.confidence < 60 ? 'conf-low' : page.confidence < 80 ? 'conf-mid' : 'conf-high';
}

function render(message?: string): void {
  app.replaceChildren();
  const doc = current;
  if (!doc) {
    app.append(h('p', { className: 'empty', text: message ?? 'Loading…' }));
    return;
  }
  const state = channel.getState() ?? {};
  const index = Math.min(Math.max(0, (state.page ?? 1) - 1), doc.pages.length - 1);
  const page = doc.pages[index]!;
  const go = (n: number) => {
    channel.setState({ ...state, path: doc.path, page: n });
    render();
  };
  const select = h('select', { attrs: { 'aria-label': `Go to ${doc.unit}` } }, ...doc.pages.map((p) => {
    const o = h('option', { text: `${doc.unit} ${p.number}${p.source === 'ocr' ? ` · OCR ${p.confidence ?? '?'}%` : p.source === 'none' ? ' · no text' : ''}`, attrs: { value: String(p.number) } });
    if (p.number === page.number) o.setAttribute('selected', '');
    return o;
  }));
  select.addEventListener('change', () => go(Number((select as HTMLSelectElement).value)));
  app.append(
    h('header', {}, h('h1', { text: doc.path }), h('div', { className: 'actions' }, button('Open as Text', () => channel.post({ type: 'request', id: nextId++, method: 'openText' }), { secondary: true }), button('Open Source', () => channel.post({ type: 'request', id: nextId++, method: 'reveal' }), { secondary: true }))),
    h('details', { attrs: { open: '' } }, h('summary', { text: 'Metadata' }), h('table', { className: 'meta' }, h('tbody', {}, ...doc.metadata.map(([k, v]) => h('tr', {}, h('th', { text: k }), h('td', { text: v })))))),
    ...(doc.warnings.length ? [h('section', { className: 'warnings', attrs: { 'aria-label': 'Warnings' } }, h('h2', { text: `Warnings (${doc.warnings.length})` }), h('ul', {}, ...doc.warnings.map((w) => h('li', { text: w }))))] : []),
    ...(doc.pages.length > 1
      ? [h('nav', { className: 'pager' }, button('‹ Previous', () => go(page.number - 1), { secondary: true }), select, button('Next ›', () => go(page.number + 1), { secondary: true }))]
      : []),
    h(
      'section',
      { className: `page ${shade(page)}`, attrs: { 'aria-label': `${doc.unit} ${page.number}` } },
      ...(page.source === 'ocr' ? [h('p', { className: 'muted', text: `OCR · confidence ${page.confidence ?? '?'}%${page.rotation ? ` · turned ${page.rotation}° upright` : ''}` })] : []),
      h('pre', { text: page.text || '(no text on this page)' }),
    ),
    ...(doc.truncated ? [h('p', { className: 'muted', text: 'The text is cut here for display; "Open as Text" shows all of it.' })] : []),
  );
}

channel.post({ type: 'ready' });
