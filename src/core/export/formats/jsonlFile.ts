import { createReadStream } from 'node:fs';
import * as readline from 'node:readline';
import { throwIfAborted } from '../../errors';
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
