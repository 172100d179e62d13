import { DictLeaf, Int32Leaf, type Leaf, ListLevels, TextLeaf } from './parquetLeaves';

/**
 * The columns of an export's Parquet files and the open row group that holds them (issue #11).
 *
 * Column shapes: `text` — a UTF8 string written PLAIN (`id`, `text`, `instruction`, `input`, `output`; long
 * free text that rarely repeats); `dict` — a UTF8 string that repeats (`kind`, `source_path`), dictionary-encoded;
 * `int32` — the lineage numbers; `messages` — the three-level LIST `list<struct<role, content>>` whose leaves are
 * `messages.list.element.role` (dictionary) and `messages.list.element.content` (PLAIN). A column may be OPTIONAL
 * (null or undefined values allowed); the export's own columns are all REQUIRED (rows hold no nulls, rows.ts).
 */

export type ColumnShape = 'text' | 'dict' | 'int32' | 'messages';

export interface ColumnSpec {
  name: string;
  shape: ColumnShape;
  optional: boolean;
  /** Min/max statistics in the footer (only `id`: min/max of long texts cost time and say little). */
  statistics: boolean;
}

/** Long free-text columns, written PLAIN. */
export const PLAIN_COLUMNS: ReadonlySet<string> = new Set(['text', 'instruction', 'input', 'output']);
const INT32_COLUMNS: ReadonlySet<string> = new Set(['page', 'span_start', 'span_end']);

/** The spec of each column name the export writes; names in `optional` become OPTIONAL (not `messages`). */
export function columnSpecs(columns: readonly string[], optional: readonly string[] = []): ColumnSpec[] {
  return columns.map((name) => {
    const shape: ColumnShape = name === 'messages' ? 'messages' : INT32_COLUMNS.has(name) ? 'int32' : PLAIN_COLUMNS.has(name) || name === 'id' ? 'text' : 'dict';
    return { name, shape, optional: shape !== 'messages' && optional.includes(name), statistics: name === 'id' };
  });
}

interface Message {
  role: string;
  content: string;
}

/** A column's leaves (one, or role and content for `messages`). */
interface ColumnState {
  spec: ColumnSpec;
  leaf: Leaf;
  content?: TextLeaf;
  list?: ListLevels;
}

/**
 * The open row group, kept leaf by leaf in page layout as rows are added (parquetLeaves.ts): a row is taken
 * apart when added, so its objects die young and nothing per value is held until the group is written. After the
 * group's pages are written, `reset()` empties it for the next one, keeping its buffers.
 */
export class RowGroupColumns {
  /** Rows in the open group. */
  rows = 0;
  /** UTF-16 units of text in the open group (the `rowGroupChars` budget). */
  chars = 0;
  private readonly state: ColumnState[];

  constructor(readonly specs: readonly ColumnSpec[]) {
    this.state = specs.map((spec): ColumnState => {
      const levels = spec.optional ? ({ kind: 'optional' } as const) : ({ kind: 'required' } as const);
      switch (spec.shape) {
        case 'text':
          return { spec, leaf: new TextLeaf([spec.name], levels) };
        case 'dict':
          return { spec, leaf: new DictLeaf([spec.name], levels) };
        case 'int32':
          return { spec, leaf: new Int32Leaf([spec.name], levels) };
        case 'messages': {
          const list = new ListLevels();
          const path = [spec.name, 'list', 'element'];
          const nested = { kind: 'list', list } as const;
          return { spec, leaf: new DictLeaf([...path, 'role'], nested), content: new TextLeaf([...path, 'content'], nested), list };
        }
      }
    });
  }

  /** The leaves in schema order (each column's, `messages` as role then content). */
  leaves(): { leaf: Leaf; statistics: boolean }[] {
    return this.state.flatMap((s) => (s.content ? [{ leaf: s.leaf, statistics: false }, { leaf: s.content, statistics: false }] : [{ leaf: s.leaf, statistics: s.spec.statistics }]));
  }

  /**
   * Adds a row as parquetRow makes it: strings, INT32 numbers, `messages` lists of {role, content}. Throws a
   * TypeError naming the column for a null in a REQUIRED column or a value of the wrong type.
   */
  add(row: Readonly<Record<string, unknown>>): void {
    for (const s of this.state) {
      const v = row[s.spec.name];
      if (v === null || v === undefined) {
        if (!s.spec.optional) throw new TypeError(`Parquet column "${s.spec.name}" is required but the row has ${String(v)}.`);
        s.leaf.pushNull();
        continue;
      }
      switch (s.spec.shape) {
        case 'text':
          this.chars += (s.leaf as TextLeaf).push(str(s.spec.name, v));
          break;
        case 'dict':
          this.chars += (s.leaf as DictLeaf).push(str(s.spec.name, v));
          break;
        case 'int32':
          if (typeof v !== 'number' || !Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new TypeError(`Parquet column "${s.spec.name}" holds INT32, not ${String(v)}.`);
          (s.leaf as Int32Leaf).push(v);
          break;
        case 'messages':
          this.addMessages(s, v as readonly Message[]);
          break;
      }
    }
    this.rows++;
  }

  private addMessages(s: ColumnState, list: readonly Message[]): void {
    const roles = s.leaf as DictLeaf;
    const contents = s.content!;
    if (!Array.isArray(list)) throw new TypeError(`Parquet column "${s.spec.name}" holds a list of {role, content}, not ${typeof list}.`);
    s.list!.push(list.length);
    for (const m of list) {
      this.chars += roles.append(str(`${s.spec.name}.role`, m.role)) + contents.append(str(`${s.spec.name}.content`, m.content));
    }
    roles.endRow();
    contents.endRow();
  }

  /** Empties the group after its pages are written (the leaves keep their buffers for the next group). */
  reset(): void {
    for (const s of this.state) {
      s.leaf.reset();
      s.content?.reset();
      s.list?.reset();
    }
    this.rows = 0;
    this.chars = 0;
  }

  /** Lets the leaves' text blocks go (the file is closed). */
  release(): void {
    for (const s of this.state) {
      if (s.leaf instanceof TextLeaf) s.leaf.release();
      s.content?.release();
    }
  }
}

function str(column: string, v: unknown): string {
  if (typeof v !== 'string') throw new TypeError(`Parquet column "${column}" holds strings, not ${typeof v}.`);
  return v;
}
