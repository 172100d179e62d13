import { Utf8Builder } from './utf8Block';

/** Long free-text columns: written PLAIN (no dictionary trial: their values rarely repeat). */
export const PLAIN_COLUMNS: ReadonlySet<string> = new Set(['text', 'instruction', 'input', 'output']);

/** A column as hyparquet-writer's `ParquetWriter.write` takes it. */
export interface ColumnData {
  name: string;
  data: unknown[];
  statistics: boolean;
  encoding?: 'PLAIN';
}

interface Message {
  role: string;
  content: string;
}

/**
 * The open row group of a Parquet file, kept column by column as rows are added (issue #11 performance): the
 * PLAIN text columns, `id` and message contents as UTF-8 bytes (utf8Block.ts), roles and the other columns as
 * values. A row is taken apart when added, so its objects are garbage at once rather than held until the group is
 * written. `take()` hands the columns to the writer: statistics only on `id` (min/max of long texts cost time and
 * say little; as bytes they compare in the byte order Parquet specifies for UTF8), PLAIN encoding on the long
 * text columns, the dictionary trial elsewhere (roles, `kind`, lineage paths repeat).
 */
export class RowGroupColumns {
  /** Rows in the open group. */
  rows = 0;
  /** UTF-16 units of text in the open group (the `rowGroupChars` budget). */
  chars = 0;
  private readonly bytes = new Map<string, Utf8Builder>();
  private values = new Map<string, unknown[]>();
  private messageCounts: number[] = [];
  private roles: string[] = [];
  private readonly contents = new Utf8Builder();

  constructor(private readonly columns: readonly string[]) {
    for (const c of columns) {
      if (PLAIN_COLUMNS.has(c) || c === 'id') this.bytes.set(c, new Utf8Builder());
      else if (c !== 'messages') this.values.set(c, []);
    }
  }

  /** Adds a row as parquetRow makes it (every column present; strings, INT32 numbers, `messages` lists). */
  add(row: Record<string, unknown>): void {
    for (const c of this.columns) {
      const v = row[c];
      const builder = this.bytes.get(c);
      if (builder) this.chars += builder.push(v as string);
      else if (c === 'messages') {
        const list = v as Message[];
        this.messageCounts.push(list.length);
        for (const m of list) {
          this.roles.push(m.role);
          this.chars += m.role.length + this.contents.push(m.content);
        }
      } else {
        this.values.get(c)!.push(v);
        if (typeof v === 'string') this.chars += v.length;
      }
    }
    this.rows++;
  }

  /** The open group's columns for the writer; the group is empty afterwards. */
  take(): ColumnData[] {
    const out = this.columns.map((name): ColumnData => {
      const builder = this.bytes.get(name);
      const data = builder ? builder.take() : name === 'messages' ? this.takeMessages() : this.values.get(name)!;
      return { name, data, statistics: name === 'id', ...(PLAIN_COLUMNS.has(name) ? { encoding: 'PLAIN' as const } : {}) };
    });
    this.values = new Map([...this.values.keys()].map((k) => [k, []]));
    this.rows = 0;
    this.chars = 0;
    return out;
  }

  private takeMessages(): { role: string; content: Uint8Array }[][] {
    const contents = this.contents.take();
    let k = 0;
    const lists = this.messageCounts.map((n) => {
      const list = new Array<{ role: string; content: Uint8Array }>(n);
      for (let i = 0; i < n; i++, k++) list[i] = { role: this.roles[k], content: contents[k] };
      return list;
    });
    this.messageCounts = [];
    this.roles = [];
    return lists;
  }
}
