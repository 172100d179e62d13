/**
 * Messages between the Records view (webview) and the extension host. Types and guards only: both sides import
 * it, so it imports nothing (the webview never sees src/core). The host holds the build; the view asks for what
 * it shows — a query (filter), then pages of rows as it scrolls, then one record's detail — never all records.
 */
export type RecordsSplit = 'train' | 'validation' | 'test';
export type RecordsKind = 'completion' | 'instruction' | 'chat';

export interface RecordsFilter {
  split?: RecordsSplit;
  kind?: RecordsKind;
  builder?: string;
  source?: string;
  flag?: string;
  /** Excluded records: shown flagged (default), hidden, or only those. */
  excluded?: 'show' | 'hide' | 'only';
  /** Case-insensitive substring of the content or the id. */
  text?: string;
}

/** Counts over the whole build, for the filter choices. */
export interface RecordsFacets {
  total: number;
  splits: Record<RecordsSplit, number>;
  kinds: Array<[RecordsKind, number]>;
  builders: Array<[string, number]>;
  sources: Array<[string, number]>;
  flags: Array<[string, number]>;
  excluded: number;
  edited: number;
}

export interface RecordsState {
  project: string;
  /** Undefined when no records have been built yet. */
  build?: { id: string; builtAt: string; documents: number };
  facets: RecordsFacets;
  /** Overlay entries whose record is not in this build (kept in the file). */
  orphans: Array<{ id: string; what: string }>;
  /** While the build is indexed or a build job runs. */
  busy?: string;
  /** Why edits and exclusions are not shown (a damaged overlay file), with its remedy. */
  error?: string;
}

/** One row of the list: short, single-line cells (the detail has everything). */
export interface RecordRow {
  index: number;
  id: string;
  kind: RecordsKind;
  split?: RecordsSplit;
  source: string;
  builder: string;
  tokens?: number;
  flags: string[];
  excluded: boolean;
  edited: boolean;
  /** completion: [text]; instruction: [instruction, input, output]; chat: [messages as "role: content" joined]. */
  cells: string[];
}

export interface ChatTurn {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** The editable fields of a record, by kind (the same shape the overlay stores). */
export type RecordFields =
  | { kind: 'completion'; text: string }
  | { kind: 'instruction'; instruction: string; input: string; output: string }
  | { kind: 'chat'; messages: ChatTurn[] };

export interface RecordDetail {
  id: string;
  index: number;
  fields: RecordFields;
  /** The fields as built, when an edit replaced them. */
  original?: RecordFields;
  split?: RecordsSplit;
  tokens?: number;
  flags: string[];
  excluded: boolean;
  lineage: { sourcePath: string; page?: number; slide?: number; span: { start: number; end: number }; headingPath: string[]; builder: string; paramsHash: string; row?: number; model?: string };
  /** The extracted text around the span; `error` when the document cannot be read. */
  source: { before: string; span: string; after: string; cutBefore: boolean; cutAfter: boolean } | { error: string };
}

/** Host → webview. */
export type RecordsToView =
  | { type: 'state'; state: RecordsState | undefined }
  /** The answer to a query: how many records match it (rows follow on request). */
  | { type: 'result'; query: number; matched: number; searching?: false }
  | { type: 'searching'; query: number; done: number; total: number }
  | { type: 'rows'; query: number; start: number; rows: RecordRow[] }
  | { type: 'detail'; detail: RecordDetail | undefined }
  | { type: 'reply'; id: number; ok: true }
  | { type: 'reply'; id: number; ok: false; error: string };

export type RecordsAction = 'build' | 'exclude' | 'include' | 'reveal' | 'showLog';

/** Webview → host. `ready` comes first; the host posts nothing before it. */
export type RecordsToHost =
  | { type: 'ready' }
  /** A new filter; `query` numbers the answers so stale pages are dropped. */
  | { type: 'query'; query: number; filter: RecordsFilter }
  | { type: 'rows'; query: number; start: number; count: number }
  | { type: 'select'; recordId: string }
  | { type: 'run'; id: number; action: RecordsAction; recordIds: string[] }
  /** `fields: null` drops the edit (back to the record as built). */
  | { type: 'edit'; id: number; recordId: string; fields: RecordFields | null };

/** Most rows one `rows` request may ask for. */
export const MAX_ROWS_PER_REQUEST = 500;

const ACTIONS: readonly RecordsAction[] = ['build', 'exclude', 'include', 'reveal', 'showLog'];
const SPLITS: readonly string[] = ['train', 'validation', 'test'];
const KINDS: readonly string[] = ['completion', 'instruction', 'chat'];
const ROLES: readonly string[] = ['system', 'user', 'assistant'];

const isStr = (v: unknown): v is string => typeof v === 'string';
const isOptStr = (v: unknown) => v === undefined || isStr(v);
const isCount = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function isFilter(v: unknown): v is RecordsFilter {
  if (typeof v !== 'object' || v === null) return false;
  const f = v as Record<string, unknown>;
  return (
    (f.split === undefined || SPLITS.includes(f.split as string)) &&
    (f.kind === undefined || KINDS.includes(f.kind as string)) &&
    isOptStr(f.builder) && isOptStr(f.source) && isOptStr(f.flag) && isOptStr(f.text) &&
    (f.excluded === undefined || f.excluded === 'show' || f.excluded === 'hide' || f.excluded === 'only')
  );
}

export function isRecordFields(v: unknown): v is RecordFields {
  if (typeof v !== 'object' || v === null) return false;
  const f = v as Record<string, unknown>;
  switch (f.kind) {
    case 'completion':
      return isStr(f.text);
    case 'instruction':
      return isStr(f.instruction) && isStr(f.input) && isStr(f.output);
    case 'chat':
      return Array.isArray(f.messages) && f.messages.length > 0 && f.messages.every((m) => typeof m === 'object' && m !== null && ROLES.includes((m as ChatTurn).role) && isStr((m as ChatTurn).content));
    default:
      return false;
  }
}

export function isRecordsToHost(value: unknown): value is RecordsToHost {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
      return true;
    case 'query':
      return isCount(m.query) && isFilter(m.filter);
    case 'rows':
      return isCount(m.query) && isCount(m.start) && isCount(m.count) && (m.count as number) <= MAX_ROWS_PER_REQUEST;
    case 'select':
      return isStr(m.recordId);
    case 'run':
      return typeof m.id === 'number' && ACTIONS.includes(m.action as RecordsAction) && Array.isArray(m.recordIds) && m.recordIds.every(isStr);
    case 'edit':
      return typeof m.id === 'number' && isStr(m.recordId) && (m.fields === null || isRecordFields(m.fields));
    default:
      return false;
  }
}
