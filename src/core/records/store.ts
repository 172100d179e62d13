import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs, type WriteStream } from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { BrightRunError } from '../errors';
import { writeFileAtomic } from '../fs/atomicWrite';
import type { StratumField, StratumStats } from './strata';
import type { SplitName, TrainingRecord } from './types';

/** Per-split figures of a build. */
export interface SplitStats {
  records: number;
  tokens: number;
  documents: number;
  /** Records over maxTokens: truncated or dropped (never silent). */
  overLength: { truncated: number; dropped: number };
}

/** What the per-document step found besides its records (quality counts), stored beside them. */
export interface DocumentSummary {
  /** Lines of repeated page furniture left out of the chunks. */
  furnitureLines?: number;
}

/** `.brightrun/records/manifest.json`: which build is current, and its figures. */
export interface RecordsManifest {
  formatVersion: 1;
  /** Folder under records/builds/ holding the current records. */
  build: string;
  builtAt: string;
  builder: 'chunk';
  paramsHash: string;
  settings: object;
  documents: number;
  splits: Record<SplitName, SplitStats>;
  /** Records dropped: exact duplicates, near-duplicates (dedupe "near"; absent in older manifests), too short. */
  dropped: { duplicates: number; nearDuplicates?: number; tooShort: number };
  /** Repeated page furniture left out of chunks: lines, and documents that had some (absent in older manifests). */
  furniture?: { lines: number; documents: number };
  /** With records.redactPii: replacements per kind and records changed (before de-duplication and limits). */
  pii?: { email: number; phone: number; iban: number; card: number; secret: number; records: number };
  /** With splits.stratifyBy: per split, per stratum (value of the field), records, tokens and documents. */
  strata?: { field: StratumField; splits: Record<SplitName, Record<string, StratumStats>> };
}

const MARKER = 'building.json';

/**
 * The records folder (docs/project-format.md): per-document record files `by-document/<documentId>.<paramsHash>.jsonl`
 * (immutable, reused by later builds with the same parameters), builds `builds/<id>/<split>.jsonl` written by
 * streaming, and `manifest.json` naming the current build, switched with writeFileAtomic. A build killed midway
 * leaves the previous manifest and its folder untouched; stale build folders are removed after each publish.
 */
export class RecordStore {
  readonly manifestFile: string;
  readonly byDocument: string;
  readonly builds: string;

  constructor(readonly dir: string) {
    this.manifestFile = path.join(dir, 'manifest.json');
    this.byDocument = path.join(dir, 'by-document');
    this.builds = path.join(dir, 'builds');
  }

  documentFile(documentId: string, paramsHash: string): string {
    return path.join(this.byDocument, `${documentId}.${paramsHash}.jsonl`);
  }

  async hasDocument(documentId: string, paramsHash: string): Promise<boolean> {
    return fs.access(this.documentFile(documentId, paramsHash)).then(() => true, () => false);
  }

  /** The figures of one document's build step beside its records (`<documentId>.<paramsHash>.summary.json`). */
  summaryFile(documentId: string, paramsHash: string): string {
    return path.join(this.byDocument, `${documentId}.${paramsHash}.summary.json`);
  }

  /** Writes a document's records, and its summary first when given (the records file marks the pair complete). */
  async writeDocument(documentId: string, paramsHash: string, records: readonly TrainingRecord[], summary?: DocumentSummary): Promise<void> {
    await fs.mkdir(this.byDocument, { recursive: true });
    if (summary) await writeFileAtomic(this.summaryFile(documentId, paramsHash), JSON.stringify(summary) + '\n');
    await writeFileAtomic(this.documentFile(documentId, paramsHash), records.map((r) => JSON.stringify(r) + '\n'));
  }

  /** A document's summary, or an empty one (none written, or an older build). */
  async readSummary(documentId: string, paramsHash: string): Promise<DocumentSummary> {
    try {
      return JSON.parse(await fs.readFile(this.summaryFile(documentId, paramsHash), 'utf8')) as DocumentSummary;
    } catch {
      return {};
    }
  }

  /** The records of one document file, one at a time. */
  async *readDocument(documentId: string, paramsHash: string): AsyncGenerator<TrainingRecord> {
    yield* readJsonl(this.documentFile(documentId, paramsHash));
  }

