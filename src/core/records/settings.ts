import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BrightRunError } from '../errors';
import type { ProjectConfig, TemplateSource } from '../project/config';
import type { ChunkParams } from './chunker';
import { DEFAULT_GENERATE_SETTINGS, type GenerateSettings } from './llm/generate';
import { DEFAULT_GENERATION_PROMPTS } from './llm/prompts';
import type { PairMapping } from './pairs';
import { DEFAULT_CHAT_TEMPLATES, DEFAULT_INSTRUCTION_TEMPLATES, MAX_TEMPLATE_CHARS, type ChatTemplates, type InstructionTemplates, type RenderLimits } from './templates';
import { PII_KINDS, type PiiKind } from './pii';
import type { StratumField } from './strata';

/** Builders `records build` runs (generation is `records generate`). Their records are written in this order. */
export type BuildBuilderName = 'chunk' | 'instruction' | 'chat' | 'pairs';
export const BUILD_BUILDERS: readonly BuildBuilderName[] = ['chunk', 'instruction', 'chat', 'pairs'];

/** Pairs import settings, resolved. */
export interface PairsSettings {
  /** Explicit mapping; undefined → detected per document (pairs.ts detectMapping). */
  mapping?: PairMapping;
  /** Glob patterns of source paths that may be pairs documents; undefined → every CSV / TSV / JSON / JSONL source. */
  include?: string[];
  /** Also run chunk / instruction / chat over documents imported as pairs. Default false. */
  chunk: boolean;
}

/**
 * Everything a records build needs from brightrun.json, with defaults filled in and template files read: plain
 * data (strings, numbers), so it can be posted to a worker or child process as it is.
 */
export interface RecordSettings {
  chunk: ChunkParams;
  /** Records under this many tokens are dropped (counted). */
  minTokens: number;
  /** Records over chunk.maxTokens: truncated at a word boundary, or dropped (counted per split either way). */
  overLength: 'truncate' | 'drop';
  /** 'exact': normalised-text hash; 'near': that, then MinHash/LSH near-duplicates (minhash.ts). */
  dedupe: 'none' | 'exact' | 'near';
  /** dedupe 'near': estimated Jaccard similarity of word 5-gram shingles at or above which a record is dropped. */
  nearDuplicateThreshold: number;
  /** PII kinds redacted in every record (pii.ts); [] = off (the default). `redactPii: true` means all kinds. */
  redactPii: PiiKind[];
  splits: { train: number; validation: number; test: number; seed: number; stratifyBy?: StratumField };
  /** The builders `records build` runs, in BUILD_BUILDERS order. */
  builders: BuildBuilderName[];
  /** Shape of chat records in exported files (stored records always hold `messages`). */
  chatFormat: 'openai' | 'sharegpt';
  templates: { instruction: InstructionTemplates; chat: ChatTemplates; limits: Partial<RenderLimits> };
  pairs: PairsSettings;
  /** `records generate` settings; undefined when brightrun.json has no `records.generate`. */
  generate?: GenerateSettings;
}

export const RECORD_DEFAULTS = { targetTokens: 512, overlapTokens: 64, minTokens: 16, overLength: 'truncate', seed: 42, builders: ['chunk', 'pairs'], nearDuplicateThreshold: 0.85 } as const;

/** Characters per token assumed when reading the deprecated character settings chunkSize / chunkOverlap. */
export const CHARS_PER_TOKEN = 4;

/** Template file contents by the path written in brightrun.json (loadRecordSettings reads them). */
export type TemplateFiles = ReadonlyMap<string, string>;

/**
 * The record settings of a (validated) config. Old configs keep working: `chunkSize` / `chunkOverlap` were
 * characters and are read as tokens ÷ 4 (≈ English prose in Qwen3 tokens); parseConfig refuses a config that
 * sets both an old and its new key. maxTokens defaults to 1.5 × targetTokens. The deprecated `builder` is read as
 * `builders` ("pairs" → ["pairs"], otherwise the default). Templates given as `{file}` are looked up in `files`
 * (loadRecordSettings fills it); a file missing there is a CONFIG_INVALID error naming the field.
 */
