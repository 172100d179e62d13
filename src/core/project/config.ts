import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import schema from '../../../schemas/brightrun.schema.json';
import { BrightRunError } from '../errors';
import type { ExportFormat } from '../export/types';
import type { CsvEncoding } from '../export/formats/csvEncoding';
import type { FieldMapping } from '../export/formats/fieldMapping';
import { jsonErrorLocation } from '../jsonPosition';

/** The on-disk format this build reads and writes; see docs/project-format.md. */
export const PROJECT_FORMAT_VERSION = 1;
export const CONFIG_FILE = 'brightrun.json';

export type RecordTemplate = 'completion' | 'instruction' | 'chat';
/** An export profile of brightrun.json (`exports[]`): what `brightrun export --name <name>` writes. */
export interface ExportProfile {
  name: string;
  /** "huggingface" is the older spelling of "hf". */
  formats: (ExportFormat | 'huggingface')[];
  compression?: 'none' | 'gzip';
  /** Deprecated: true means compression "gzip". */
  compress?: boolean;
  lineageColumns?: boolean;
  json?: { pretty?: boolean; mapping?: FieldMapping };
  csv?: { delimiter?: string; quote?: string; encoding?: CsvEncoding; header?: boolean };
  tfrecord?: Record<string, never>;
  /** Options of the other writers, validated by the schema and read by each writer (docs/export-formats.md). */
  parquet?: { codec?: 'snappy' | 'gzip' | 'brotli' | 'zstd' | 'uncompressed'; rowGroupRows?: number; rowGroupChars?: number };
  hf?: { files?: 'parquet' | 'jsonl'; shardBytes?: number; codec?: string; rowGroupRows?: number; rowGroupChars?: number; title?: string; description?: string; license?: string; language?: string[] };
  pytorch?: { tokenizer?: 'none' | 'qwen3'; maxTokens?: number };
  'llama-factory'?: { style?: 'auto' | 'alpaca' | 'sharegpt'; name?: string; datasetInfo?: string; title?: string; description?: string; license?: string; language?: string[] };
  axolotl?: { pathPrefix?: string };
  template?: { record?: string; recordFile?: string; header?: string; headerFile?: string; footer?: string; footerFile?: string; extension?: string; separator?: string; timeMs?: number; maxOutputChars?: number };
  /** `--watch`: milliseconds without a records change before re-exporting (default 2000). */
  watchDebounceMs?: number;
}
/** A Jinja template in brightrun.json: the text, or a file relative to the project folder. */
export type TemplateSource = string | { file: string };

