/**
 * Training records: the examples a LoRA run learns from, built from extracted documents (issue #10). Every
 * record keeps its lineage back to the source document, page and character span. Stored as JSONL in
 * `.brightrun/records/` (docs/project-format.md).
 */

/** What a record holds: plain text (completion / continued pre-training), an Alpaca triple, or a conversation. */
export type RecordKind = 'completion' | 'instruction' | 'chat';

/** The builders that make records. */
export type BuilderName = 'chunk' | 'instruction' | 'chat' | 'pairs' | 'generate';

export type SplitName = 'train' | 'validation' | 'test';

/** Where a record came from, precisely enough to show its source span and to rebuild it. */
export interface RecordLineage {
  /** sha256 of the source document's bytes (ExtractedDocument.id). */
  documentId: string;
  /** The source's stored path (relative to the project root with '/', or absolute outside it). */
  sourcePath: string;
  /** 1-based page or slide the span starts on, when the document has pages or slides. */
  page?: number;
  slide?: number;
  /** [start, end) in UTF-16 code units of ExtractedDocument.text. */
  span: { start: number; end: number };
  /**
   * Parts of `span` left out of the record's text (repeated page furniture: running headers, footers, page
   * numbers), [start, end) in the same units; the text is the span without them. Absent when none.
   */
  removed?: Array<{ start: number; end: number }>;
  /** Headings above the span, outermost first. */
  headingPath: string[];
  builder: BuilderName;
  /** First 16 hex digits of the sha256 of the builder's parameters (canonical JSON). */
  paramsHash: string;
  /** Pairs import: the 1-based row (CSV) or record (JSON / JSONL) number in the source. */
  row?: number;
  /** Generated records: the model and the first 16 hex digits of the prompt template's sha256. */
  model?: string;
  promptHash?: string;
}

interface RecordBase {
  /** Stable id: first 24 hex digits of sha256(builder, paramsHash, documentId, span, row, index within the span). */
  id: string;
  kind: RecordKind;
  lineage: RecordLineage;
  /** Length in tokens of the chosen tokenizer (of the rendered record). */
  tokens?: number;
  split?: SplitName;
  /** Quality flags, e.g. 'truncated', 'near-duplicate', 'pii-redacted'. */
  flags?: string[];
}

export interface CompletionRecord extends RecordBase {
  kind: 'completion';
  text: string;
}

export interface InstructionRecord extends RecordBase {
  kind: 'instruction';
  instruction: string;
  input: string;
  output: string;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRecord extends RecordBase {
  kind: 'chat';
  messages: ChatMessage[];
}

export type TrainingRecord = CompletionRecord | InstructionRecord | ChatRecord;
