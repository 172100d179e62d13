import { promises as fs } from 'node:fs';
import { AtomicFileWriter } from '../fs/atomicWrite';
import { forEachLine } from '../fs/lines';
import { corruptSources, readSourcesSnapshot, SOURCES_FORMAT_VERSION, SOURCE_STATUSES, type SourceEntry } from './sources';

/**
 * sources.json read and written one source at a time, so that no reader or writer holds the whole file, or a
 * second copy of the list, in memory (issue #13: at 100,000 sources each whole read held the 48 MB text, its
 * parsed objects and a re-serialised copy at once). Bright Run writes the file as JSON with one source per
 * line (still one JSON document — any JSON reader reads it, and git diffs show one line per changed source):
 *
 * ```
 * {
 *   "formatVersion": 2,
 *   "compacted": "9f2c41d07a3be815",
 *   "sources": [
 *     {"path":"docs/a.md",…},
 *     {"path":"docs/b.md",…}
 *   ]
 * }
 * ```
 * A file in another layout (pretty-printed by hand, or by Bright Run before this) is read whole instead.
 */

/** What a scan found besides the entries. */
export interface SourcesScan {
  compacted?: string;
  /** Size of the file in bytes (0 when missing). */
  bytes: number;
}

/**
 * Calls `start(compacted)` for a visitor, then the visitor with each source in file order. When the file turns
 * out not to be in the line-per-source layout part-way through, `start` is called again and every source is
 * visited again from the first (so a visitor must start afresh when `start` is called). Errors as
 * readSourcesSnapshot (STATE_CORRUPT, STATE_NEWER_FORMAT); a missing file has no sources.
 */
export type SourceVisitor = (s: SourceEntry) => void | Promise<void>;

export async function scanSourcesFile(file: string, start: (compacted: string | undefined) => SourceVisitor | Promise<SourceVisitor>): Promise<SourcesScan> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      await start(undefined);
      return { bytes: 0 };
    }
    throw err;
  }
  let streamed: SourcesScan | undefined;
  try {
    streamed = await scanLines(handle, file, start);
  } finally {
    await handle.close();
  }
  if (streamed) return streamed;
  // Not in the layout Bright Run writes: read whole (this also reports what is wrong with it).
  const snapshot = await readSourcesSnapshot(file);
  const visit = await start(snapshot.compacted);
  for (const s of snapshot.sources) await visit(s);
  return { ...(snapshot.compacted !== undefined ? { compacted: snapshot.compacted } : {}), bytes: snapshot.bytes };
}

const HEAD = /^ {2}"formatVersion": (\d+),$/;
const COMPACTED = /^ {2}"compacted": "([0-9a-f]+)",$/;

/** The streaming read; undefined when the file is not in the line-per-source layout. */
async function scanLines(handle: fs.FileHandle, file: string, start: (compacted: string | undefined) => SourceVisitor | Promise<SourceVisitor>): Promise<SourcesScan | undefined> {
  let state: 'open' | 'version' | 'compacted' | 'entries' | 'close' | 'end' = 'open';
  let compacted: string | undefined;
  let visit: SourceVisitor | undefined;
  let index = 0;
  const line = async (text: string): Promise<boolean> => {
    // A checkout that turned line ends into CRLF (git's autocrlf on Windows) is read the same way.
    const raw = text.endsWith('\r') ? text.slice(0, -1) : text;
    switch (state) {
      case 'open':
        state = 'version';
        return raw === '{';
      case 'version': {
        // Another version (a newer one is refused) is left to the whole read, which says what is wrong.
        const m = HEAD.exec(raw);
        if (!m || (m[1] !== '1' && m[1] !== '2')) return false;
        state = 'compacted';
        return true;
      }
      case 'compacted': {
        const m = COMPACTED.exec(raw);
        if (m) {
          compacted = m[1];
          return true;
        }
        if (raw === '  "sources": []') state = 'close';
        else if (raw === '  "sources": [') state = 'entries';
        else return false;
        visit = await start(compacted);
        return true;
      }
      case 'entries': {
        if (raw === '  ]') {
          state = 'close';
          return true;
        }
        if (!raw.startsWith('    {')) return false;
        let entry: SourceEntry;
        try {
          entry = JSON.parse(raw.endsWith(',') ? raw.slice(0, -1) : raw) as SourceEntry;
        } catch {
          return false;
        }
        if (typeof entry?.path !== 'string' || typeof entry.sha256 !== 'string' || !SOURCE_STATUSES.includes(entry.status)) throw corruptSources(file, `has a broken entry at index ${index}`);
        index++;
        await visit!(entry);
        return true;
      }
      case 'close':
        state = 'end';
        return raw === '}';
      case 'end':
        return raw === '';
    }
  };
  const { complete, bytes } = await forEachLine(handle, line);
  if (!complete || (state as string) !== 'end') return undefined;
  return { ...(compacted !== undefined ? { compacted } : {}), bytes };
}

/** The text of sources.json before its entries. */
function head(compacted: string | undefined, empty: boolean): string {
  return `{\n  "formatVersion": ${SOURCES_FORMAT_VERSION},\n${compacted ? `  "compacted": "${compacted}",\n` : ''}  "sources": [${empty ? ']' : ''}\n`;
}

/**
 * Writes sources.json one entry at a time through `produce`, which calls `put` for each source in the order
 * they are to be stored (sorted by path). `produce` may be called twice (when the file it reads from is not in
 * the line-per-source layout: see scanSourcesFile); each call writes the list from its start. Atomic.
 */
export async function writeSourcesStream(file: string, compacted: string | undefined, produce: (put: (s: SourceEntry) => Promise<void>, restart: () => Promise<void>) => Promise<void>): Promise<void> {
  const writer = await AtomicFileWriter.open(file);
  try {
    let count = 0;
    await produce(
      async (s) => {
        if (count === 0) await writer.write(head(compacted, false));
        await writer.write(`${count === 0 ? '' : ',\n'}    ${JSON.stringify(s)}`);
        count++;
      },
      async () => {
        count = 0;
        await writer.restart();
      },
    );
    await writer.write(count === 0 ? head(compacted, true) + '}\n' : '\n  ]\n}\n');
  } catch (err) {
    await writer.abort();
    throw err;
  }
  await writer.commit();
}
