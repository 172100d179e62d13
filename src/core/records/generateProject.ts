import * as path from 'node:path';
import { BrightRunError, throwIfAborted } from '../errors';
import type { Project } from '../project/project';
import type { OperationOptions } from '../progress';
import type { SecretSource } from '../secrets';
import { loadDocuments, projectDocuments, type ProjectDocument } from './build';
import type { SourceDocument } from './chunker';
import { builderKeys, generationChunks, isPairsCandidate, sourceChunkOf, type BuilderReport } from './documentRecords';
import { estimateGeneration, generateQaRecords, type GenerateOptions, type GenerateSettings, type GenerationEstimate, type GenerationFailure } from './llm/generate';
import { loadRecordSettings, type RecordSettings } from './settings';
import { RecordStore } from './store';
import { loadTokenizer, type TextTokenizer } from './tokenizer';
import type { CompletionRecord } from './types';

/**
 * `brightrun records generate`: question–answer generation (llm/generate.ts) over the project's chunks, one
 * document at a time. Each finished document's records go to `records/generated/<documentId>.<key>.jsonl`
 * (key: documentRecords.ts builderKeys, i.e. model, prompts, request and chunk parameters), which the next
 * `records build` merges without calling the model. Every answer is cached as it arrives (llm/cache.ts), so a
 * cancelled or killed run resumes where it stopped, and a document with malformed replies is asked again (only
 * for those chunks) on the next run.
 */

export interface ProjectGenerateOptions extends OperationOptions {
  /** Overrides of records.generate (the CLI passes OPENAI_BASE_URL as baseUrl). */
  overrides?: { baseUrl?: string };
  /** API key source ('openai.apiKey'); the CLI passes the environment. */
  secrets?: SecretSource;
  /** Backoff timing (tests shorten it), and retry notices. */
  retry?: GenerateOptions['retry'];
  onRetry?: GenerateOptions['onRetry'];
}

export interface ProjectGenerationEstimate extends GenerationEstimate {
  model: string;
  baseUrl: string;
  /** Documents with chunks to generate from, and those already generated for these settings (skipped). */
  documents: number;
  done: number;
  price?: GenerateSettings['price'];
}

export interface ProjectGenerationResult {
  documents: number;
  /** Records generated (all documents of this run, cached answers included). */
  records: number;
  requests: number;
  cached: number;
  /** Malformed replies (after one more try), with their document: counted, reported, asked again next run. */
  failed: Array<GenerationFailure & { sourcePath: string }>;
  usage: { promptTokens: number; completionTokens: number };
  /** USD from the usage the server reported, when prices are set. */
  costUsd?: number;
  /** Generated files of other settings or vanished documents removed after a complete run. */
  removedStale: number;
}

interface Plan {
  settings: RecordSettings;
  generate: GenerateSettings;
  store: RecordStore;
  tok: TextTokenizer;
  cacheDir: string;
  docs: Array<{ d: ProjectDocument; key: string }>;
}

/** The generation settings or a CONFIG_INVALID error naming records.generate.model. */
async function plan(project: Project, opts: ProjectGenerateOptions): Promise<Plan> {
  const settings = await loadRecordSettings(project.config, project.root);
  if (!settings.generate) {
    throw new BrightRunError({
      code: 'CONFIG_INVALID', file: project.paths.config,
      message: 'brightrun.json has no `records.generate` section, so there is no model to generate questions and answers with.',
      remedy: 'Add e.g. "generate": {"model": "qwen2.5:7b-instruct", "baseUrl": "http://127.0.0.1:11434/v1"} under "records" (docs/records.md).',
    });
  }
  const generate = { ...settings.generate, ...(opts.overrides?.baseUrl ? { baseUrl: opts.overrides.baseUrl } : {}) };
  if (generate.baseUrl !== displayUrl(generate.baseUrl)) {
    // fetch refuses URLs with credentials; and a password there would end up in logs and messages.
    throw new BrightRunError({
      code: 'CONFIG_INVALID',
      file: opts.overrides?.baseUrl ? 'OPENAI_BASE_URL' : project.paths.config,
      message: `The generation endpoint ${displayUrl(generate.baseUrl)} is given with a user name or password in its URL (${opts.overrides?.baseUrl ? 'OPENAI_BASE_URL' : 'records.generate.baseUrl'}).`,
      remedy: 'Remove "user:password@" from the URL; put the key in OPENAI_API_KEY (CLI) or "Bright Run: Set API Token…" (VS Code).',
    });
  }
  const store = new RecordStore(project.paths.records);
  const docs = (await projectDocuments(project)).map((d) => ({ d, key: builderKeys(settings, d.format !== undefined && isPairsCandidate(d.sourcePath, d.format, settings)).generate }));
  return { settings, generate, store, tok: loadTokenizer(settings.chunk.tokenizer), cacheDir: path.join(project.paths.dataDir, 'cache', 'generate'), docs };
}

