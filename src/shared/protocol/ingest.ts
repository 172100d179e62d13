/** Messages between the Ingestion panel (webview) and the extension host. Types only: both sides import it. */
export type IngestFileStatus = 'queued' | 'extracting' | 'done' | 'failed';

export interface IngestFile {
  path: string;
  status: IngestFileStatus;
  /** 0–100 within the file (pages or slides), while extracting. */
  percent?: number;
  /** How long it took, or has been running. */
  duration?: string;
  format?: string;
  pages?: number;
  ocrPages?: number;
  priority: number;
  error?: { code: string; message: string; remedy: string };
}

export interface IngestState {
  project: string;
  running: boolean;
  paused: boolean;
  counts: Record<IngestFileStatus, number>;
  /** Overall progress of the current batch, 0–100 (by bytes). */
  percent: number;
  /** e.g. "14 files/min · 2.1 MB/s" */
  throughput?: string;
  /** e.g. "about 3 min 20 s left" */
  eta?: string;
  /** The most relevant files (extracting, failed, queued by priority, recent done); `hidden` counts the rest. */
  files: IngestFile[];
  hidden: number;
}

export type IngestAction = 'start' | 'pause' | 'resume' | 'cancelAll' | 'addDocuments' | 'showLog' | 'retryFailed';
export type IngestFileAction = 'retry' | 'cancel' | 'prioritize' | 'preview' | 'reveal';

/** Host → webview. */
export type IngestToView =
  | { type: 'state'; state: IngestState | undefined }
  | { type: 'reply'; id: number; ok: true }
  | { type: 'reply'; id: number; ok: false; error: string };

/** Webview → host. `ready` comes first; the host posts nothing before it. */
export type IngestToHost =
  | { type: 'ready' }
  | { type: 'run'; id: number; action: IngestAction }
  | { type: 'file'; id: number; action: IngestFileAction; path: string }
  | { type: 'drop'; id: number; uris: string[] };

const ACTIONS: readonly IngestAction[] = ['start', 'pause', 'resume', 'cancelAll', 'addDocuments', 'showLog', 'retryFailed'];
const FILE_ACTIONS: readonly IngestFileAction[] = ['retry', 'cancel', 'prioritize', 'preview', 'reveal'];

export function isIngestToHost(value: unknown): value is IngestToHost {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
      return true;
    case 'run':
      return typeof m.id === 'number' && ACTIONS.includes(m.action as IngestAction);
    case 'file':
      return typeof m.id === 'number' && FILE_ACTIONS.includes(m.action as IngestFileAction) && typeof m.path === 'string';
    case 'drop':
      return typeof m.id === 'number' && Array.isArray(m.uris) && m.uris.every((u) => typeof u === 'string');
    default:
      return false;
  }
}
