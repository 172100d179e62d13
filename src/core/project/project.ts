import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BrightRunError, fsError } from '../errors';
import { writeFileAtomic } from '../fs/atomicWrite';
import { CONFIG_FILE, defaultConfig, parseConfig, serializeConfig, toDatasetName, type ProjectConfig } from './config';
import { withLock } from './lock';
import { withRunLock, type RunKind } from './runLock';
import { appendLog, type LogEntry } from './processingLog';
import { projectPaths, type ProjectPaths } from './paths';
import { appendJournal, applyLines, readJournalIndex, removeJournal, type JournalIndex, type JournalLine } from './sourceJournal';
import { countByStatus, readCompactedId, writeSourcesFile, type SourceEntry, type SourceStatus } from './sources';
import { scanSourcesFile, writeSourcesStream, type SourceVisitor } from './sourcesStream';

export interface ProjectStatus {
  name: string;
  root: string;
  formatVersion: number;
  documents: Record<SourceStatus, number>;
  sources: number;
  bytes: number;
}

export interface OpenOptions {
  /** Named in lock messages another process shows: "VS Code", "brightrun CLI". */
  owner?: string;
}

/**
 * The journal is compacted once it is larger than half of sources.json (so a run writes the list O(1) times
 * per change, amortised), and never below this size. Half, not whole: readers hold the journal's lines in
 * memory (one per changed source), the list they stream.
 */
const JOURNAL_MIN_COMPACT_BYTES = 256 * 1024;
const JOURNAL_COMPACT_SHARE = 0.5;

/** Lines of .brightrun/.gitignore: machine-local and bulky things stay out of git. */
const DATA_GITIGNORE = ['# Written by Bright Run: machine-local files stay out of git.', 'lock', 'lock.stale-*', '*.run.lock', '*.run.lock.stale-*', '*.tmp', 'cache/', ''].join('\n');

/** A dataset project on disk: brightrun.json + .brightrun/. All writes are atomic and made under the project lock. */
export class Project {
  readonly paths: ProjectPaths;

  private constructor(
    readonly root: string,
    private currentConfig: ProjectConfig,
    private readonly owner: string,
  ) {
    this.paths = projectPaths(root);
  }

  get config(): ProjectConfig {
    return this.currentConfig;
  }

  /** Creates a project in `root` (which must exist). Refuses if one is there, valid or not. */
  static async create(root: string, options: OpenOptions & { name?: string; description?: string } = {}): Promise<Project> {
    const absRoot = path.resolve(root);
    await assertDirectory(absRoot);
    const paths = projectPaths(absRoot);
    await fs.mkdir(paths.dataDir, { recursive: true });
    const owner = options.owner ?? 'brightrun';
    return withLock(paths.lock, { owner }, async () => {
      if (await exists(paths.config)) {
        throw new BrightRunError({
          code: 'PROJECT_EXISTS',
          file: paths.config,
          message: `A dataset project already exists in ${absRoot}.`,
          remedy: 'Open it instead, or delete brightrun.json and .brightrun/ to start over.',
        });
      }
      const config = defaultConfig(toDatasetName(options.name ?? path.basename(absRoot)));
      if (options.description) config.description = options.description;
      parseConfig(serializeConfig(config), paths.config); // a bad --name fails here, before anything is written
      for (const dir of [paths.documents, paths.records, paths.logs, paths.runs]) await fs.mkdir(dir, { recursive: true });
      const gitignore = path.join(paths.dataDir, '.gitignore');
      if (!(await exists(gitignore))) await writeFileAtomic(gitignore, DATA_GITIGNORE);
      if (!(await exists(paths.sources))) await writeSourcesFile(paths.sources, []);
      await writeFileAtomic(paths.config, serializeConfig(config));
      await appendLog(paths.logs, [{ level: 'info', stage: 'project', message: `Created project "${config.name}"` }]);
      return new Project(absRoot, config, owner);
    });
  }

  /** Opens the project whose brightrun.json is in `root`. */
  static async open(root: string, options: OpenOptions = {}): Promise<Project> {
    const absRoot = path.resolve(root);
    const config = await readConfig(projectPaths(absRoot).config);
    return new Project(absRoot, config, options.owner ?? 'brightrun');
  }

  /** The nearest folder at or above `start` that holds a brightrun.json, or undefined. */
  static async find(start: string): Promise<string | undefined> {
    let dir = path.resolve(start);
    for (;;) {
      if (await exists(path.join(dir, CONFIG_FILE))) return dir;
      const parent = path.dirname(dir);
      if (parent === dir) return undefined;
      dir = parent;
    }
  }

