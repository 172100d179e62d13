/**
 * A record's natural row: the columns every format writes before its own mapping (issue #11). Shapes follow the
 * conventions trainers read: completion `{text}`, Alpaca `{instruction, input, output}`, chat
 * `{messages: [{role, content}]}` (OpenAI). Every value is a string (or a list of string structs), never null.
 */
import { toShareGpt } from '../records/templates';
import type { ChatMessage, RecordKind, TrainingRecord } from '../records/types';

export interface LineageColumns {
  source_path: string;
  /** 0 when the document has no pages or slides (Parquet and TFRecord columns stay non-null). */
  page: number;
  span_start: number;
  span_end: number;
}

export type NaturalRow =
  | ({ id: string; text: string } & Partial<LineageColumns>)
  | ({ id: string; instruction: string; input: string; output: string } & Partial<LineageColumns>)
  | ({ id: string; messages: ChatMessage[] } & Partial<LineageColumns>)
  | ({ id: string; conversations: Array<{ from: string; value: string }> } & Partial<LineageColumns>);

/** The shape chat records take in free-form rows (JSONL, JSON, CSV): brightrun.json `records.chatFormat`. */
export type ChatRowFormat = 'openai' | 'sharegpt';

/** Column names of a kind's natural row in a chat format (ShareGPT: `conversations` instead of `messages`). */
export function kindColumns(kind: RecordKind, chatFormat: ChatRowFormat = 'openai'): readonly string[] {
  return kind === 'chat' && chatFormat === 'sharegpt' ? ['id', 'conversations'] : KIND_COLUMNS[kind];
}

/** Column names of a kind's natural row, in order (without lineage columns). */
export const KIND_COLUMNS: Readonly<Record<RecordKind, readonly string[]>> = {
  completion: ['id', 'text'],
  instruction: ['id', 'instruction', 'input', 'output'],
  chat: ['id', 'messages'],
};

export const LINEAGE_COLUMNS: readonly (keyof LineageColumns)[] = ['source_path', 'page', 'span_start', 'span_end'];

export function lineageColumns(record: TrainingRecord): LineageColumns {
  const l = record.lineage;
  return { source_path: l.sourcePath, page: l.page ?? l.slide ?? 0, span_start: l.span.start, span_end: l.span.end };
}

/**
 * The row of one record; lineage columns appended when asked. `chatFormat` "sharegpt" writes a chat record as
 * `conversations: [{from: system|human|gpt, value}]` (templates.ts toShareGpt) instead of OpenAI `messages`.
 */
export function naturalRow(record: TrainingRecord, withLineage: boolean, chatFormat: ChatRowFormat = 'openai'): NaturalRow {
  const lineage = withLineage ? lineageColumns(record) : {};
  switch (record.kind) {
    case 'completion':
      return { id: record.id, text: record.text, ...lineage };
    case 'instruction':
      return { id: record.id, instruction: record.instruction, input: record.input, output: record.output, ...lineage };
    case 'chat':
      if (chatFormat === 'sharegpt') return { id: record.id, ...toShareGpt(record.messages), ...lineage };
      return { id: record.id, messages: record.messages.map((m) => ({ role: m.role, content: m.content })), ...lineage };
  }
}