/** Whether a document's generated records are complete for the current settings (present, no malformed replies left). */
async function isDone(store: RecordStore, id: string, key: string): Promise<boolean> {
  const meta = await store.readDocumentMeta(id, key, 'generated');
  return meta !== undefined && !meta.failed?.length;
}

/** A document's chunks for generation: the stored chunk records when current, else chunked now. */
async function chunksOf(p: Plan, source: SourceDocument): Promise<CompletionRecord[]> {
  const candidate = isPairsCandidate(source.sourcePath, source.doc.format, p.settings);
  const chunkKey = builderKeys(p.settings, candidate).chunk;
  let stored: CompletionRecord[] | undefined;
  if (await p.store.hasDocument(source.doc.id, chunkKey)) {
    let applied = true;
    stored = [];
    for await (const r of p.store.readDocument(source.doc.id, chunkKey, { onMeta: (m) => (applied = !m.notApplied) })) stored.push(r as CompletionRecord);
    if (!applied) return [];
  }
  return [...generationChunks(source, p.settings, p.tok, stored)];
}

function generateOptions(p: Plan, opts: ProjectGenerateOptions, signal?: AbortSignal): GenerateOptions {
  return {
    settings: p.generate, cacheDir: p.cacheDir, countTokens: (t) => p.tok.count(t),
    ...(opts.secrets ? { secrets: opts.secrets } : {}), ...(opts.retry ? { retry: opts.retry } : {}), ...(opts.onRetry ? { onRetry: opts.onRetry } : {}), ...(signal ? { signal } : {}),
  };
}

async function* pending(project: Project, p: Plan, signal?: AbortSignal): AsyncGenerator<{ source: SourceDocument; key: string; chunks: CompletionRecord[] } | { done: ProjectDocument }> {
  const todo: Array<{ d: ProjectDocument; key: string }> = [];
  for (const x of p.docs) {
    if (await isDone(p.store, x.d.id, x.key)) yield { done: x.d };
    else todo.push(x);
  }
  const keyOf = new Map(todo.map((x) => [x.d.id, { key: x.key, format: x.d.format }]));
  for await (const source of loadDocuments(project, todo.map((x) => x.d))) {
    throwIfAborted(signal);
    // The key by the document's own format (sources.json may not know it).
    const key = source.doc.format === keyOf.get(source.doc.id)?.format ? keyOf.get(source.doc.id)!.key : builderKeys(p.settings, isPairsCandidate(source.sourcePath, source.doc.format, p.settings)).generate;
    yield { source, key, chunks: await chunksOf(p, source) };
  }
}

/** What a run would cost, before it starts: chunks, requests left (cached answers and generated documents are free), tokens (the project's tokenizer) and USD. */
export async function estimateProjectGeneration(project: Project, opts: ProjectGenerateOptions = {}): Promise<ProjectGenerationEstimate> {
  const p = await plan(project, opts);
  const est: ProjectGenerationEstimate = { model: p.generate.model, baseUrl: p.generate.baseUrl, documents: 0, done: 0, chunks: 0, cached: 0, requests: 0, promptTokens: 0, completionTokens: 0, maxCompletionTokens: 0, ...(p.generate.price ? { price: p.generate.price, costUsd: 0, maxCostUsd: 0 } : {}) };
  let seen = 0;
  for await (const item of pending(project, p, opts.signal)) {
    opts.onProgress?.({ done: ++seen, total: p.docs.length, unit: 'files', ...('source' in item ? { current: item.source.sourcePath } : {}) });
    if ('done' in item) {
      est.done++;
      continue;
    }
    if (!item.chunks.length) continue;
    est.documents++;
    const e = await estimateGeneration(item.source.doc, item.chunks.map(sourceChunkOf), generateOptions(p, opts, opts.signal));
    est.chunks += e.chunks;
    est.cached += e.cached;
    est.requests += e.requests;
    est.promptTokens += e.promptTokens;
    est.completionTokens += e.completionTokens;
    est.maxCompletionTokens += e.maxCompletionTokens;
    if (est.costUsd !== undefined) {
      est.costUsd += e.costUsd ?? 0;
      est.maxCostUsd = (est.maxCostUsd ?? 0) + (e.maxCostUsd ?? 0);
    }
  }
  return est;
}

