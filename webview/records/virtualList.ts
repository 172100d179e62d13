import type { RecordRow } from '../../src/shared/protocol/records';
import { h } from '../shared/vscodeApi';

/** Height of one row in CSS pixels (fixed: positions are index × ROW_HEIGHT, no measuring). */
export const ROW_HEIGHT = 26;
/** Rows per page asked from the host. */
export const PAGE_SIZE = 100;
/** Rows rendered above and below the visible ones, so a fast scroll shows no blank gap. */
const OVERSCAN = 15;

export interface Column {
  title: string;
  className: string;
  value: (row: RecordRow) => string;
}

export interface VirtualListEvents {
  /** Pages the list needs and does not have; the owner asks the host and calls `setRows`. */
  needPages(pages: number[]): void;
  select(row: RecordRow | undefined, index: number): void;
  /** Delete / Enter on the selected row. */
  toggleExcluded(row: RecordRow): void;
  reveal(row: RecordRow): void;
}

/**
 * A list of `count` rows that keeps only the visible ones (plus OVERSCAN) in the DOM: a spacer of count ×
 * ROW_HEIGHT gives the scrollbar its size, and rows are placed with transforms. Rows arrive in pages from the host;
 * missing ones show as placeholders until they come. Keyboard: ↑ ↓ PgUp PgDn Home End move the selection, Delete
 * excludes / includes, Enter reveals the source. ARIA: a listbox whose options carry their position in the set.
 */
export class VirtualList {
  readonly element: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly header: HTMLElement;
  private count = 0;
  private columns: Column[] = [];
  private pages = new Map<number, RecordRow[]>();
  private requested = new Set<number>();
  private selected = -1;
  private frame = 0;

  constructor(private readonly events: VirtualListEvents) {
    this.header = h('div', { className: 'vlist-header', attrs: { 'aria-hidden': 'true' } });
    this.spacer = h('div', { className: 'vlist-spacer' });
    this.element = h('div', { className: 'vlist', attrs: { role: 'listbox', tabindex: '0', 'aria-label': 'Records (arrow keys move, Delete excludes or includes, Enter reveals the source)' } }, this.header, this.spacer);
    this.element.addEventListener('scroll', () => this.schedule());
    this.element.addEventListener('keydown', (e) => this.onKey(e));
    new ResizeObserver(() => this.schedule()).observe(this.element);
  }

  /** A new result: `count` rows, none loaded yet. The selection is kept by position when still in range. */
  reset(count: number, columns: Column[]): void {
    this.count = count;
    this.columns = columns;
    this.pages.clear();
    this.requested.clear();
    if (this.selected >= count) this.selected = count - 1;
    this.spacer.style.height = `${count * ROW_HEIGHT}px`;
    this.header.replaceChildren(...this.rowCells({ title: true }));
    this.element.setAttribute('aria-rowcount', String(count));
    this.schedule();
  }

  setRows(start: number, rows: RecordRow[]): void {
    for (let i = 0; i < rows.length; i++) {
      const index = start + i;
      const page = Math.floor(index / PAGE_SIZE);
      let list = this.pages.get(page);
      if (!list) this.pages.set(page, (list = []));
      list[index - page * PAGE_SIZE] = rows[i]!;
    }
    this.schedule();
  }

  get selectedIndex(): number {
    return this.selected;
  }

  rowAt(index: number): RecordRow | undefined {
    return this.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  }

  /** Selects a row by position, scrolls it into view and tells the owner. */
  select(index: number, notify = true): void {
    if (this.count === 0) return;
    this.selected = Math.max(0, Math.min(this.count - 1, index));
    // Rows sit below the sticky header (one row high) in scroll coordinates.
    const top = (this.selected + 1) * ROW_HEIGHT;
    if (top < this.element.scrollTop + ROW_HEIGHT) this.element.scrollTop = top - ROW_HEIGHT;
    else if (top + ROW_HEIGHT > this.element.scrollTop + this.element.clientHeight) this.element.scrollTop = top + ROW_HEIGHT - this.element.clientHeight;
    this.schedule();
    if (notify) this.events.select(this.rowAt(this.selected), this.selected);
  }

  get scrollTop(): number {
    return this.element.scrollTop;
  }

  set scrollTop(value: number) {
    this.element.scrollTop = value;
  }

  private schedule(): void {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.render());
  }

  private render(): void {
    this.frame = 0;
    const first = Math.max(0, Math.floor(this.element.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.count - 1, Math.ceil((this.element.scrollTop + this.element.clientHeight) / ROW_HEIGHT) + OVERSCAN);
    const missing: number[] = [];
    for (let p = Math.floor(first / PAGE_SIZE); p <= Math.floor(last / PAGE_SIZE) && last >= 0; p++) {
      if (!this.pages.has(p) && !this.requested.has(p)) {
        this.requested.add(p);
        missing.push(p);
      }
    }
    if (missing.length) this.events.needPages(missing);
    const rows: HTMLElement[] = [];
    for (let i = first; i <= last; i++) rows.push(this.rowElement(i));
    this.spacer.replaceChildren(...rows);
    if (this.selected >= 0) this.element.setAttribute('aria-activedescendant', `rec-${this.selected}`);
    else this.element.removeAttribute('aria-activedescendant');
  }

  private rowElement(index: number): HTMLElement {
    const row = this.rowAt(index);
    const el = h('div', { className: `vrow${index === this.selected ? ' selected' : ''}${row?.excluded ? ' excluded' : ''}${row ? '' : ' loading'}`, attrs: { id: `rec-${index}`, role: 'option', 'aria-selected': String(index === this.selected), 'aria-posinset': String(index + 1), 'aria-setsize': String(this.count) } }, ...this.rowCells({ row }));
    el.style.transform = `translateY(${index * ROW_HEIGHT}px)`;
    if (row) el.setAttribute('aria-label', `${row.kind} record ${index + 1} of ${this.count}, ${row.split ?? ''}${row.excluded ? ', excluded' : ''}${row.edited ? ', edited' : ''}: ${row.cells.join(' — ').slice(0, 200)}`);
    el.addEventListener('click', () => {
      this.element.focus();
      this.select(index);
    });
    return el;
  }

  private rowCells(opts: { title?: boolean; row?: RecordRow }): HTMLElement[] {
    return this.columns.map((c) => {
      const text = opts.title ? c.title : opts.row ? c.value(opts.row) : '';
      return h('span', { className: `vcell ${c.className}`, text, ...(text && !opts.title ? { attrs: { title: text } } : {}) });
    });
  }

  private onKey(e: KeyboardEvent): void {
    const visible = Math.max(1, Math.floor(this.element.clientHeight / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: visible, PageUp: -visible };
    if (e.key in moves) this.select((this.selected < 0 ? 0 : this.selected) + (this.selected < 0 ? 0 : moves[e.key]!));
    else if (e.key === 'Home') this.select(0);
    else if (e.key === 'End') this.select(this.count - 1);
    else if (e.key === 'Delete' || e.key === 'Enter') {
      const row = this.rowAt(this.selected);
      if (row) (e.key === 'Delete' ? this.events.toggleExcluded : this.events.reveal)(row);
    } else return;
    e.preventDefault();
  }
}