  /** Like find + open, with a specific error when there is none. */
  static async locate(start: string, options: OpenOptions = {}): Promise<Project> {
    const root = await Project.find(start);
    if (!root) {
      throw new BrightRunError({
        code: 'PROJECT_NOT_FOUND',
        file: path.resolve(start),
        message: `No Bright Run project (brightrun.json) in ${path.resolve(start)} or any folder above it.`,
        remedy: 'Create one with "brightrun init" (or "Bright Run: Create Dataset Project" in VS Code), or pass --project <dir>.',
      });
    }
    return Project.open(root, options);
  }

  async reloadConfig(): Promise<ProjectConfig> {
    this.currentConfig = await readConfig(this.paths.config);
    return this.currentConfig;
  }

  /** Validates and saves a new configuration. Refuses if the file on disk is broken (it is the user's to fix). */
  async saveConfig(config: ProjectConfig): Promise<void> {
    const text = serializeConfig(config);
    parseConfig(text, this.paths.config);
    await this.withLock(async () => {
      await readConfig(this.paths.config);
      await writeFileAtomic(this.paths.config, text);
    });
    this.currentConfig = config;
  }

  withLock<T>(fn: () => Promise<T>): Promise<T> {
    return withLock(this.paths.lock, { owner: this.owner }, fn);
  }
  /**
   * Runs a long operation of `kind` holding its run lock (runLock.ts) for its whole length: a second one, in
   * another window or process, fails at once with RUN_IN_PROGRESS naming this one.
   */
  withRunLock<T>(kind: RunKind, fn: () => Promise<T>): Promise<T> {
    return withRunLock(this.paths.dataDir, kind, { owner: this.owner }, fn);
  }


  /** The source list: sources.json with the status journal (sourceJournal.ts) applied. O(sources + journal). */
  async readSources(): Promise<SourceEntry[]> {
    return (await this.readSourceState()).sources;
  }

  /**
   * The sources `keep` accepts (journal applied), in sources.json's order (by path). Only those are held: the
   * rest are looked at one at a time as the file is read (a run over 10 queued sources of 100,000 holds 10).
   */
  async selectSources(keep: (s: SourceEntry) => boolean): Promise<SourceEntry[]> {
    let kept: SourceEntry[] = [];
    await this.scanSources(() => {
      kept = [];
      return (s) => {
        if (keep(s)) kept.push(s);
      };
    });
    return kept;
  }

  /**
   * Visits every source (journal applied) in sources.json's order without holding the list: memory is that of
   * the journal's lines. `start` is called for a visitor before the first source — and again, to start afresh,
   * should the file turn out not to be in the layout Bright Run writes (sourcesStream.ts). Returns the id of
   * the journal it applied or found absorbed.
   */
  async scanSources(start: () => SourceVisitor | Promise<SourceVisitor>): Promise<{ journal?: string }> {
    // The journal first: a compaction between the two reads then names it in sources.json, and it is not applied twice.
    const journal = await readJournalIndex(this.paths.sourcesJournal);
    await this.scanWith(journal, start);
    return journal ? { journal: journal.id } : {};
  }

  private async scanWith(journal: JournalIndex | undefined, start: () => SourceVisitor | Promise<SourceVisitor>): Promise<void> {
    await scanSourcesFile(this.paths.sources, async (compacted) => {
      const visit = await start();
      // A journal sources.json already absorbed (a compaction killed before removing it) is not applied again,
      // but is still named, so the next write removes it.
      const lines = journal && journal.id !== compacted ? journal.byPath : undefined;
      return lines ? (s) => visit(applyLines(s, lines.get(s.path))) : visit;
    });
  }

  private async readSourceState(): Promise<{ sources: SourceEntry[]; journal?: string }> {
    let sources: SourceEntry[] = [];
    const { journal } = await this.scanSources(() => {
      sources = [];
      return (s) => {
        sources.push(s);
      };
    });
    return { sources, ...(journal ? { journal } : {}) };
  }

  /**
   * Read-modify-write of the source list under the lock; `mutate` returns the new list and a result. Returning
   * the list it was given, unchanged, writes nothing (re-adding an unchanged folder). A write absorbs the journal.
   */
  updateSources<T>(mutate: (sources: SourceEntry[]) => { sources: SourceEntry[]; result: T }): Promise<T> {
    return this.withLock(async () => {
      const current = await this.readSourceState();
      const { sources, result } = mutate(current.sources);
      if (sources !== current.sources || current.journal) await this.writeCompacted(sources, current.journal);
      return result;
    });
  }

