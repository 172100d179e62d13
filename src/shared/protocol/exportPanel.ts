/**
 * Messages between the Export panel (webview) and the extension host. Types and guards only: both sides import
 * it, so it imports nothing (the webview never sees src/core; the shapes mirror src/core/export preview.ts,
 * previewSample.ts, previewRead.ts and profileEdit.ts). The host holds the project; the view edits a profile
 * draft and asks: its problems, a sample rendered by the writers, save, export. Each request carries an id and is
 * answered by one `reply` of the same method.
 */
export type ExportSplit = 'train' | 'validation' | 'test';
export type ExportKind = 'completion' | 'instruction' | 'chat';

/** A profile as the form edits it (core ExportProfileDraft): options per format as brightrun.json holds them. */
export interface ExportDraft {
  name: string;
  formats: string[];
  compression?: 'none' | 'gzip';
  lineageColumns?: boolean;
  options?: Record<string, Record<string, unknown>>;
}

/** A problem of a draft, tied to a setting (`name`, `csv.delimiter`, `json.mapping.drop`; '' when general). */
export interface DraftProblem {
  field: string;
  message: string;
  remedy: string;
}

export interface FormatInfo {
  name: string;
  description: string;
}

export interface ExportPanelState {
  project: string;
  /** Profiles of brightrun.json, as drafts (settings the form does not show are kept on save). */
  profiles: ExportDraft[];
  formats: FormatInfo[];
  /** The current records build, when there is one. */
  build?: { id: string; builtAt: string };
  /** Columns of each kind's natural row (without lineage) and the lineage columns: the field mapping's choices. */
  columns: Partial<Record<ExportKind, string[]>>;
  lineageColumns: string[];
  /** An export started from this panel is running. */
  exporting?: string;
}

export interface SplitCounts {
  records: number;
  tokens: number;
  kinds: Partial<Record<ExportKind, number>>;
}

/** Counts of the current build as an export would write it (records overlay applied). */
export interface ExportPreviewView {
  build: string;
  builtAt: string;
  splits: Record<ExportSplit, SplitCounts>;
  total: number;
  excluded: number;
  edited: number;
  kinds: ExportKind[];
}

export interface SampleFileView {
  path: string;
  role: 'data' | 'meta';
  bytes: number;
  records?: number;
  text?: string;
  columns?: Array<{ name: string; type: string }>;
  rows?: unknown[];
  metadata?: Record<string, string>;
  truncated?: boolean;
}

export interface ExportSampleView {
  split: ExportSplit;
  records: number;
  ids: string[];
  formats: Array<{ format: string; files: SampleFileView[]; error?: { code: string; message: string; remedy: string } }>;
}

export interface ExportDone {
  status: 'published' | 'unchanged';
  name: string;
  version: string;
  dir: string;
}

/** Host → webview. */
export type ExportPanelToView =
  | { type: 'state'; state: ExportPanelState | undefined }
  /** Counting runs (`counting`: records read so far), is done (`preview`), or failed (`error`, with its remedy). */
  | { type: 'preview'; preview?: ExportPreviewView; counting?: { done: number; total?: number }; error?: string }
  | { type: 'reply'; id: number; method: 'validate'; problems: DraftProblem[] }
  | { type: 'reply'; id: number; method: 'sample'; sample?: ExportSampleView; problems?: DraftProblem[]; error?: string }
  | { type: 'reply'; id: number; method: 'save'; saved: boolean; problems: DraftProblem[]; error?: string }
  /** `result` undefined: cancelled, failed (`error`) or refused (`problems`). */
  | { type: 'reply'; id: number; method: 'export'; result?: ExportDone; problems?: DraftProblem[]; error?: string }
  /** The chosen template file, relative to the project folder with '/', or undefined when none was chosen. */
  | { type: 'reply'; id: number; method: 'pickTemplate'; path?: string };

/** Most records a sample may ask for (core MAX_SAMPLE_RECORDS is 50; the panel offers up to 20). */
export const MAX_SAMPLE_REQUEST = 20;

/** Webview → host. `ready` comes first; the host posts nothing before it. */
export type ExportPanelToHost =
  | { type: 'ready' }
  /** Count again (the view's Recount button). */
  | { type: 'recount' }
  /** `replacing`: the profile of brightrun.json the draft was opened from (undefined for a new one). */
  | { type: 'validate'; id: number; draft: ExportDraft; replacing?: string }
  | { type: 'sample'; id: number; draft: ExportDraft; split: ExportSplit; limit: number }
  | { type: 'save'; id: number; draft: ExportDraft; replacing?: string }
  | { type: 'export'; id: number; draft: ExportDraft; replacing?: string }
  | { type: 'pickTemplate'; id: number; option: 'recordFile' | 'headerFile' | 'footerFile' };

export type ExportPanelMethod = Exclude<ExportPanelToHost['type'], 'ready' | 'recount'>;

/** A request before its id is given (distributed over the union, so each method keeps its own fields). */
export type ExportPanelRequest<T = ExportPanelToHost> = T extends { id: number } ? Omit<T, 'id'> : never;

const isStr = (v: unknown): v is string => typeof v === 'string';
const isId = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const SPLITS: readonly string[] = ['train', 'validation', 'test'];

export function isExportDraft(v: unknown): v is ExportDraft {
  if (typeof v !== 'object' || v === null) return false;
  const d = v as Record<string, unknown>;
  const options = d.options;
  return (
    isStr(d.name) &&
    Array.isArray(d.formats) && d.formats.every(isStr) &&
    (d.compression === undefined || d.compression === 'none' || d.compression === 'gzip') &&
    (d.lineageColumns === undefined || typeof d.lineageColumns === 'boolean') &&
    (options === undefined || (typeof options === 'object' && options !== null && !Array.isArray(options) && Object.values(options).every((o) => typeof o === 'object' && o !== null && !Array.isArray(o))))
  );
}

export function isExportPanelToHost(value: unknown): value is ExportPanelToHost {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
    case 'recount':
      return true;
    case 'validate':
    case 'save':
    case 'export':
      return isId(m.id) && isExportDraft(m.draft) && (m.replacing === undefined || isStr(m.replacing));
    case 'sample':
      return isId(m.id) && isExportDraft(m.draft) && SPLITS.includes(m.split as string) && Number.isInteger(m.limit) && (m.limit as number) >= 1 && (m.limit as number) <= MAX_SAMPLE_REQUEST;
    case 'pickTemplate':
      return isId(m.id) && (m.option === 'recordFile' || m.option === 'headerFile' || m.option === 'footerFile');
    default:
      return false;
  }
}
