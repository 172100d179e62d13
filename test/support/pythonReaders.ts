import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** The test sources' folder (test/support), found from the compiled file in out/test/support. */
const SCRIPT = path.resolve(__dirname, '..', '..', '..', 'test', 'support', 'read_export.py');

export interface PythonRead {
  count: number;
  header?: string[];
  rows: Record<string, unknown>[];
}

/**
 * Reads an export file with the independent Python readers (test/support/read_export.py): the standard library's
 * json and csv modules, and for TFRecord a spec-checked framing reader plus the `protobuf` package.
 */
export async function readWithPython(kind: 'jsonl' | 'json' | 'csv' | 'tfrecord', file: string, csv?: { encoding: string; delimiter: string; quote: string }): Promise<PythonRead> {
  const args = [SCRIPT, kind, file, ...(csv ? [csv.encoding, csv.delimiter, csv.quote] : [])];
  const { stdout } = await execFileP('python3', args, { maxBuffer: 512 * 1024 * 1024 });
  return JSON.parse(stdout) as PythonRead;
}