export function recordSettings(config: ProjectConfig, files: TemplateFiles = new Map()): RecordSettings {
  const r = config.records ?? {};
  const targetTokens = r.targetTokens ?? (r.chunkSize !== undefined ? Math.max(16, Math.round(r.chunkSize / CHARS_PER_TOKEN)) : RECORD_DEFAULTS.targetTokens);
  const maxTokens = r.maxTokens ?? Math.ceil(targetTokens * 1.5);
  const overlap = r.overlapTokens ?? (r.chunkOverlap !== undefined ? Math.round(r.chunkOverlap / CHARS_PER_TOKEN) : RECORD_DEFAULTS.overlapTokens);
  const s = config.splits ?? { train: 0.9, validation: 0.05, test: 0.05 };
  const wanted = new Set<BuildBuilderName>(r.builders ?? (r.builder === 'pairs' ? ['pairs'] : RECORD_DEFAULTS.builders));
  const text = (src: TemplateSource | undefined, field: string, fallback: string): string => (src === undefined ? fallback : templateText(src, field, files));
  const ti = r.templates?.instruction;
  const tc = r.templates?.chat;
  const limits: Partial<RenderLimits> = {};
  for (const k of ['timeMs', 'maxSteps', 'maxOutputChars'] as const) if (r.templates?.limits?.[k] !== undefined) limits[k] = r.templates.limits[k];
  const settings: RecordSettings = {
    chunk: { tokenizer: r.tokenizer ?? 'qwen3', targetTokens, maxTokens, overlapTokens: Math.min(overlap, targetTokens - 1), removeFurniture: r.removeFurniture ?? true },
    minTokens: Math.min(r.minTokens ?? RECORD_DEFAULTS.minTokens, maxTokens),
    overLength: r.overLength ?? RECORD_DEFAULTS.overLength,
    dedupe: r.dedupe ?? 'exact',
    nearDuplicateThreshold: r.nearDuplicateThreshold ?? RECORD_DEFAULTS.nearDuplicateThreshold,
    redactPii: r.redactPii === true ? [...PII_KINDS] : Array.isArray(r.redactPii) ? PII_KINDS.filter((k) => (r.redactPii as string[]).includes(k)) : [],
    splits: { train: s.train, validation: s.validation, test: s.test, seed: s.seed ?? RECORD_DEFAULTS.seed, ...(s.stratifyBy ? { stratifyBy: s.stratifyBy as StratumField } : {}) },
    builders: BUILD_BUILDERS.filter((b) => wanted.has(b)),
    chatFormat: r.chatFormat ?? 'openai',
    templates: {
      instruction: {
        instruction: text(ti?.instruction, 'records.templates.instruction.instruction', DEFAULT_INSTRUCTION_TEMPLATES.instruction),
        input: text(ti?.input, 'records.templates.instruction.input', DEFAULT_INSTRUCTION_TEMPLATES.input),
        output: text(ti?.output, 'records.templates.instruction.output', DEFAULT_INSTRUCTION_TEMPLATES.output),
      },
      chat: {
        // Each part keeps its default when left out; "system": "" leaves the system prompt out.
        system: text(tc?.system, 'records.templates.chat.system', DEFAULT_CHAT_TEMPLATES.system ?? ''),
        turns: tc?.turns ? tc.turns.map((t, i) => ({ role: t.role, content: text(t.content, `records.templates.chat.turns[${i}].content`, '') })) : DEFAULT_CHAT_TEMPLATES.turns.map((t) => ({ ...t })),
      },
      limits,
    },
    pairs: {
      ...(r.pairs?.mapping ? { mapping: r.pairs.mapping } : {}),
      ...(r.pairs?.include ? { include: [...r.pairs.include] } : {}),
      chunk: r.pairs?.chunk ?? false,
    },
  };
  if (r.generate) {
    const g = r.generate;
    settings.generate = {
      ...DEFAULT_GENERATE_SETTINGS,
      ...(g.baseUrl !== undefined ? { baseUrl: g.baseUrl } : {}),
      model: g.model,
      ...pick(g, ['questionsPerChunk', 'concurrency', 'temperature', 'maxTokens', 'seed', 'jsonMode', 'output', 'timeoutSeconds', 'maxAttempts', 'maxRetryAfterSeconds']),
      ...(g.price ? { price: { ...g.price } } : {}),
      prompts: {
        system: text(g.prompts?.system, 'records.generate.prompts.system', DEFAULT_GENERATION_PROMPTS.system),
        user: text(g.prompts?.user, 'records.generate.prompts.user', DEFAULT_GENERATION_PROMPTS.user),
      },
    };
  }
  return settings;
}

