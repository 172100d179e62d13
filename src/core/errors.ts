/**
 * Errors users can act on: a stable `code`, the `file` concerned, a one-line `message` and a `remedy`.
 * The UI shows message + remedy; logs keep the detail (`cause`).
 */
export type ErrorCode =
  | 'PROJECT_NOT_FOUND'
  | 'PROJECT_EXISTS'
  | 'CONFIG_INVALID_JSON'
  | 'CONFIG_INVALID'
  | 'CONFIG_NEWER_FORMAT'
  | 'STATE_CORRUPT'
  | 'STATE_NEWER_FORMAT'
  | 'LOCK_TIMEOUT'
  /** A long run of the same kind (records build / generation) holds its run lock in another process or window. */
  | 'RUN_IN_PROGRESS'
  | 'SOURCE_NOT_FOUND'
  | 'SOURCE_UNREADABLE'
  | 'UNSUPPORTED_FILE'
  | 'INVALID_ARGUMENT'
  | 'CANCELLED'
  | 'NOT_IMPLEMENTED'
  | 'EMPTY_FILE'
  | 'FILE_TOO_LARGE'
  | 'CORRUPT_FILE'
  | 'UNSUPPORTED_FORMAT'
  | 'ENCRYPTED_FILE'
  | 'PASSWORD_REQUIRED'
  | 'WRONG_PASSWORD'
  | 'ZIP_BOMB'
  | 'OCR_FAILED'
  | 'RESOURCE_LIMIT'
  | 'EXTRACTION_CRASHED'
  /** A pool process running a task other than extraction (records) crashed; that task's document failed. */
  | 'WORKER_CRASHED'
  | 'SOURCE_CHANGED'
  | 'INVALID_FILE_NAME'
  | 'OUTPUT_UNWRITABLE'
  /** A record template does not parse or fails to render. */
  | 'TEMPLATE_INVALID'
  /** A record template ran past a cap (time, steps, nesting, output size). */
  | 'TEMPLATE_LIMIT'
  /** Pairs import: no column / field mapping found or given. */
  | 'PAIRS_UNMAPPED'
  /** Generation: the chat-completions endpoint failed after its retries (or refused the key). */
  | 'LLM_REQUEST_FAILED'
  /** Export: a written file did not read back as written (nothing was published). */
  | 'EXPORT_INVALID'
  | 'INTERNAL';

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  remedy: string;
  file?: string;
  /** For the log only, never shown as the message: what a crashed parser process wrote last, say. */
  detail?: string;
}

export class BrightRunError extends Error implements ErrorInfo {
  readonly code: ErrorCode;
  readonly remedy: string;
  readonly file?: string;
  readonly detail?: string;

  constructor(info: ErrorInfo, options?: { cause?: unknown }) {
    super(info.message, options);
    this.name = 'BrightRunError';
    this.code = info.code;
    this.remedy = info.remedy;
    this.file = info.file;
    this.detail = info.detail;
  }

  toJSON(): ErrorInfo {
    return { code: this.code, message: this.message, remedy: this.remedy, ...(this.file ? { file: this.file } : {}), ...(this.detail ? { detail: this.detail } : {}) };
  }
}

export function isBrightRunError(value: unknown): value is BrightRunError {
  return value instanceof BrightRunError;
}

/** True for an abort through an AbortSignal (ours or Node's), which callers treat as silent. */
export function isCancellation(value: unknown): boolean {
  if (value instanceof BrightRunError) return value.code === 'CANCELLED';
  return value instanceof Error && value.name === 'AbortError';
}

export function cancelledError(): BrightRunError {
  return new BrightRunError({ code: 'CANCELLED', message: 'The operation was cancelled.', remedy: 'Run it again to continue where it stopped.' });
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError();
}

/** Wraps anything thrown into a BrightRunError, keeping the original as `cause`. */
export function toBrightRunError(value: unknown, file?: string): BrightRunError {
  if (value instanceof BrightRunError) return value;
  if (isCancellation(value)) return cancelledError();
  const message = value instanceof Error ? value.message : String(value);
  return new BrightRunError(
    { code: 'INTERNAL', message: `Unexpected error: ${message}`, remedy: 'Show the log for details and report the problem if it repeats.', ...(file ? { file } : {}) },
    { cause: value },
  );
}

/** Maps Node's fs errors on a given file to specific, actionable errors. */
export function fsError(err: unknown, file: string, doing: string): BrightRunError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new BrightRunError({ code: 'SOURCE_NOT_FOUND', file, message: `Cannot ${doing} ${file}: it does not exist.`, remedy: 'Check the path; the file may have been moved or deleted.' }, { cause: err });
    case 'EACCES':
    case 'EPERM':
      return new BrightRunError({ code: 'SOURCE_UNREADABLE', file, message: `Cannot ${doing} ${file}: permission denied.`, remedy: 'Give your user read (and for project files, write) permission on it.' }, { cause: err });
    case 'EISDIR':
      return new BrightRunError({ code: 'SOURCE_UNREADABLE', file, message: `Cannot ${doing} ${file}: it is a folder.`, remedy: 'Pass a file, or add the folder as a whole.' }, { cause: err });
    case 'ENOSPC':
      return new BrightRunError({ code: 'INTERNAL', file, message: `Cannot ${doing} ${file}: the disk is full.`, remedy: 'Free some disk space and try again; nothing already saved was changed.' }, { cause: err });
    default:
      return toBrightRunError(err, file);
  }
}

/** Maps Node's fs errors on writing an output file (e.g. --text-out) to specific errors that name the file. */
export function outputError(err: unknown, file: string): BrightRunError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const make = (why: string, remedy: string) => new BrightRunError({ code: 'OUTPUT_UNWRITABLE', file, message: `Cannot write ${file}: ${why}.`, remedy }, { cause: err });
  switch (code) {
    case 'ENAMETOOLONG':
      return make(`its name is too long for the file system (${Buffer.byteLength(basenameOf(file))} bytes; most allow 255 per name)`, 'Rename the input to a shorter name, or extract it on its own to a shorter --text-out path.');
    case 'EACCES':
    case 'EPERM':
      return make('permission denied', 'Give your user write permission on the output folder, or choose another one.');
    case 'ENOSPC':
      return make('the disk is full', 'Free some disk space and run again.');
    case 'EISDIR':
    case 'ENOTDIR':
    case 'EEXIST':
      return make('a file or folder of that name is in the way', 'Move it aside, or choose another output folder.');
    default:
      return make(`${err instanceof Error ? err.message : String(err)}`, 'Check the output folder, then run again.');
  }
}

function basenameOf(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}