export interface ProjectConfig {
  $schema?: string;
  formatVersion: number;
  name: string;
  description?: string;
  extract?: { ocr?: boolean; ocrLanguages?: string[]; maxFileSizeMB?: number; maxMemoryMB?: number; maxDecompressedMB?: number; maxImageMegapixels?: number; timeLimitSeconds?: number };
  records?: {
    /** Deprecated: read as `builders` (settings.ts). */
    builder?: 'chunk' | 'pairs';
    /** Deprecated and never applied: `builders` names the record kinds. */
    template?: RecordTemplate;
    tokenizer?: 'qwen3';
    targetTokens?: number;
    maxTokens?: number;
    overlapTokens?: number;
    minTokens?: number;
    overLength?: 'truncate' | 'drop';
    /** Deprecated (characters); read as targetTokens = chunkSize / 4 (src/core/records/settings.ts). */
    chunkSize?: number;
    /** Deprecated (characters); read as overlapTokens = chunkOverlap / 4. */
    chunkOverlap?: number;
    dedupe?: 'none' | 'exact' | 'near';
    /** dedupe "near": Jaccard similarity (0.5–1) of word 5-gram shingles from which a record is a near-duplicate (default 0.85). */
    nearDuplicateThreshold?: number;
    /** Leave repeated page furniture (running headers, footers, page numbers of PDFs and slides) out of chunks (default true). */
    removeFurniture?: boolean;
    /** Replace PII in records by placeholders: true (every kind) or some of the kinds; default false (src/core/records/pii.ts). */
    redactPii?: boolean | Array<'email' | 'phone' | 'iban' | 'card' | 'secret'>;
    /** Builders `records build` runs (default ['chunk', 'pairs']); generation is `records generate` (docs/records.md). */
    builders?: Array<'chunk' | 'instruction' | 'chat' | 'pairs'>;
    /** Shape of chat records in exported files; stored records always hold `messages`. Default 'openai'. */
    chatFormat?: 'openai' | 'sharegpt';
    templates?: {
      instruction?: { instruction?: TemplateSource; input?: TemplateSource; output?: TemplateSource };
      chat?: { system?: TemplateSource; turns?: Array<{ role: 'user' | 'assistant'; content: TemplateSource }> };
      limits?: { timeMs?: number; maxSteps?: number; maxOutputChars?: number };
    };
    pairs?: {
      mapping?: { kind: 'instruction'; instruction: string; input?: string; output: string; system?: string } | { kind: 'chat'; messages: string; system?: string };
      include?: string[];
      chunk?: boolean;
    };
    generate?: {
      baseUrl?: string;
      model: string;
      questionsPerChunk?: number;
      concurrency?: number;
      temperature?: number;
      maxTokens?: number;
      seed?: number;
      jsonMode?: boolean;
      output?: 'instruction' | 'chat';
      price?: { inputPerMTok: number; outputPerMTok: number };
      prompts?: { system?: TemplateSource; user?: TemplateSource };
      timeoutSeconds?: number;
      maxAttempts?: number;
      maxRetryAfterSeconds?: number;
    };
  };
  /** `stratifyBy`: report records, tokens and documents per stratum of this field (src/core/records/strata.ts). */
  splits?: { train: number; validation: number; test: number; seed?: number; stratifyBy?: string };
  exports?: ExportProfile[];
}

export function defaultConfig(name: string): ProjectConfig {
  return {
    formatVersion: PROJECT_FORMAT_VERSION,
    name,
    description: '',
    extract: { ocr: true, ocrLanguages: ['eng'], maxFileSizeMB: 512 },
    records: { builders: ['chunk', 'pairs'], tokenizer: 'qwen3', targetTokens: 512, maxTokens: 768, overlapTokens: 64, minTokens: 16, overLength: 'truncate', dedupe: 'exact' },
    splits: { train: 0.9, validation: 0.05, test: 0.05, seed: 42 },
    exports: [{ name: 'default', formats: ['huggingface', 'jsonl'] }],
  };
}

/** Turns any folder name into a valid dataset name ("My Docs (2024)" → "My-Docs-2024"). */
export function toDatasetName(raw: string): string {
  const cleaned = raw.normalize('NFKD').replace(/\p{M}/gu, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').replace(/-+$/, '').slice(0, 96);
  return cleaned || 'dataset';
}

let compiled: ValidateFunction<ProjectConfig> | undefined;
/** The schema validator, compiled on first use (compiling costs ~50 ms that commands like --help never need). */
function validateSchema(value: unknown): value is ProjectConfig {
  compiled ??= new Ajv({ allErrors: true, strict: true, verbose: true }).compile<ProjectConfig>(schema);
  const ok = compiled(value);
  validateSchema.errors = compiled.errors;
  return ok;
}
validateSchema.errors = undefined as ErrorObject[] | null | undefined;

/**
 * Migrations from older formats, keyed by the version they upgrade from. Each takes the parsed JSON of
 * version N and returns version N + 1. Empty while the format is at version 1.
 */
const migrations: Record<number, (old: Record<string, unknown>) => Record<string, unknown>> = {};

export interface ParsedConfig {
  config: ProjectConfig;
  /** True when the file was in an older format and was upgraded in memory (save to write it back). */
  migrated: boolean;
}

/** Parses and validates brightrun.json; every failure names the field and the fix. */
export function parseConfig(text: string, file: string): ParsedConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const at = jsonErrorLocation(text);
    const where = at ? `line ${at.line}, column ${at.column}` : undefined;
    throw new BrightRunError(
      {
        code: 'CONFIG_INVALID_JSON',
        file,
        message: `${file} is not valid JSON${where ? ` (${where})` : ''}: ${(err as Error).message}.`,
        remedy: 'Fix the JSON syntax there (or restore the file from git); Bright Run will not overwrite it until it parses.',
      },
      { cause: err },
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalid(file, 'the file must hold one JSON object', 'Restore brightrun.json from git, or delete it and create the project again.');
  }
  let obj = raw as Record<string, unknown>;
  const version = obj.formatVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw invalid(file, '`formatVersion` is missing or not a whole number ≥ 1', `Set "formatVersion": ${PROJECT_FORMAT_VERSION} (the format this Bright Run writes).`);
  }
  if (version > PROJECT_FORMAT_VERSION) {
    throw new BrightRunError({
      code: 'CONFIG_NEWER_FORMAT',
      file,
      message: `${file} uses project format ${version}, but this Bright Run understands format ${PROJECT_FORMAT_VERSION} at most.`,
      remedy: 'Update the Bright Run extension (or CLI) to open this project.',
    });
  }
  let migrated = false;
  for (let v = version; v < PROJECT_FORMAT_VERSION; v++) {
    const migrate = migrations[v];
    if (!migrate) throw invalid(file, `no migration from format ${v}`, 'Update Bright Run; if the problem stays, report it.');
    obj = migrate(obj);
    migrated = true;
  }
  if (!validateSchema(obj)) {
    const first = (validateSchema.errors ?? [])[0];
    throw describeSchemaError(file, first, (validateSchema.errors ?? []).length, validateSchema.errors ?? []);
  }
  const config = obj as unknown as ProjectConfig;
  checkCrossFieldRules(config, file);
  return { config, migrated };
}

