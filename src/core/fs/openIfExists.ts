import { promises as fs } from 'node:fs';

/** Opens `file` for reading; undefined when it does not exist (ENOENT). Any other error is thrown. */
export async function openIfExists(file: string): Promise<fs.FileHandle | undefined> {
  try {
    return await fs.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
