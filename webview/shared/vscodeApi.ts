/** The webview side of the typed host channel: `post` only accepts the protocol's ToHost messages. */
interface VsCodeApi<TState> {
  postMessage(message: unknown): void;
  getState(): TState | undefined;
  setState(state: TState): void;
}

declare function acquireVsCodeApi<TState>(): VsCodeApi<TState>;

export function createChannel<ToHost, ToView, TState = unknown>(onMessage: (message: ToView) => void) {
  const api = acquireVsCodeApi<TState>();
  window.addEventListener('message', (event: MessageEvent) => onMessage(event.data as ToView));
  return {
    post: (message: ToHost) => api.postMessage(message),
    getState: () => api.getState(),
    setState: (state: TState) => api.setState(state),
  };
}

/** Small DOM builder: text always goes through textContent, never innerHTML. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { className?: string; text?: string; attrs?: Record<string, string> } = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.className) el.className = props.className;
  if (props.text !== undefined) el.textContent = props.text;
  for (const [k, v] of Object.entries(props.attrs ?? {})) el.setAttribute(k, v);
  for (const c of children) el.append(c);
  return el;
}

/** A toolkit button (<vscode-button>); secondary buttons for everything but the main action. */
export function button(label: string, onClick: () => void, opts: { secondary?: boolean; title?: string; small?: boolean } = {}): HTMLElement {
  const b = h('vscode-button' as 'button', { text: label, ...(opts.title ? { attrs: { title: opts.title } } : {}) });
  if (opts.secondary) b.setAttribute('secondary', '');
  if (opts.small) b.className = 'small';
  b.addEventListener('click', onClick);
  return b;
}

/** The message shown when no project is open, shared by the panels. */
export function noProject(app: HTMLElement): void {
  app.replaceChildren(h('p', { className: 'empty', text: 'No dataset project is open in this workspace.' }));
}