export function serializeConfig(config: ProjectConfig): string {
  return JSON.stringify(config, null, 2) + '\n';
}

function checkCrossFieldRules(config: ProjectConfig, file: string): void {
  const s = config.splits;
  if (s) {
    const sum = s.train + s.validation + s.test;
    if (Math.abs(sum - 1) > 1e-6) {
      throw invalid(file, `\`splits\` ratios add up to ${+sum.toFixed(6)}, not 1`, 'Change splits.train, splits.validation and splits.test so they add up to 1 (e.g. 0.9, 0.05, 0.05).');
    }
  }
  const r = config.records;
  if (r?.chunkSize !== undefined && r.chunkOverlap !== undefined && r.chunkOverlap >= r.chunkSize) {
    throw invalid(file, '`records.chunkOverlap` must be smaller than `records.chunkSize`', 'Lower records.chunkOverlap (e.g. to a tenth of chunkSize).');
  }
  if (r?.chunkSize !== undefined && r.targetTokens !== undefined) {
    throw invalid(file, '`records.chunkSize` (characters, deprecated) and `records.targetTokens` are both set', 'Remove records.chunkSize; records.targetTokens replaces it.');
  }
  if (r?.chunkOverlap !== undefined && r.overlapTokens !== undefined) {
    throw invalid(file, '`records.chunkOverlap` (characters, deprecated) and `records.overlapTokens` are both set', 'Remove records.chunkOverlap; records.overlapTokens replaces it.');
  }
  if (r?.targetTokens !== undefined && r.maxTokens !== undefined && r.maxTokens < r.targetTokens) {
    throw invalid(file, `\`records.maxTokens\` (${r.maxTokens}) is smaller than \`records.targetTokens\` (${r.targetTokens})`, 'Raise records.maxTokens to at least targetTokens (e.g. 1.5 × targetTokens), or lower targetTokens.');
  }
  if (r?.overlapTokens !== undefined && r.overlapTokens >= (r.targetTokens ?? 512)) {
    throw invalid(file, `\`records.overlapTokens\` (${r.overlapTokens}) must be smaller than \`records.targetTokens\` (${r.targetTokens ?? 512})`, 'Lower records.overlapTokens (e.g. to an eighth of targetTokens).');
  }
  if (r?.minTokens !== undefined && r.maxTokens !== undefined && r.minTokens > r.maxTokens) {
    throw invalid(file, `\`records.minTokens\` (${r.minTokens}) is larger than \`records.maxTokens\` (${r.maxTokens})`, 'Lower records.minTokens, or raise records.maxTokens.');
  }
  if (r?.builders !== undefined && (r.builder !== undefined || r.template !== undefined)) {
    const old = r.builder !== undefined ? 'builder' : 'template';
    throw invalid(file, `\`records.${old}\` (deprecated) and \`records.builders\` are both set`, `Remove records.${old}; records.builders replaces it.`);
  }
  const names = new Set<string>();
  for (const [i, e] of (config.exports ?? []).entries()) {
    if (names.has(e.name)) throw invalid(file, `\`exports[${i}].name\` "${e.name}" is used twice`, 'Give each export profile its own name.');
    names.add(e.name);
    if (e.compress !== undefined && e.compression !== undefined) throw invalid(file, `\`exports[${i}].compress\` (deprecated) and \`exports[${i}].compression\` are both set`, 'Remove exports[].compress; compression ("none" or "gzip") replaces it.');
    const csv = e.csv;
    if (csv?.delimiter !== undefined && csv.quote !== undefined && csv.delimiter === csv.quote) throw invalid(file, `\`exports[${i}].csv.quote\` is the same character as \`exports[${i}].csv.delimiter\``, 'Choose a quote other than the delimiter (e.g. \'"\' with ",").');
  }
}

