/** Messages between the Project Overview webview and the extension host. Types only: both sides import it. */
export interface OverviewState {
  name: string;
  root: string;
  description: string;
  documents: { queued: number; extracting: number; done: number; failed: number };
  sources: number;
  bytes: string;
  recentSources: Array<{ path: string; status: string; size: string; error?: string }>;
}

export type OverviewAction = 'addDocuments' | 'extract' | 'showLog' | 'refresh';

/** Host → webview. */
export type OverviewToView =
  | { type: 'state'; state: OverviewState | undefined }
  | { type: 'reply'; id: number; ok: true }
  | { type: 'reply'; id: number; ok: false; error: string };

/** Webview → host. `ready` comes first; the host posts nothing before it. */
export type OverviewToHost = { type: 'ready' } | { type: 'run'; id: number; action: OverviewAction };

export const OVERVIEW_ACTIONS: readonly OverviewAction[] = ['addDocuments', 'extract', 'showLog', 'refresh'];

export function isOverviewToHost(value: unknown): value is OverviewToHost {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as { type?: unknown; id?: unknown; action?: unknown };
  if (m.type === 'ready') return true;
  return m.type === 'run' && typeof m.id === 'number' && OVERVIEW_ACTIONS.includes(m.action as OverviewAction);
}