/**
 * Generates the records of every document not yet generated for the current settings. Progress counts chunks
 * (`unit: 'records'`) over the documents left. Throws RUN_IN_PROGRESS when a build or generation of the project runs
 * already (another window or process), LLM_REQUEST_FAILED when a request fails after its retries,
 * CANCELLED on the signal; either way every answer received stays cached and every finished document stays written.
 */
export function generateProjectRecords(project: Project, opts: ProjectGenerateOptions = {}): Promise<ProjectGenerationResult> {
  // Two generation runs at once would ask the model twice for the same chunks (RUN_IN_PROGRESS instead).
  return project.withRunLock('records', () => generateUnlocked(project, opts));
}

async function generateUnlocked(project: Project, opts: ProjectGenerateOptions): Promise<ProjectGenerationResult> {
  const p = await plan(project, opts);
  const result: ProjectGenerationResult = { documents: 0, records: 0, requests: 0, cached: 0, failed: [], usage: { promptTokens: 0, completionTokens: 0 }, removedStale: 0 };
  const keep = new Set<string>();
  // Total chunks to go, for one progress bar over all documents: a first pass over the documents left.
  const work: Array<{ d: ProjectDocument; chunks: number }> = [];
  for await (const item of pending(project, p, opts.signal)) {
    if ('done' in item) keep.add(`${item.done.id}.${p.docs.find((x) => x.d.id === item.done.id)!.key}.jsonl`);
    else if (item.chunks.length) work.push({ d: p.docs.find((x) => x.d.id === item.source.doc.id)!.d, chunks: item.chunks.length });
    else {
      // Nothing to generate from (a pairs document): an empty file says so, so builds do not count it as pending.
      await p.store.writeDocument(item.source.doc.id, item.key, [], { builder: 'generate', records: 0, notApplied: 'pairs-document' }, 'generated');
      keep.add(`${item.source.doc.id}.${item.key}.jsonl`);
    }
  }
  const total = work.reduce((n, w) => n + w.chunks, 0);
  let before = 0;
  const workIds = new Set(work.map((w) => w.d.id));
  for await (const item of pending(project, { ...p, docs: p.docs.filter((x) => workIds.has(x.d.id)) }, opts.signal)) {
    if ('done' in item || !item.chunks.length) continue;
    const { source, key } = item;
    const r = await generateQaRecords(source.doc, item.chunks.map(sourceChunkOf), {
      ...generateOptions(p, opts, opts.signal),
      onProgress: (x) => opts.onProgress?.({ done: before + x.done, total, unit: 'records', current: source.sourcePath }),
    });
    before += item.chunks.length;
    const records = r.records.map((x) => ({ ...x, lineage: { ...x.lineage, sourcePath: source.sourcePath } }));
    const meta: BuilderReport = { builder: 'generate', records: records.length, model: p.generate.model, ...(r.failed.length ? { failed: r.failed } : {}) };
    await p.store.writeDocument(source.doc.id, key, records, meta, 'generated');
    keep.add(`${source.doc.id}.${key}.jsonl`);
    result.documents++;
    result.records += records.length;
    result.requests += r.requests;
    result.cached += r.cached;
    result.usage.promptTokens += r.usage.promptTokens;
    result.usage.completionTokens += r.usage.completionTokens;
    for (const f of r.failed) result.failed.push({ ...f, sourcePath: source.sourcePath });
  }
  const price = p.generate.price;
  if (price) result.costUsd = (result.usage.promptTokens * price.inputPerMTok + result.usage.completionTokens * price.outputPerMTok) / 1e6;
  result.removedStale = await p.store.cleanGenerated(keep);
  return result;
}

import { displayUrl } from './llm/client';
export { displayUrl };

/** US dollars for display: 4 decimals under a cent, else 2. */
export function formatUsd(n: number): string {
  return `$${n < 0.01 && n > 0 ? n.toFixed(4) : n.toFixed(2)}`;
}
