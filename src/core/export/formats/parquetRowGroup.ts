import { DictLeaf, Int32Leaf, type Leaf, ListLevels, type PageCompressor, TextLeaf } from './parquetLeaves';

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
  /** One function per column that adds its value of a row and returns its UTF-16 units (each sees one leaf class only). */
  private readonly adders: ((row: Readonly<Record<string, unknown>>) => number)[];

  /** `compress`: the codec's page compressor (text pages are compressed as they fill); none for UNCOMPRESSED. */
  constructor(
    readonly specs: readonly ColumnSpec[],
    compress?: PageCompressor,
  ) {
    this.state = specs.map((spec): ColumnState => {
      const levels = spec.optional ? ({ kind: 'optional' } as const) : ({ kind: 'required' } as const);
      switch (spec.shape) {
        case 'text':
          return { spec, leaf: new TextLeaf([spec.name], levels, spec.statistics, compress) };
        case 'dict':
          return { spec, leaf: new DictLeaf([spec.name], levels) };
        case 'int32':
          return { spec, leaf: new Int32Leaf([spec.name], levels) };
        case 'messages': {
          const list = new ListLevels();
          const path = [spec.name, 'list', 'element'];
          const nested = { kind: 'list', list } as const;
          return { spec, leaf: new DictLeaf([...path, 'role'], nested), content: new TextLeaf([...path, 'content'], nested, false, compress), list };
        }
      }
    });
    this.adders = this.state.map(adder);
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
    const adders = this.adders;
    let chars = 0;
    for (let i = 0; i < adders.length; i++) chars += adders[i](row);
    this.chars += chars;
    this.rows++;
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

function adder(s: ColumnState): (row: Readonly<Record<string, unknown>>) => number {
  const { name, optional } = s.spec;
  const missing = (v: unknown): number => {
    if (!optional) throw new TypeError(`Parquet column "${name}" is required but the row has ${String(v)}.`);
    s.leaf.pushNull();
    return 0;
  };
  switch (s.spec.shape) {
    case 'text':
    case 'dict': {
      const leaf = s.leaf as TextLeaf | DictLeaf;
      return (row) => {
        const v = row[name];
        if (typeof v === 'string') return leaf.push(v);
        return v === null || v === undefined ? missing(v) : notA('strings', name, v);
      };
    }
    case 'int32': {
      const leaf = s.leaf as Int32Leaf;
      return (row) => {
        const v = row[name];
        if (typeof v === 'number' && (v | 0) === v) {
          leaf.push(v);
          return 0;
        }
        return v === null || v === undefined ? missing(v) : notA('INT32 numbers', name, v);
      };
    }
    case 'messages': {
      const roles = s.leaf as DictLeaf;
      const contents = s.content!;
      const list = s.list!;
      return (row) => {
        const v = row[name] as readonly Message[];
        if (!Array.isArray(v)) return notA('lists of {role, content}', name, v);
        list.push(v.length);
        let chars = 0;
        for (let i = 0; i < v.length; i++) {
          const { role, content } = v[i];
          if (typeof role !== 'string' || typeof content !== 'string') return notA('{role, content} strings', name, v[i]);
          chars += roles.append(role) + contents.append(content);
        }
        roles.endRow();
        contents.endRow();
        return chars;
      };
    }
  }
}

function notA(what: string, column: string, v: unknown): never {
  throw new TypeError(`Parquet column "${column}" holds ${what}, not ${v === null ? 'null' : typeof v}.`);
}
