import { BrightRunError } from '../../errors';
import type { ChatMessage } from '../../records/types';

/**
 * LLaMA-Factory's dataset rules, as its loader applies them (hiyouga/LLaMA-Factory@908cd68:
 * src/llamafactory/data/converter.py, and data/README.md for `dataset_info.json`):
 *
 * - alpaca: `prompt` (instruction) and `query` (input) are joined with "\n" into the user turn; `response`
 *   (output) must be a string; `history` is a list of [prompt, response] string pairs; `system` a string.
 * - sharegpt: a first message whose role is `system_tag` becomes the system prompt; the remaining messages
 *   must alternate `user_tag` (even positions) / `assistant_tag` (odd positions) and be even in number —
 *   otherwise the loader logs "Invalid role tag" / "Invalid message count" and silently drops the example.
 * - `dataset_info.json` maps a dataset name to {file_name, formatting, columns, tags}; `file_name` is relative
 *   to the folder holding dataset_info.json (`dataset_dir`).
 *
 * The writer makes rows that pass these rules; `llamaFactoryRowProblem` states them as checks for verify and tests.
 */

/** The tags of our sharegpt rows: the OpenAI message layout, which data/README.md documents for sharegpt. */
export const SHAREGPT_TAGS = { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant', system_tag: 'system' } as const;

export interface DatasetInfoEntry {
  file_name: string;
  formatting: 'alpaca' | 'sharegpt';
  columns: Record<string, string>;
  tags?: Record<string, string>;
}

/**
 * A conversation as LLaMA-Factory accepts it: system messages (wherever they are) joined into `system`;
 * consecutive turns of one role merged (joined by a blank line); assistant turns before the first user turn
 * and user turns after the last assistant turn dropped (nothing to learn from them). Undefined when no
 * user → assistant pair remains.
 */
export function alternatingTurns(messages: readonly ChatMessage[]): { system: string; turns: { user: string; assistant: string }[] } | undefined {
  const system = messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
  const merged: ChatMessage[] = [];
  for (const m of messages) {
    if (m.role === 'system') continue;
    const last = merged[merged.length - 1];
    if (last && last.role === m.role) merged[merged.length - 1] = { role: m.role, content: `${last.content}\n\n${m.content}` };
    else merged.push({ ...m });
  }
  while (merged.length && merged[0].role !== 'user') merged.shift();
  while (merged.length && merged[merged.length - 1].role !== 'assistant') merged.pop();
  if (!merged.length) return undefined;
  const turns: { user: string; assistant: string }[] = [];
  for (let i = 0; i < merged.length; i += 2) turns.push({ user: merged[i].content, assistant: merged[i + 1].content });
  return { system, turns };
}

/** Why LLaMA-Factory would drop or misread a row of a dataset_info entry, or undefined when it reads it. */
export function llamaFactoryRowProblem(row: unknown, entry: DatasetInfoEntry): string | undefined {
  if (!row || typeof row !== 'object' || Array.isArray(row)) return 'is not a JSON object';
  const r = row as Record<string, unknown>;
  const isString = (v: unknown) => typeof v === 'string';
  if (entry.formatting === 'alpaca') {
    const { prompt = 'instruction', query, response, history, system } = entry.columns;
    for (const col of [prompt, query, response, system]) if (col !== undefined && !isString(r[col])) return `column "${col}" is not a string`;
    if (!(r[prompt] as string).length && !(query && (r[query] as string).length)) return 'has an empty prompt';
    if (history !== undefined) {
      const h = r[history];
      if (!Array.isArray(h) || !h.every((p) => Array.isArray(p) && p.length === 2 && p.every(isString))) return `column "${history}" is not a list of [prompt, response] string pairs`;
    }
    return undefined;
  }
  const tags = { ...SHAREGPT_TAGS, ...(entry.tags ?? {}) };
  const messages = r[entry.columns.messages ?? 'conversations'];
  if (!Array.isArray(messages) || !messages.length) return 'has no messages';
  for (const m of messages) {
    if (!m || typeof m !== 'object' || !isString((m as Record<string, unknown>)[tags.role_tag]) || !isString((m as Record<string, unknown>)[tags.content_tag])) return `a message lacks a string "${tags.role_tag}" or "${tags.content_tag}"`;
  }
  const turns = (messages as Record<string, string>[]).slice(messages[0][tags.role_tag] === tags.system_tag ? 1 : 0);
  for (let i = 0; i < turns.length; i++) {
    const want = i % 2 === 0 ? tags.user_tag : tags.assistant_tag;
    if (turns[i][tags.role_tag] !== want) return `message ${i + 1} after the system prompt is "${turns[i][tags.role_tag]}", LLaMA-Factory expects "${want}" there (roles must alternate)`;
  }
  if (turns.length === 0 || turns.length % 2 !== 0) return `has ${turns.length} turns after the system prompt; LLaMA-Factory needs an even, non-zero number`;
  return undefined;
}

/**
 * dataset_info.json with our entries merged in: every other entry of `existing` kept as it was, ours replaced
 * by name (existing names keep their place, new ones are appended). `existing` that is not a JSON object is
 * CONFIG_INVALID_JSON naming `file`, so a broken file is never overwritten silently.
 */
export function mergeDatasetInfo(existing: string | undefined, entries: Readonly<Record<string, DatasetInfoEntry>>, file = 'dataset_info.json'): string {
  let base: Record<string, unknown> = {};
  if (existing !== undefined && existing.trim()) {
    try {
      base = JSON.parse(existing) as Record<string, unknown>;
    } catch (err) {
      throw new BrightRunError({ code: 'CONFIG_INVALID_JSON', file, message: `${file} is not valid JSON: ${(err as Error).message}.`, remedy: 'Fix or remove that dataset_info.json, then export again; it is merged into, never overwritten.' }, { cause: err });
    }
    if (!base || typeof base !== 'object' || Array.isArray(base)) throw new BrightRunError({ code: 'CONFIG_INVALID', file, message: `${file} is not a JSON object of datasets.`, remedy: 'LLaMA-Factory expects {"name": {...}, …}: fix that file, then export again.' });
  }
  return `${JSON.stringify({ ...base, ...entries }, null, 2)}\n`;
}
