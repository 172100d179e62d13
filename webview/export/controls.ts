import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { h } from '../shared/vscodeApi';

/**
 * Small form controls over the toolkit's elements, each labelled, and a place for a setting's problem beside it:
 * `errorSlot(field)` is filled by `showProblems` with the message and remedy of the problem whose field it is.
 */
type ValueElement = HTMLElement & { value: string };
type CheckElement = HTMLElement & { checked: boolean };

let nextFieldId = 1;

export function field(label: string, control: HTMLElement, fieldPath?: string, hint?: string): HTMLElement {
  const id = `f-${nextFieldId++}`;
  control.id = id;
  return h(
    'div',
    { className: 'form-field', ...(fieldPath ? { attrs: { 'data-field': fieldPath } } : {}) },
    h('label', { text: label, attrs: { for: id } }),
    control,
    ...(hint ? [h('span', { className: 'muted hint', text: hint })] : []),
    ...(fieldPath ? [errorSlot(fieldPath)] : []),
  );
}

export function errorSlot(fieldPath: string): HTMLElement {
  return h('div', { className: 'field-error', attrs: { 'data-error-for': fieldPath, role: 'alert', hidden: '' } });
}

export function textfield(value: string, onInput: (v: string) => void, opts: { placeholder?: string; label?: string; type?: string } = {}): ValueElement {
  const t = h('vscode-textfield' as 'input', { attrs: { ...(opts.placeholder ? { placeholder: opts.placeholder } : {}), ...(opts.label ? { 'aria-label': opts.label } : {}), ...(opts.type ? { type: opts.type } : {}) } }) as unknown as ValueElement;
  t.value = value;
  t.addEventListener('input', () => onInput(t.value));
  return t;
}

export function textarea(value: string, onInput: (v: string) => void, opts: { rows?: number; label?: string; placeholder?: string } = {}): ValueElement {
  const t = h('vscode-textarea' as 'textarea', { className: 'wide', attrs: { rows: String(opts.rows ?? 3), resize: 'vertical', ...(opts.label ? { 'aria-label': opts.label } : {}), ...(opts.placeholder ? { placeholder: opts.placeholder } : {}) } }) as unknown as ValueElement;
  t.value = value;
  t.addEventListener('input', () => onInput(t.value));
  return t;
}

export function select(value: string, choices: ReadonlyArray<readonly [string, string]>, onChange: (v: string) => void, label?: string): ValueElement {
  const s = h('vscode-single-select' as 'select', { attrs: label ? { 'aria-label': label } : {} }) as unknown as ValueElement;
  for (const [v, text] of choices) s.append(h('vscode-option' as 'option', { text, attrs: { value: v, ...(v === value ? { selected: '' } : {}) } }));
  s.addEventListener('change', () => onChange(s.value));
  return s;
}

export function checkbox(label: string, checked: boolean, onChange: (on: boolean) => void, title?: string): CheckElement {
  const c = h('vscode-checkbox' as 'input', { attrs: { label, ...(title ? { title } : {}) } }) as unknown as CheckElement;
  c.checked = checked;
  c.addEventListener('change', () => onChange(c.checked));
  return c;
}

/** A problem as the view shows it. */
export interface ShownProblem {
  field: string;
  message: string;
  remedy: string;
}

/**
 * Puts each problem into the error slot of its field (or the closest enclosing setting: `json.mapping.rename.text`
 * falls back to `json.mapping.rename`, then `json`), clearing the others; returns the problems no slot took.
 */
export function showProblems(root: HTMLElement, problems: readonly ShownProblem[]): ShownProblem[] {
  const slots = new Map<string, HTMLElement>();
  for (const el of root.querySelectorAll<HTMLElement>('[data-error-for]')) {
    slots.set(el.dataset.errorFor!, el);
    el.replaceChildren();
    el.hidden = true;
  }
  const left: ShownProblem[] = [];
  for (const p of problems) {
    let key = p.field;
    while (key && !slots.has(key)) key = key.includes('.') ? key.slice(0, key.lastIndexOf('.')) : '';
    const slot = key ? slots.get(key) : undefined;
    if (!slot) {
      left.push(p);
      continue;
    }
    slot.hidden = false;
    slot.append(h('span', { text: p.message }), ...(p.remedy ? [h('span', { className: 'remedy', text: ` ${p.remedy}` })] : []));
  }
  return left;
}
