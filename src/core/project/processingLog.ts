import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ErrorInfo } from '../errors';

/** One line of .brightrun/logs/YYYY-MM-DD.jsonl. Never holds secrets or document text. */
export interface LogEntry {
  time: string;
  level: 'info' | 'warn' | 'error';
  stage: 'project' | 'add' | 'extract' | 'records' | 'export' | 'hub' | 'train';
  message: string;
  file?: string;
  durationMs?: number;
  pages?: number;
  ocrPages?: number;
  warnings?: string[];
  error?: ErrorInfo;
}

export function logFileFor(logsDir: string, date: Date): string {
  return path.join(logsDir, `${date.toISOString().slice(0, 10)}.jsonl`);
}

/** Appends entries as JSON lines; each line is one small O_APPEND write, so concurrent writers do not interleave. */
export async function appendLog(logsDir: string, entries: Omit<LogEntry, 'time'>[], now = new Date()): Promise<void> {
  if (entries.length === 0) return;
  await fs.mkdir(logsDir, { recursive: true });
  const text = entries.map((e) => JSON.stringify({ time: now.toISOString(), ...e })).join('\n') + '\n';
  await fs.appendFile(logFileFor(logsDir, now), text, 'utf8');
}

export async function readLog(logsDir: string, date: Date): Promise<LogEntry[]> {
  let text: string;
  try {
    text = await fs.readFile(logFileFor(logsDir, date), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const entries: LogEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      entries.push(JSON.parse(line) as LogEntry);
    } catch {
      // a line cut short by a crash: skip it, keep the rest
    }
  }
  return entries;
}