  /** A new, empty build folder with a marker naming this process (so cleanup of a live build is skipped). */
  async startBuild(): Promise<BuildWriter> {
    const id = `${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(4).toString('hex')}`;
    const dir = path.join(this.builds, id);
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, MARKER), JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }));
    return new BuildWriter(id, dir);
  }

  async readManifest(): Promise<RecordsManifest | undefined> {
    let text: string;
    try {
      text = await fs.readFile(this.manifestFile, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      return JSON.parse(text) as RecordsManifest;
    } catch (err) {
      throw new BrightRunError({ code: 'STATE_CORRUPT', file: this.manifestFile, message: `${this.manifestFile} is damaged (not valid JSON).`, remedy: 'Delete it and run "brightrun records build" again.' }, { cause: err });
    }
  }

  /** Makes `build` current (atomic switch of the manifest), then removes stale builds and unused document files. */
  async publish(build: BuildWriter, manifest: RecordsManifest, usedDocumentFiles: ReadonlySet<string>): Promise<void> {
    await build.close();
    await fs.rm(path.join(build.dir, MARKER), { force: true });
    await writeFileAtomic(this.manifestFile, JSON.stringify(manifest, null, 2) + '\n');
    await this.clean(manifest.build, usedDocumentFiles);
  }

  /** Streams the current build's records (all splits, or one). */
  async *records(split?: SplitName): AsyncGenerator<TrainingRecord> {
    const manifest = await this.readManifest();
    if (!manifest) return;
    for (const s of split ? [split] : (['train', 'validation', 'test'] as const)) {
      yield* readJsonl(path.join(this.builds, manifest.build, `${s}.jsonl`));
    }
  }

  private async clean(current: string, used: ReadonlySet<string>): Promise<void> {
    for (const name of await fs.readdir(this.builds).catch(() => [] as string[])) {
      if (name === current) continue;
      const dir = path.join(this.builds, name);
      const marker = await fs.readFile(path.join(dir, MARKER), 'utf8').then((t) => JSON.parse(t) as { pid: number }, () => undefined);
      if (marker && marker.pid !== process.pid && isAlive(marker.pid)) continue; // another build in progress
      await fs.rm(dir, { recursive: true, force: true });
    }
    for (const name of await fs.readdir(this.byDocument).catch(() => [] as string[])) {
      const records = name.endsWith('.summary.json') ? name.replace(/\.summary\.json$/, '.jsonl') : name;
      if (records.endsWith('.jsonl') && !used.has(records)) await fs.rm(path.join(this.byDocument, name), { force: true });
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes one build's split files by streaming, with back-pressure. */
export class BuildWriter {
  private readonly streams = new Map<SplitName, WriteStream>();

  constructor(
    readonly id: string,
    readonly dir: string,
  ) {}

  async write(split: SplitName, record: TrainingRecord): Promise<void> {
    let s = this.streams.get(split);
    if (!s) {
      s = createWriteStream(path.join(this.dir, `${split}.jsonl`), { flags: 'w' });
      this.streams.set(split, s);
    }
    if (!s.write(JSON.stringify(record) + '\n')) await new Promise<void>((resolve) => s.once('drain', () => resolve()));
  }

  async close(): Promise<void> {
    for (const split of ['train', 'validation', 'test'] as const) if (!this.streams.has(split)) await fs.writeFile(path.join(this.dir, `${split}.jsonl`), '');
    await Promise.all([...this.streams.values()].map((s) => new Promise<void>((resolve, reject) => s.end((err?: Error | null) => (err ? reject(err) : resolve())))));
    for (const split of this.streams.keys()) {
      const h = await fs.open(path.join(this.dir, `${split}.jsonl`), 'r+');
      await h.sync();
      await h.close();
    }
  }

  /** Stops writing (a failed build); the folder is removed by the next publish. */
  async abandon(): Promise<void> {
    for (const s of this.streams.values()) s.destroy();
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}

async function* readJsonl(file: string): AsyncGenerator<TrainingRecord> {
  const input = createReadStream(file, { encoding: 'utf8' });
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of lines) if (line.trim()) yield JSON.parse(line) as TrainingRecord;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  } finally {
    lines.close();
    input.destroy();
  }
}
