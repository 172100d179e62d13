import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../fs/atomicWrite';
import { canonicalJson } from '../ids';

/**
 * The generation cache: one small JSON file per answered request, `<dir>/<key[0..2]>/<key>.json`, written
 * atomically as each answer arrives — so a re-run costs nothing and a killed run resumes keeping every answer
 * already received. The key is the sha256 of the chunk text's sha256, the prompt's hash, the model and the
 * request parameters (canonical JSON): change any of them and the request is made again.
 */
export interface CacheKeyParts {
  chunkText: string;
  promptHash: string;
  model: string;
  /** Everything else that changes the reply: questions per chunk, temperature, max tokens, seed, base URL. */
  params: Record<string, unknown>;
}

export function cacheKey(parts: CacheKeyParts): string {
  const textHash = createHash('sha256').update(parts.chunkText).digest('hex');
  return createHash('sha256').update(canonicalJson({ v: 1, textHash, promptHash: parts.promptHash, model: parts.model, params: parts.params })).digest('hex');
}

export class GenerationCache {
  constructor(readonly dir: string) {}

  private file(key: string): string {
    return path.join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  /** The stored value, or undefined when absent or unreadable (a damaged entry is asked again). */
  async get<T>(key: string): Promise<T | undefined> {
    try {
      return JSON.parse(await fs.readFile(this.file(key), 'utf8')) as T;
    } catch {
      return undefined;
    }
  }

  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  async put(key: string, value: unknown): Promise<void> {
    const file = this.file(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, JSON.stringify(value) + '\n');
  }
}
