import { canonicalJson, recordId, shortHash } from './ids';
import { performance } from 'node:perf_hooks';
import { BrightRunError, throwIfAborted } from '../errors';
import type { ExtractedDocument } from '../extract/types';
import type { OperationOptions } from '../progress';
import { dottedName, GUARD_FILTERS, GUARD_TESTS, RECORD_TEMPLATE_NAMES, UndefinedName, type AstNode, type StrictNames } from './templateNames';
import type { BuilderName, ChatMessage, ChatRecord, InstructionRecord, RecordLineage } from './types';

export { OPTIONAL_TEMPLATE_KEYS, RECORD_TEMPLATE_NAMES, type StrictNames } from './templateNames';
export { chatExportShape, roleOfShareGptFrom, toOpenAiMessages, toShareGpt, type ChatFormat } from './chatFormats';

// The package is an ES module with a CommonJS build (dist/index.cjs) that `require` picks. Its declarations
// import './runtime' without an extension, which Node16 resolution cannot follow from a CommonJS file, so
// the few members used here are declared locally (checked against @huggingface/jinja 0.5.11 src/index.ts).
interface JinjaValue { type: string; value: unknown }
interface Environment { set(name: string, value: unknown): JinjaValue }
type Program = { type: 'Program' };
interface Interpreter { run(program: Program): JinjaValue; evaluate(statement: unknown, environment: Environment): JinjaValue }
interface JinjaModule {
  Environment: new (parent?: Environment) => Environment;
  Interpreter: new (env?: Environment) => Interpreter;
  tokenize(source: string, options?: { lstrip_blocks?: boolean; trim_blocks?: boolean }): unknown[];
  parse(tokens: unknown[]): Program;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const jinja = require('@huggingface/jinja') as JinjaModule;
const { parse, tokenize } = jinja;

/**
 * Instruction (Alpaca) and chat records from Jinja templates over a chunk and its document (issue #10).
 * Templates are rendered by `@huggingface/jinja` — the dialect of Hugging Face chat templates; it reads only
 * the values given (no JavaScript prototypes, no code execution) — inside a bounded interpreter: the library
 * has no time or loop limit of its own (/work/shared/api D4), so every evaluation step is counted and timed
 * here (RenderLimits). See docs/records.md for the measured cost of the caps.
 */

/** Caps of one render. A template over any of them fails with TEMPLATE_LIMIT, naming the cap. */
export interface RenderLimits {
  /** Wall-clock milliseconds of one render (checked at every evaluation step). Default 200. */
  timeMs: number;
  /** Evaluation steps (AST nodes evaluated) of one render. Default 1,000,000. */
  maxSteps: number;
  /** Nesting of evaluations (macro recursion, nested blocks). Default 400, far below the JS stack. */
  maxDepth: number;
  /** UTF-16 units of any one string value, the rendered output included. Default 1,000,000. */
  maxOutputChars: number;
  /** UTF-16 units of all string values produced in one render (bounds memory churn). Default 16 × maxOutputChars. */
  maxProducedChars: number;
  /**
   * Items of any one list (`range()` included). Default 10,000: the library's `for` prepares every item before
   * the first iteration, so one huge list would run past the time cap inside a single step.
   */
  maxListItems: number;
}

export const DEFAULT_RENDER_LIMITS: RenderLimits = { timeMs: 200, maxSteps: 1_000_000, maxDepth: 400, maxOutputChars: 1_000_000, maxProducedChars: 16_000_000, maxListItems: 10_000 };

/** Largest template source accepted, in UTF-16 units. */
export const MAX_TEMPLATE_CHARS = 64 * 1024;

/** A parsed template, ready to render many times. */
export interface CompiledTemplate {
  /** Where the template came from, for errors: e.g. `records.templates.instruction`. */
  name: string;
  source: string;
  /** First 16 hex digits of sha256(source). */
  hash: string;
  program: Program;
}

/** Parses a template; a syntax error becomes TEMPLATE_INVALID naming the template and, where found, the line and column. */
export function compileTemplate(source: string, name: string): CompiledTemplate {
  if (source.length > MAX_TEMPLATE_CHARS) {
    throw templateError('TEMPLATE_LIMIT', name, `is ${source.length.toLocaleString('en')} characters long (at most ${MAX_TEMPLATE_CHARS.toLocaleString('en')})`, 'Shorten the template; put long fixed text in the system prompt or the data.');
  }
  try {
    const program = parse(tokenize(source, { lstrip_blocks: true, trim_blocks: true }));
    return { name, source, hash: shortHash(source), program };
  } catch (err) {
    const where = locateSyntaxError(source);
    const raw = (err as Error).message;
    // An unclosed block runs the parser off the end of the tokens (a TypeError inside the library).
    const detail = /Cannot read propert/.test(raw) ? 'a block is not closed ({% if %}, {% for %}, {% macro %} or {% set %} without its end tag?)' : raw;
    const why = err instanceof RangeError ? 'nests too deeply' : `does not parse${where ? ` at line ${where.line}, column ${where.column}` : ''}: ${detail}`;
    throw templateError('TEMPLATE_INVALID', name, why, 'Fix the Jinja syntax there: every {{ needs }}, every {% if %} / {% for %} its {% endif %} / {% endfor %}, strings their quotes.', err);
  }
}

/**
 * Renders a compiled template with the given variables, within the limits. Returns the output, trimmed.
 * `strict`: a name that is not defined (`{{ chunk.txt }}`, `{{ chunks }}`) fails with TEMPLATE_INVALID naming it,
 * instead of rendering empty — except the `optional` attributes, and any name under an `is defined` /
 * `is undefined` test or a `default` filter (Jinja's own ways to say a value may be missing).
 */
export function renderTemplate(template: CompiledTemplate, vars: Record<string, unknown>, limits: Partial<RenderLimits> = {}, strict?: StrictNames): string {
  const caps = { ...DEFAULT_RENDER_LIMITS, ...limits };
  const env = new jinja.Environment();
  // The library's own globals, less `strftime_now` (records must not depend on the clock), with a capped range().
  const constants: Record<string, unknown> = { true: true, false: false, none: null, True: true, False: false, None: null };
  for (const [k, v] of Object.entries(constants)) env.set(k, v);
  env.set('raise_exception', (message: string) => {
    throw new TemplateRaised(String(message));
  });
  env.set('range', (start: number, stop?: number, step = 1) => boundedRange(start, stop, step, caps.maxListItems));
  for (const [k, v] of Object.entries(vars)) env.set(k, v);
  const interpreter = new BoundedInterpreter(env, caps, strict);
  try {
    return String(interpreter.run(template.program).value).trim();
  } catch (err) {
    if (err instanceof LimitReached) throw templateError('TEMPLATE_LIMIT', template.name, `stopped: ${err.message}`, 'Simplify the template (fewer or shorter loops, no recursion), or raise the cap if the output really is that large.');
    if (err instanceof RangeError) throw templateError('TEMPLATE_LIMIT', template.name, `stopped: ${err.message}`, 'Remove the recursion or the huge value from the template.', err);
    if (err instanceof TemplateRaised) throw templateError('TEMPLATE_INVALID', template.name, `raised an error: ${err.message}`, 'The template itself called raise_exception(); check the values it tests.', err);
    if (err instanceof UndefinedName) {
      throw templateError('TEMPLATE_INVALID', template.name, `uses \`${err.message}\`, which is not defined`, `Check the spelling: the variables are ${strict?.known ?? 'those given'}. A value that may be missing can be tested with "is defined" or given a "| default(…)".`, err);
    }
    throw templateError('TEMPLATE_INVALID', template.name, `failed to render: ${(err as Error).message}`, 'Check the variable names (chunk.text, chunk.headingPath, chunk.page, document.title, …) and the filters used.', err);
  }
}

/** Evaluation steps before the time cap is checked (~0.1–1 ms of work; the default templates take a few hundred). */
const CLOCK_GRACE_STEPS = 5_000;

class LimitReached extends Error {}
class TemplateRaised extends Error {}
/** The library's interpreter with every evaluation counted, timed and size-checked. */
class BoundedInterpreter extends jinja.Interpreter {
  private steps = 0;
  private depth = 0;
  private produced = 0;
  private readonly deadline: number;