function pick<T extends object, K extends keyof T>(obj: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}

function templateText(src: TemplateSource, field: string, files: TemplateFiles): string {
  if (typeof src === 'string') return src;
  const text = files.get(src.file);
  if (text === undefined) {
    throw new BrightRunError({ code: 'CONFIG_INVALID', file: src.file, message: `brightrun.json: \`${field}\` names the template file "${src.file}", which was not read.`, remedy: 'Load the settings with loadRecordSettings(config, projectRoot), which reads template files.' });
  }
  return text;
}

/** Every `{file}` template reference in the records section, with the field that holds it. */
export function templateFileRefs(config: ProjectConfig): Array<{ field: string; file: string }> {
  const r = config.records ?? {};
  const refs: Array<{ field: string; file: string }> = [];
  const add = (src: TemplateSource | undefined, field: string) => {
    if (src !== undefined && typeof src !== 'string') refs.push({ field, file: src.file });
  };
  for (const k of ['instruction', 'input', 'output'] as const) add(r.templates?.instruction?.[k], `records.templates.instruction.${k}`);
  add(r.templates?.chat?.system, 'records.templates.chat.system');
  r.templates?.chat?.turns?.forEach((t, i) => add(t.content, `records.templates.chat.turns[${i}].content`));
  add(r.generate?.prompts?.system, 'records.generate.prompts.system');
  add(r.generate?.prompts?.user, 'records.generate.prompts.user');
  return refs;
}

/**
 * recordSettings with the template files read from the project folder. A file must lie inside the project
 * (no `..` out of it, no absolute path elsewhere), exist, and hold at most MAX_TEMPLATE_CHARS characters;
 * otherwise CONFIG_INVALID names the field, the file and the fix. The file's text (not its name) enters the
 * builder's paramsHash, so editing a template file rebuilds that builder's records.
 */
export async function loadRecordSettings(config: ProjectConfig, projectRoot: string): Promise<RecordSettings> {
  const files = new Map<string, string>();
  const root = path.resolve(projectRoot);
  for (const { field, file } of templateFileRefs(config)) {
    if (files.has(file)) continue;
    const abs = path.resolve(root, file);
    const rel = path.relative(root, abs);
    if (rel.startsWith('..') || path.isAbsolute(rel)) {
      throw new BrightRunError({ code: 'CONFIG_INVALID', file: file, message: `brightrun.json: \`${field}\` names "${file}", which is outside the project folder.`, remedy: 'Keep template files in the project (e.g. templates/instruction.jinja) and give the path relative to brightrun.json.' });
    }
    let text: string;
    try {
      text = await fs.readFile(abs, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new BrightRunError(
        { code: 'CONFIG_INVALID', file: abs, message: `brightrun.json: \`${field}\` names the template file "${file}", which ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'error'})`}.`, remedy: 'Create the file, fix the path (relative to brightrun.json), or write the template inline as a string.' },
        { cause: err },
      );
    }
    if (text.length > MAX_TEMPLATE_CHARS) {
      throw new BrightRunError({ code: 'TEMPLATE_LIMIT', file: abs, message: `Template file "${file}" (\`${field}\`) is ${text.length.toLocaleString('en')} characters long (at most ${MAX_TEMPLATE_CHARS.toLocaleString('en')}).`, remedy: 'Shorten the template; put long fixed text in the system prompt or the data.' });
    }
    files.set(file, text.replace(/\r\n/g, '\n').replace(/\n$/, ''));
  }
  return recordSettings(config, files);
}