  /**
   * Records status changes (extraction) by appending them to the journal: the cost is that of the changes, not
   * of the list. When the journal outgrows half of sources.json it is compacted into it, so each change costs
   * O(1) amortised (tests count the rewrites: `sourceListWrites`).
   */
  appendSourceChanges(lines: readonly JournalLine[]): Promise<void> {
    if (lines.length === 0) return Promise.resolve();
    return this.withLock(async () => {
      const journalBytes = await appendJournal(this.paths.sourcesJournal, lines, await readCompactedId(this.paths.sources));
      const listBytes = await fs.stat(this.paths.sources).then((st) => st.size, () => 0);
      if (journalBytes > Math.max(listBytes * JOURNAL_COMPACT_SHARE, JOURNAL_MIN_COMPACT_BYTES)) await this.compactUnlocked();
    });
  }

  /** Folds the journal into sources.json (the end of a run does this, so that at rest the list is whole). */
  compactSources(): Promise<void> {
    return this.withLock(() => this.compactUnlocked());
  }

  /**
   * Streams sources.json through the journal into a new sources.json, one source at a time: memory is that of
   * the journal's lines, not of the list (issue #13). A list not sorted by path (edited by hand) is sorted by
   * a whole read instead.
   */
  private async compactUnlocked(): Promise<void> {
    const journal = await readJournalIndex(this.paths.sourcesJournal);
    if (!journal) return;
    try {
      // Written as it is read: the file being read is replaced only once the new one is complete.
      await writeSourcesStream(this.paths.sources, journal.id, async (put, restart) => {
        let last: string | undefined;
        await this.scanWith(journal, async () => {
          await restart();
          last = undefined;
          return async (s) => {
            if (last !== undefined && !(last < s.path)) throw new UnsortedList();
            last = s.path;
            await put(s);
          };
        });
      });
    } catch (err) {
      if (!(err instanceof UnsortedList)) throw err;
      const current = await this.readSourceState();
      await this.writeCompacted(current.sources, current.journal);
      return;
    }
    this.sourceListWrites++;
    await removeJournal(this.paths.sourcesJournal);
  }

  private async writeCompacted(sources: SourceEntry[], journal: string | undefined): Promise<void> {
    await writeSourcesFile(this.paths.sources, sources, journal);
    this.sourceListWrites++;
    if (journal) await removeJournal(this.paths.sourcesJournal);
  }

  /** How many times this object rewrote sources.json (tests count them: the cost per batch must not grow). */
  sourceListWrites = 0;

  /** Counts by status, read one source at a time (the list is not held). */
  async status(): Promise<ProjectStatus> {
    let documents: Record<SourceStatus, number> = { queued: 0, extracting: 0, done: 0, failed: 0 };
    let sources = 0;
    let bytes = 0;
    await this.scanSources(() => {
      documents = { queued: 0, extracting: 0, done: 0, failed: 0 };
      sources = bytes = 0;
      return (s) => {
        documents[s.status]++;
        sources++;
        bytes += s.size;
      };
    });
    return { name: this.config.name, root: this.root, formatVersion: this.config.formatVersion, documents, sources, bytes };
  }

  /** The status for a source list already read (no second read of sources.json). */
  statusOf(sources: readonly SourceEntry[]): ProjectStatus {
    return {
      name: this.config.name,
      root: this.root,
      formatVersion: this.config.formatVersion,
      documents: countByStatus(sources),
      sources: sources.length,
      bytes: sources.reduce((sum, s) => sum + s.size, 0),
    };
  }

  log(entries: Omit<LogEntry, 'time'>[]): Promise<void> {
    return appendLog(this.paths.logs, entries);
  }
}

/** A compaction met a list not sorted by path: its streamed output is dropped. */
class UnsortedList extends Error {}

async function readConfig(file: string): Promise<ProjectConfig> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new BrightRunError({
        code: 'PROJECT_NOT_FOUND',
        file,
        message: `No Bright Run project here: ${file} does not exist.`,
        remedy: 'Create one with "brightrun init" or "Bright Run: Create Dataset Project".',
      });
    }
    throw fsError(err, file, 'read');
  }
  return parseConfig(text, file).config;
}

async function assertDirectory(dir: string): Promise<void> {
  let stat;
  try {
    stat = await fs.stat(dir);
  } catch (err) {
    throw fsError(err, dir, 'create a project in');
  }
  if (!stat.isDirectory()) {
    throw new BrightRunError({ code: 'INVALID_ARGUMENT', file: dir, message: `${dir} is not a folder.`, remedy: 'Choose a folder for the project.' });
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