  /** Depth of guards (`is defined`, `| default`) around the expression being evaluated. */
  private guarded = 0;

  constructor(env: Environment, private readonly caps: RenderLimits, private readonly strict?: StrictNames) {
    super(env);
    this.deadline = performance.now() + caps.timeMs;
    // A filter or function given a huge number (`indent(400000000)`, `center(…)`) builds its text in one
    // step, before any check here sees it: numeric arguments above the output cap are refused up front.
    // evaluateArguments is private in the library's typings; it is a plain method at run time (0.5.11).
    const self = this as unknown as {
      evaluateArguments?: (args: unknown[], env: Environment) => [JinjaValue[], Map<string, JinjaValue>];
      evaluateBlock?: (statements: unknown[], env: Environment) => JinjaValue;
    };
    // A loop body runs through evaluateBlock, not evaluate: an empty body would otherwise iterate unchecked.
    const block = self.evaluateBlock;
    if (typeof block === 'function') {
      self.evaluateBlock = (statements, env) => {
        this.tick();
        return block.call(this, statements, env);
      };
    }
    const original = self.evaluateArguments;
    if (typeof original === 'function') {
      self.evaluateArguments = (args, env) => {
        const result = original.call(this, args, env);
        for (const v of [...result[0], ...result[1].values()]) {
          if (typeof v.value === 'number' && Math.abs(v.value) > caps.maxOutputChars) throw new LimitReached(`a function or filter was given ${v.value.toLocaleString('en')} (numbers passed to functions are capped at ${caps.maxOutputChars.toLocaleString('en')})`);
        }
        return result;
      };
    }
  }

