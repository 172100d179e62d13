import { mkdirSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BrightRunError } from '../errors';
import { syncFiles, writeFileAtomic, writeFileAtomicSync } from '../fs/atomicWrite';
import type { ExtractionSummary } from '../project/sources';
import { documentFileContent, readDocumentHeader, summarize, type HeaderReadCounters, type StoredDocument } from './documentFile';
import { EXTRACTOR_VERSION, type ExtractedDocument } from './types';

/**
 * Extracted documents live in .brightrun/documents/<sha256>.json, keyed by the source's content: the same
 * bytes added twice, or under two names, are extracted once. Writes are atomic. Each file starts with a small
 * header (documentFile.ts), so that checking a stored document costs its first bytes, not its size.
 */
export class DocumentStore {
  constructor(private readonly dir: string) {}

  pathFor(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return path.join(this.dir, `${sha256}.json`);
  }

  /** Bytes read and whole documents parsed by `currentSummary` (tests check the cost of a reuse check). */
  readonly reuseChecks: HeaderReadCounters = { bytesRead: 0, wholeParses: 0 };

  private madeDir: Promise<unknown> | undefined;
  /** Saved with `batched` and not yet made durable by `publish`. */
  private unpublished: string[] = [];

  /**
   * Saves a document atomically (readers see the old file or the new one). `batched`: without its own fsync —
   * the caller then calls `publish` before it records the document as done (the status journal), so that a
   * status that says done never outlives its document, even on a power loss.
   */
  async save(doc: ExtractedDocument, options: { batched?: boolean } = {}): Promise<void> {
    this.madeDir ??= fs.mkdir(this.dir, { recursive: true });
    await this.madeDir.catch(() => fs.mkdir(this.dir, { recursive: true }));
    const file = this.pathFor(doc.id);
    await writeFileAtomic(file, documentFileContent(doc), { durable: !options.batched });
    if (options.batched) this.unpublished.push(file);
  }

  /**
   * Writes a document atomically without an fsync and returns its file, synchronously: for a pool process, which
   * runs one task at a time (blocking calls spare it a thread-pool round trip per call). Whoever records the
   * document as done first makes it durable: `adopt` it into a store, then `publish`.
   */
  saveUnsyncedSync(doc: ExtractedDocument): string {
    if (!madeDirs.has(this.dir)) mkdirSync(this.dir, { recursive: true });
    madeDirs.add(this.dir);
    const file = this.pathFor(doc.id);
    writeFileAtomicSync(file, documentFileContent(doc));
    return file;
  }

  /** The same, asynchronously (a document merged from page ranges in the pool's own thread). */
  async saveUnsynced(doc: ExtractedDocument): Promise<string> {
    await fs.mkdir(this.dir, { recursive: true });
    const file = this.pathFor(doc.id);
    await writeFileAtomic(file, documentFileContent(doc), { durable: false });
    return file;
  }

  /** Takes a document file written unsynced (by a pool process) into the next `publish`, as if saved with `batched`. */
  adopt(file: string): void {
    this.unpublished.push(file);
  }

  /** Makes the documents saved with `batched` since the last call durable: one group of fsyncs per batch. */
  async publish(): Promise<void> {
    const files = this.unpublished;
    this.unpublished = [];
    try {
      await syncFiles(files, this.dir);
    } catch (err) {
      this.unpublished.unshift(...files); // their statuses wait for the next batch; so does their durability
      throw err;
    }
  }

  /** The ids (sha256) of the documents stored now, from one listing of the folder (empty when it does not exist). */
  async storedIds(): Promise<Set<string>> {
    const names = await fs.readdir(this.dir).catch(() => [] as string[]);
    const ids = new Set<string>();
    for (const name of names) if (name.length === 69 && name.endsWith('.json')) ids.add(name.slice(0, 64));
    return ids;
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
      const { summary: _summary, ...doc } = JSON.parse(text) as StoredDocument;
      return doc;
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
    return (await this.currentSummary(sha256)) !== undefined;
  }

  /**
   * The summary of the stored document for these bytes when it was made by this extractor version; otherwise
   * undefined (none, another version, damaged). Reads the file's header only (a few KB, whatever the
   * document's size); a document stored before headers were written is read whole, once — the next save of
   * those bytes writes a header.
   */
  async currentSummary(sha256: string): Promise<ExtractionSummary | undefined> {
    try {
      const header = await readDocumentHeader(this.pathFor(sha256), this.reuseChecks);
      if (header === null) return undefined;
      if (header) return header.extractor.version === EXTRACTOR_VERSION && header.id === sha256 ? header.summary : undefined;
      this.reuseChecks.wholeParses++;
      const doc = await this.loadCurrent(sha256);
      return doc ? summarize(doc) : undefined;
    } catch {
      return undefined; // unreadable: extract again
    }
  }
}

/** Folders saveUnsyncedSync made (or found) in this process: one mkdir per folder, not one per document. */
const madeDirs = new Set<string>();
