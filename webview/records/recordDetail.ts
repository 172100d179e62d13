import type { ChatTurn, RecordDetail, RecordFields } from '../../src/shared/protocol/records';
import { button, h } from '../shared/vscodeApi';

export interface DetailActions {
  toggleExcluded(detail: RecordDetail): void;
  reveal(detail: RecordDetail): void;
  /** `null` drops the edit (back to the record as built). */
  save(detail: RecordDetail, fields: RecordFields | null): void;
}

const ROLES: ChatTurn['role'][] = ['system', 'user', 'assistant'];

/**
 * The selected record beside its source: fields (read-only, or in edit mode a form by kind), lineage, and the
 * extracted text around the span with the span highlighted.
 */
export function renderDetail(detail: RecordDetail | undefined, editing: boolean, actions: DetailActions, setEditing: (on: boolean) => void): HTMLElement {
  if (!detail) return h('section', { className: 'detail empty', attrs: { 'aria-label': 'Record' } }, h('p', { className: 'muted', text: 'Select a record to see it beside its source.' }));
  const l = detail.lineage;
  const where = [l.page !== undefined ? `page ${l.page}` : '', l.slide !== undefined ? `slide ${l.slide}` : '', l.row !== undefined ? `row ${l.row}` : '', `characters ${l.span.start}–${l.span.end}`].filter(Boolean).join(' · ');
  const badges = [detail.split ?? '', detail.tokens !== undefined ? `${detail.tokens} tokens` : '', ...detail.flags, detail.original ? 'edited' : '', detail.excluded ? 'excluded' : ''].filter(Boolean);
  const section = h(
    'section',
    { className: `detail${detail.excluded ? ' excluded' : ''}`, attrs: { 'aria-label': `Record ${detail.id}` } },
    h('h2', { text: `Record ${detail.id}` }),
    h('div', { className: 'badges' }, ...badges.map((b) => h('vscode-badge' as 'span', { text: b, attrs: { variant: 'counter' } }))),
    h(
      'div',
      { className: 'actions' },
      button(detail.excluded ? 'Include' : 'Exclude', () => actions.toggleExcluded(detail), { secondary: true, title: detail.excluded ? 'Put this record back into stats and exports' : 'Leave this record out of stats and exports (kept across rebuilds)' }),
      button('Reveal Source', () => actions.reveal(detail), { secondary: true, title: 'Open the extracted text with this span selected' }),
      ...(editing ? [] : [button('Edit', () => setEditing(true), { secondary: true })]),
      ...(detail.original && !editing ? [button('Revert to Built', () => actions.save(detail, null), { secondary: true, title: 'Drop your edit' })] : []),
    ),
    h('dl', { className: 'lineage' }, ...pair('Source', l.sourcePath), ...pair('Where', where), ...(l.headingPath.length ? pair('Headings', l.headingPath.join(' › ')) : []), ...pair('Builder', `${l.builder} (${l.paramsHash})${l.model ? ` · ${l.model}` : ''}`)),
    editing ? editor(detail, actions, setEditing) : fieldsView(detail.fields),
    h('h3', { text: 'Source span' }),
    sourceView(detail),
  );
  return section;
}

function pair(term: string, value: string): HTMLElement[] {
  return [h('dt', { text: term }), h('dd', { text: value })];
}

function fieldsView(f: RecordFields): HTMLElement {
  const block = (label: string, text: string) => h('div', { className: 'field' }, h('h3', { text: label }), h('pre', { text: text || '(empty)' }));
  if (f.kind === 'completion') return h('div', { className: 'fields' }, block('Text', f.text));
  if (f.kind === 'instruction') return h('div', { className: 'fields' }, block('Instruction', f.instruction), block('Input', f.input), block('Output', f.output));
  return h('div', { className: 'fields' }, ...f.messages.map((m, i) => block(`${i + 1}. ${m.role}`, m.content)));
}

function textarea(label: string, value: string, rows = 4): HTMLElement & { value: string } {
  const t = h('vscode-textarea' as 'textarea', { attrs: { label, 'aria-label': label, rows: String(rows), resize: 'vertical' } }) as unknown as HTMLElement & { value: string };
  t.value = value;
  t.className = 'edit-field';
  return t;
}

/** The edit form of one record: its kind's fields; chat turns can be added, removed and given a role. */
function editor(detail: RecordDetail, actions: DetailActions, setEditing: (on: boolean) => void): HTMLElement {
  const f = detail.fields;
  const form = h('form', { className: 'fields editing', attrs: { 'aria-label': 'Edit record' } });
  let collect: () => RecordFields;
  if (f.kind === 'completion') {
    const text = textarea('Text', f.text, 12);
    form.append(h('label', { text: 'Text' }), text);
    collect = () => ({ kind: 'completion', text: text.value });
  } else if (f.kind === 'instruction') {
    const fields = { instruction: textarea('Instruction', f.instruction, 3), input: textarea('Input', f.input, 3), output: textarea('Output', f.output, 8) };
    for (const [k, t] of Object.entries(fields)) form.append(h('label', { text: k[0]!.toUpperCase() + k.slice(1) }), t);
    collect = () => ({ kind: 'instruction', instruction: fields.instruction.value, input: fields.input.value, output: fields.output.value });
  } else {
    const turns: Array<{ role: HTMLSelectElement; content: HTMLElement & { value: string }; row: HTMLElement }> = [];
    const list = h('div', { className: 'turns' });
    const addTurn = (m: ChatTurn) => {
      const role = h('select', { attrs: { 'aria-label': 'Role' } }, ...ROLES.map((r) => h('option', { text: r, attrs: { value: r } })));
      role.value = m.role;
      const content = textarea(`Message ${turns.length + 1}`, m.content, 3);
      const row = h('div', { className: 'turn' }, role, content);
      const entry = { role, content, row };
      row.append(button('Remove', () => {
        turns.splice(turns.indexOf(entry), 1);
        row.remove();
      }, { secondary: true, small: true }));
      turns.push(entry);
      list.append(row);
    };
    f.messages.forEach(addTurn);
    form.append(list, button('Add Message', () => addTurn({ role: 'user', content: '' }), { secondary: true, small: true }));
    collect = () => ({ kind: 'chat', messages: turns.map((t) => ({ role: t.role.value as ChatTurn['role'], content: t.content.value })) });
  }
  form.addEventListener('submit', (e) => e.preventDefault());
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') setEditing(false);
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) actions.save(detail, collect());
  });
  form.append(h('div', { className: 'actions' }, button('Save', () => actions.save(detail, collect()), { title: 'Save the edit (Ctrl+Enter); kept across rebuilds' }), button('Cancel', () => setEditing(false), { secondary: true, title: 'Escape' })));
  return form;
}

function sourceView(detail: RecordDetail): HTMLElement {
  const s = detail.source;
  if ('error' in s) return h('p', { className: 'muted', text: s.error });
  const mark = h('mark', { text: s.span, attrs: { 'aria-label': 'the record\'s span' } });
  return h('pre', { className: 'source-span', attrs: { 'aria-label': 'Extracted text around the record' } }, ...(s.cutBefore ? ['…'] : []), s.before, mark, s.after, ...(s.cutAfter ? ['…'] : []));
}
