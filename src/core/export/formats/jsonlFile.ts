import { createReadStream } from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { throwIfAborted } from '../../errors';
import type { VerifyFinding, WrittenFile } from '../types';
import { FileSink } from './fileSink';

/** A JSON Lines file being written: one `JSON.stringify` value per line, '\n' line ends, UTF-8, through a FileSink. */
export class JsonlStream {
  rows = 0;

  private constructor(private readonly sink: FileSink) {}

  static async open(file: string): Promise<JsonlStream> {
    return new JsonlStream(await FileSink.open(file));
  }

  get bytes(): number {
    return this.sink.bytes;
  }

  /** Appends one value as a line; returns the bytes it took. */
  async add(value: unknown): Promise<number> {
    const before = this.sink.bytes;
    await this.sink.write(`${JSON.stringify(value)}\n`);
    this.rows++;
    return this.sink.bytes - before;
  }

  async close(): Promise<{ bytes: number; sha256: string }> {
    return this.sink.close();
  }

  async discard(): Promise<void> {
    await this.sink.discard();
  }
}

/**
 * Reads a JSON Lines file back, line by line (memory: one line), parsing each; calls `check` with every value
 * and its 1-based line number. Returns the number of lines, or throws the first parse error with its line.
 */
export async function readJsonl(file: string, check: (value: unknown, line: number) => void, signal?: AbortSignal): Promise<number> {
  const lines = readline.createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    throwIfAborted(signal);
    n++;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new Error(`line ${n} is not JSON: ${(err as Error).message}`);
    }
    check(value, n);
  }
  return n;
}

/**
 * Verifies one JSON Lines data file of a preset: every row passes `problemOf` (the first 5 problems reported,
 * with their line), and the line count equals the manifest's record count. Findings are appended to `findings`;
 * an unreadable file is one finding. Cancellation propagates.
 */
export async function checkJsonlRows(
  dir: string,
  file: WrittenFile,
  problemOf: (row: unknown) => string | undefined,
  findings: VerifyFinding[],
  signal?: AbortSignal,
): Promise<void> {
  try {
    let shown = 0;
    const lines = await readJsonl(path.join(dir, file.path), (row, line) => {
      const problem = problemOf(row);
      if (problem && shown++ < 5) findings.push({ severity: 'error', file: file.path, message: `line ${line} ${problem}` });
    }, signal);
    if (lines !== file.records) findings.push({ severity: 'error', file: file.path, message: `holds ${lines} lines, the manifest says ${file.records}` });
  } catch (err) {
    if (signal?.aborted) throw err;
    findings.push({ severity: 'error', file: file.path, message: `cannot be read: ${(err as Error).message}` });
  }
}