  /** One step: counted against maxSteps, and the clock read (~50 ns; a step of the library costs ~1–50 µs). */
  private tick(): void {
    if (++this.steps > this.caps.maxSteps) throw new LimitReached(`more than ${this.caps.maxSteps.toLocaleString('en')} evaluation steps`);
    // The clock counts only past the first CLOCK_GRACE_STEPS steps: a template that small cannot run long by itself,
    // and a render paused by GC or a starved CPU (a loaded build machine) must not fail a build.
    if (this.steps > CLOCK_GRACE_STEPS && performance.now() > this.deadline) throw new LimitReached(`ran longer than ${this.caps.timeMs} ms`);
  }

  override evaluate(statement: unknown, environment: Environment): JinjaValue {
    const caps = this.caps;
    this.tick();
    if (++this.depth > caps.maxDepth) throw new LimitReached(`nested deeper than ${caps.maxDepth} levels (recursion?)`);
    const node = statement as AstNode;
    const guard = this.strict !== undefined && ((node.type === 'TestExpression' && GUARD_TESTS.has(String(node.test?.value))) || (node.type === 'FilterExpression' && GUARD_FILTERS.has(String(node.filter?.type === 'CallExpression' ? node.filter.callee?.value : node.filter?.value))));
    if (guard) this.guarded++;
    try {
      const value = super.evaluate(statement, environment);
      if (this.strict && !this.guarded && value.type === 'UndefinedValue') this.checkDefined(node);
      const v = value.value as unknown;
      if (typeof v === 'string') {
        if (v.length > caps.maxOutputChars) throw new LimitReached(`made a text of ${v.length.toLocaleString('en')} characters (at most ${caps.maxOutputChars.toLocaleString('en')})`);
        this.produced += v.length;
        if (this.produced > caps.maxProducedChars) throw new LimitReached(`produced more than ${caps.maxProducedChars.toLocaleString('en')} characters in all`);
      } else if (Array.isArray(v) && v.length > caps.maxListItems) {
        throw new LimitReached(`made a list of ${v.length.toLocaleString('en')} items (at most ${caps.maxListItems.toLocaleString('en')})`);
      }
      return value;
    } finally {
      this.depth--;
      if (guard) this.guarded--;
    }
  }

