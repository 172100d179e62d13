import { promises as fs } from 'node:fs';
import { writeJsonAtomic } from '../fs/atomicWrite';

/**
 * .brightrun/queue.json: how the extraction queue is steered, kept across restarts. The work itself is the
 * sources whose status is queued or extracting (sources.json); this holds only the controls.
 */
export interface QueueState {
  /** A batch was started and has not finished: on reopening, it resumes (unless paused). */
  active: boolean;
  paused: boolean;
  /** Higher runs first; absent is 0. Keyed by source path. */
  priorities: Record<string, number>;
}

const EMPTY: QueueState = { active: false, paused: false, priorities: {} };

export async function readQueueState(file: string): Promise<QueueState> {
  try {
    const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<QueueState> & { formatVersion?: number };
    return {
      active: parsed.active === true,
      paused: parsed.paused === true,
      priorities: parsed.priorities && typeof parsed.priorities === 'object' ? Object.fromEntries(Object.entries(parsed.priorities).filter(([, v]) => typeof v === 'number')) : {},
    };
  } catch {
    return { ...EMPTY, priorities: {} }; // missing or damaged: controls are not worth an error
  }
}

export function writeQueueState(file: string, state: QueueState): Promise<void> {
  return writeJsonAtomic(file, { formatVersion: 1, ...state });
}