function invalid(file: string, what: string, remedy: string): BrightRunError {
  return new BrightRunError({ code: 'CONFIG_INVALID', file, message: `${file}: ${what}.`, remedy });
}

function describeSchemaError(file: string, error: ErrorObject | undefined, count: number, allErrors: readonly ErrorObject[] = []): BrightRunError {
  if (!error) return invalid(file, 'the configuration does not match its schema', 'Restore brightrun.json from git.');
  // A value that fits no branch of a oneOf (a template that is neither text nor {file}): name the whole choice.
  const choice = error.keyword === 'oneOf' ? undefined : allErrors.find((e) => e.keyword === 'oneOf' && error.instancePath.startsWith(e.instancePath));
  if (choice) {
    const desc = (choice.parentSchema as { description?: string } | undefined)?.description;
    return invalid(file, `\`${fieldName(choice) || '(root)'}\` has none of the allowed forms`, desc ? `Expected: ${desc}` : 'See docs/project-format.md for the allowed values.');
  }
  const field = fieldName(error);
  const more = count > 1 ? ` (and ${count - 1} more problem${count > 2 ? 's' : ''})` : '';
  const fieldSchema = error.keyword === 'required' || error.keyword === 'additionalProperties' ? undefined : (error.parentSchema as { description?: string } | undefined);
  let what: string;
  let remedy: string;
  switch (error.keyword) {
    case 'required': {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      const name = field ? `${field}.${missing}` : missing;
      what = `\`${name}\` is missing`;
      remedy = `Add "${missing}"${describeProperty(error.parentSchema, missing)}.`;
      break;
    }
    case 'additionalProperties': {
      const extra = (error.params as { additionalProperty: string }).additionalProperty;
      const name = field ? `${field}.${extra}` : extra;
      const known = Object.keys((error.parentSchema as { properties?: object }).properties ?? {}).join(', ');
      what = `\`${name}\` is not a known setting`;
      remedy = `Remove it or fix its spelling; known here: ${known}.`;
      break;
    }
    case 'enum': {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ');
      what = `\`${field || '(root)'}\` is ${JSON.stringify(error.data)}, which is not allowed`;
      remedy = `Use one of: ${allowed}.`;
      break;
    }
    default:
      what = `\`${field || '(root)'}\` ${error.message ?? 'is invalid'}${'data' in error && error.data !== undefined ? ` (found ${JSON.stringify(error.data)})` : ''}`;
      remedy = fieldSchema?.description ? `Expected: ${fieldSchema.description}` : 'See docs/project-format.md for the allowed values.';
  }
  return invalid(file, what + more, remedy);
}

function describeProperty(parentSchema: unknown, prop: string): string {
  const props = (parentSchema as { properties?: Record<string, { description?: string }> } | undefined)?.properties;
  const desc = props?.[prop]?.description;
  return desc ? ` — ${desc}` : '';
}

function fieldName(error: ErrorObject): string {
  return error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}