  /** A strict render: an identifier or attribute that came out undefined is an error unless it is optional. */
  private checkDefined(node: AstNode): void {
    if (node.type === 'Identifier') throw new UndefinedName(String(node.value));
    if (node.type === 'MemberExpression' && !node.computed && node.property?.type === 'Identifier' && !this.strict!.optional.has(String(node.property.value))) {
      throw new UndefinedName(dottedName(node) || String(node.property.value));
    }
  }
}

function boundedRange(start: number, stop: number | undefined, step: number, max: number): number[] {
  const [from, to] = stop === undefined ? [0, start] : [start, stop];
  if (step === 0) throw new Error('range() step must not be zero');
  const count = Math.max(0, Math.ceil((to - from) / step));
  if (count > max) throw new LimitReached(`range() of ${count.toLocaleString('en')} items (at most ${max.toLocaleString('en')})`);
  return Array.from({ length: count }, (_, i) => from + i * step);
}

/**
 * Where a syntax error is: the library's errors carry no position, so the template is re-tokenized tag by tag —
 * the first `{{ … }}` / `{% … %}` / `{# … #}` whose prefix no longer tokenizes, or an expression tag that does not
 * parse on its own. Undefined when neither finds it (an unclosed block, say: the message names what is missing).
 */
export function locateSyntaxError(source: string): { line: number; column: number } | undefined {
  const tag = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|\{#[\s\S]*?#\}/g;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = tag.exec(source))) {
    last = m.index + m[0].length;
    try {
      tokenize(source.slice(0, last));
      if (m[0].startsWith('{{')) parse(tokenize(m[0]));
    } catch {
      return lineColumn(source, m.index);
    }
  }
  const rest = /\{[{%#]/.exec(source.slice(last));
  if (rest) return lineColumn(source, last + rest.index);
  return undefined;
}

function lineColumn(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function templateError(code: 'TEMPLATE_INVALID' | 'TEMPLATE_LIMIT', name: string, why: string, remedy: string, cause?: unknown): BrightRunError {
  return new BrightRunError({ code, file: name, message: `Template ${name} ${why}`.slice(0, 500), remedy }, cause === undefined ? undefined : { cause });
}

// ── records ──────────────────────────────────────────────────────────────────────────────────────────────

/** A piece of a document to make records from: what the chunk builder hands over (a CompletionRecord fits). */
export interface SourceChunk {
  text: string;
  /** [start, end) in ExtractedDocument.text. */
  span: { start: number; end: number };
  headingPath: string[];
  page?: number;
  slide?: number;
}

/** Alpaca record templates: each field a Jinja template. */
export interface InstructionTemplates {
  instruction: string;
  input: string;
  output: string;
}

/** Chat record templates: an optional system prompt, then the turns in order. */
export interface ChatTemplates {
  system?: string;
  turns: Array<{ role: 'user' | 'assistant'; content: string }>;
}

/**
 * Default Alpaca templates: the chunk becomes the answer to a request to explain its section.
 * Variables: `chunk` {text, headingPath, heading, page, slide, index}, `document` {title, author, subject,
 * keywords, language, created, modified, name, path, format, pages}.
 */
export const DEFAULT_INSTRUCTION_TEMPLATES: InstructionTemplates = {
  instruction: `{% if chunk.heading %}Explain "{{ chunk.heading }}"{% else %}Write the passage{% endif %}{% if document.title %} from "{{ document.title }}"{% endif %}.`,
  input: `{% if chunk.headingPath | length > 1 %}Section: {{ chunk.headingPath | join(' > ') }}{% endif %}`,
  output: `{{ chunk.text }}`,
};

export const DEFAULT_CHAT_TEMPLATES: ChatTemplates = {
  system: `You are a helpful assistant who answers from {% if document.title %}"{{ document.title }}"{% else %}the user's documents{% endif %}.`,
  turns: [
    { role: 'user', content: `{% if chunk.heading %}What does "{{ chunk.heading }}" say?{% else %}What does this part of {{ document.title or document.name }} say?{% endif %}` },
    { role: 'assistant', content: `{{ chunk.text }}` },
  ],
};

/** The variables a template sees for one chunk. */
export function templateVariables(chunk: SourceChunk, doc: ExtractedDocument, index: number): Record<string, unknown> {
  const m = doc.metadata;
  const document: Record<string, unknown> = { name: doc.source.name, path: doc.source.path, format: doc.format };
  for (const key of ['title', 'author', 'subject', 'keywords', 'language', 'created', 'modified', 'pages', 'slides'] as const) if (m[key] !== undefined) document[key] = m[key];
  const c: Record<string, unknown> = { text: chunk.text, headingPath: chunk.headingPath, heading: chunk.headingPath.at(-1) ?? '', index };
  if (chunk.page !== undefined) c.page = chunk.page;
  if (chunk.slide !== undefined) c.slide = chunk.slide;
  return { chunk: c, document };
}

export interface TemplateRecordOptions extends OperationOptions {
  limits?: Partial<RenderLimits>;
  /** Drop a record whose output (assistant turn) renders empty, counting it; default true. */
  skipEmpty?: boolean;
}

export interface TemplateRecordResult<R> {
  records: R[];
  /** Chunks whose record rendered empty (skipped, by chunk index). */
  empty: number[];
}

/** Alpaca records, one per chunk. A template error stops the build (it would fail on every chunk alike). */
export function buildInstructionRecords(doc: ExtractedDocument, chunks: readonly SourceChunk[], templates: InstructionTemplates = DEFAULT_INSTRUCTION_TEMPLATES, opts: TemplateRecordOptions = {}): TemplateRecordResult<InstructionRecord> {
  const t = {
    instruction: compileTemplate(templates.instruction, 'instruction.instruction'),
    input: compileTemplate(templates.input, 'instruction.input'),
    output: compileTemplate(templates.output, 'instruction.output'),
  };
  const paramsHash = shortHash(canonicalJson({ builder: 'instruction', templates }));
  const records: InstructionRecord[] = [];
  const empty: number[] = [];
  chunks.forEach((chunk, i) => {
    throwIfAborted(opts.signal);
    const vars = templateVariables(chunk, doc, i);
    const output = renderTemplate(t.output, vars, opts.limits, RECORD_TEMPLATE_NAMES);
    if (!output && opts.skipEmpty !== false) return void empty.push(i);
    const lineage = chunkLineage(doc, chunk, 'instruction', paramsHash);
    records.push({ id: recordId(lineage, 0), kind: 'instruction', lineage, instruction: renderTemplate(t.instruction, vars, opts.limits, RECORD_TEMPLATE_NAMES), input: renderTemplate(t.input, vars, opts.limits, RECORD_TEMPLATE_NAMES), output });
    opts.onProgress?.({ done: i + 1, total: chunks.length, unit: 'records' });
  });
  return { records, empty };
}

/** Chat records, one per chunk: the system prompt (when it renders non-empty) and the turns. */
export function buildChatRecords(doc: ExtractedDocument, chunks: readonly SourceChunk[], templates: ChatTemplates = DEFAULT_CHAT_TEMPLATES, opts: TemplateRecordOptions = {}): TemplateRecordResult<ChatRecord> {
  const system = templates.system ? compileTemplate(templates.system, 'chat.system') : undefined;
  const turns = templates.turns.map((turn, n) => ({ role: turn.role, template: compileTemplate(turn.content, `chat.turns[${n}]`) }));
  const paramsHash = shortHash(canonicalJson({ builder: 'chat', templates }));
  const records: ChatRecord[] = [];
  const empty: number[] = [];
  chunks.forEach((chunk, i) => {
    throwIfAborted(opts.signal);
    const vars = templateVariables(chunk, doc, i);
    const messages: ChatMessage[] = [];
    const sys = system ? renderTemplate(system, vars, opts.limits, RECORD_TEMPLATE_NAMES) : '';
    if (sys) messages.push({ role: 'system', content: sys });
    for (const turn of turns) messages.push({ role: turn.role, content: renderTemplate(turn.template, vars, opts.limits, RECORD_TEMPLATE_NAMES) });
    if (opts.skipEmpty !== false && messages.some((m) => m.role !== 'system' && !m.content)) return void empty.push(i);
    const lineage = chunkLineage(doc, chunk, 'chat', paramsHash);
    records.push({ id: recordId(lineage, 0), kind: 'chat', lineage, messages });
    opts.onProgress?.({ done: i + 1, total: chunks.length, unit: 'records' });
  });
  return { records, empty };
}

/** A chunk's lineage for a given builder. */
export function chunkLineage(doc: ExtractedDocument, chunk: SourceChunk, builder: BuilderName, paramsHash: string): RecordLineage {
  return {
    documentId: doc.id,
    sourcePath: doc.source.path,
    ...(chunk.page !== undefined ? { page: chunk.page } : {}),
    ...(chunk.slide !== undefined ? { slide: chunk.slide } : {}),
    span: { start: chunk.span.start, end: chunk.span.end },
    headingPath: [...chunk.headingPath],
    builder,
    paramsHash,
  };
}
