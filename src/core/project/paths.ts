import * as path from 'node:path';
import { CONFIG_FILE } from './config';

/** Where everything of a project lives; see docs/project-format.md. */
export interface ProjectPaths {
  root: string;
  config: string;
  dataDir: string;
  documents: string;
  records: string;
  logs: string;
  runs: string;
  sources: string;
  /** Status journal over sources.json (sourceJournal.ts); absent at rest. */
  sourcesJournal: string;
  queue: string;
  registry: string;
  lock: string;
  exports: string;
}

export const DATA_DIR = '.brightrun';

export function projectPaths(root: string): ProjectPaths {
  const data = path.join(root, DATA_DIR);
  return {
    root,
    config: path.join(root, CONFIG_FILE),
    dataDir: data,
    documents: path.join(data, 'documents'),
    records: path.join(data, 'records'),
    logs: path.join(data, 'logs'),
    runs: path.join(data, 'runs'),
    sources: path.join(data, 'sources.json'),
    sourcesJournal: path.join(data, 'sources.journal.jsonl'),
    queue: path.join(data, 'queue.json'),
    registry: path.join(data, 'registry.json'),
    lock: path.join(data, 'lock'),
    exports: path.join(root, 'exports'),
  };
}

/** The path stored for a source: relative with '/' when inside the project (git-friendly), absolute otherwise. */
export function toStoredPath(root: string, file: string): string {
  const rel = path.relative(root, file);
  if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return rel.split(path.sep).join('/');
  return path.resolve(file);
}

export function fromStoredPath(root: string, stored: string): string {
  return path.isAbsolute(stored) ? stored : path.join(root, ...stored.split('/'));
}
