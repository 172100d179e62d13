import type { ErrorInfo } from '../errors';
import type { ExtractedDocument, ExtractOptions } from './types';

export type WorkerRequest =
  | { type: 'extract'; id: number; file: string; options: ExtractOptions }
  | { type: 'count'; id: number; file: string; options: ExtractOptions }
  | { type: 'shutdown' };

export type WorkerResponse =
  | { type: 'progress'; id: number; done: number; total: number }
  | { type: 'done'; id: number; doc: ExtractedDocument }
  | { type: 'count'; id: number; pages: number | undefined }
  | { type: 'failed'; id: number; error: ErrorInfo };
