import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BrightRunError } from '../errors';
import { writeFileAtomic } from '../fs/atomicWrite';
import { EXTRACTOR_VERSION, type ExtractedDocument } from './types';

/**
 * Extracted documents live in .brightrun/documents/<sha256>.json, keyed by the source's content: the same
 * bytes added twice, or under two names, are extracted once. Writes are atomic.
 */
export class DocumentStore {
  constructor(private readonly dir: string) {}

  pathFor(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return path.join(this.dir, `${sha256}.json`);
  }

  async save(doc: ExtractedDocument): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    await writeFileAtomic(this.pathFor(doc.id), [JSON.stringify(doc), '\n']);
  }

  /** The stored document, or undefined when there is none. A damaged file is reported, not hidden. */
  async load(sha256: string): Promise<ExtractedDocument | undefined> {
    const file = this.pathFor(sha256);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      return JSON.parse(text) as ExtractedDocument;
    } catch (err) {
      throw new BrightRunError({ code: 'STATE_CORRUPT', file, message: `${file} is damaged (not valid JSON).`, remedy: 'Delete it; the document will be extracted again on the next run.' }, { cause: err });
    }
  }

  /** Forgets a stored document (so it is extracted again). Missing is fine. */
  async delete(sha256: string): Promise<void> {
    await fs.rm(this.pathFor(sha256), { force: true });
  }

  /** The stored document for these bytes when it was made by this extractor version; otherwise undefined. */
  async loadCurrent(sha256: string): Promise<ExtractedDocument | undefined> {
    try {
      const doc = await this.load(sha256);
      return doc?.extractor.version === EXTRACTOR_VERSION ? doc : undefined;
    } catch {
      return undefined; // damaged: extract again
    }
  }

  async isCurrent(sha256: string): Promise<boolean> {
    return (await this.loadCurrent(sha256)) !== undefined;
  }
}
