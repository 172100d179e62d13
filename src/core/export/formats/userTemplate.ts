import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BrightRunError, throwIfAborted } from '../../errors';
import { compileTemplate, renderTemplate, type CompiledTemplate, type RenderLimits, type StrictNames } from '../../records/templates';
import { naturalRow } from '../rows';
import type { FormatWriter, VerifyFinding, WrittenFile } from '../types';
import { FileSink, ProgressCounter, dataFile } from './fileSink';
import { intOption, stringOption } from './options';

/**
 * User templates (issue #11): every record rendered by a Jinja template of the project, with
 * `@huggingface/jinja` through the records stage's bounded renderer (src/core/records/templates.ts: time,
 * steps, nesting and output caps per render), into `template/{split}.{extension}`:
 *
 *     {header rendered once}\n  {record rendered}{separator}  …  {footer rendered once}\n
 *
 * Options: `record` (template source, required; or `recordFile`, a path), `header` / `footer` (or
 * `headerFile` / `footerFile`), `extension` (default "txt"), `separator` (default "\n"), `timeMs` and
 * `maxOutputChars` (per render; defaults 200 ms and 1,000,000 characters, DEFAULT_RENDER_LIMITS).
 * Record template variables: `record` (the natural row, rows.ts: id, text / instruction, input, output /
 * messages), `lineage` (source path, page, span, builder…), `kind`, `split`, `index` (0-based in the split).
 * Header and footer variables: `split`, `count` (records in the split), `kind`.
 * Output is trimmed per render (as the records stage renders). Errors name the template and the record id.
 * Rendering is strict (EXPORT_RECORD_NAMES): an undefined name (`record.txt`, `recrod`) fails with TEMPLATE_INVALID.
 */
export const TEMPLATE_DIR = 'template';

/**
 * Attribute names an export template may find undefined on some records without being wrong: every field a record of
 * any kind may have or lack (records/types.ts and rows.ts: completion `text`; instruction `instruction`, `input`,
 * `output`; chat `messages` of `role` / `content`, ShareGPT `conversations` of `from` / `value`) and lineage's
 * optional fields (`page`, `slide`, `removed`, `row`, `model`, `promptHash`). One template serves every kind of a
 * mixed build, so `record.messages` on an instruction record renders empty; any other undefined name is a typo.
 */
export const EXPORT_OPTIONAL_NAMES: ReadonlySet<string> = new Set([
  'text', 'instruction', 'input', 'output', 'messages', 'role', 'content', 'conversations', 'from', 'value',
  'page', 'slide', 'removed', 'row', 'model', 'promptHash',
]);

/** The record template's variables (strict render; errors list `known`). */
export const EXPORT_RECORD_NAMES: StrictNames = {
  optional: EXPORT_OPTIONAL_NAMES,
  known: 'record.id, record.text, record.instruction, record.input, record.output, record.messages (role, content), lineage.documentId, lineage.sourcePath, lineage.page, lineage.slide, lineage.span (start, end), lineage.removed, lineage.headingPath, lineage.builder, lineage.paramsHash, lineage.row, lineage.model, lineage.promptHash, kind, split, index',
};

/** The header and footer templates' variables. */
export const EXPORT_FILE_NAMES: StrictNames = { optional: new Set(), known: 'split, count, kind' };

async function source(options: Readonly<Record<string, unknown>>, key: string): Promise<string | undefined> {
  const inline = options[key];
  if (typeof inline === 'string') return inline;
  const file = stringOption(options, `${key}File`, '');
  if (!file) return undefined;
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new BrightRunError({ code: 'SOURCE_NOT_FOUND', file, message: `The export template ${file} cannot be read: ${(err as Error).message}.`, remedy: `Check the path in export option "${key}File".` }, { cause: err });
  }
}

export const userTemplateFormat: FormatWriter = {
  format: 'template',
  async write(ctx) {
    const recordSource = await source(ctx.options, 'record');
    if (recordSource === undefined) throw new BrightRunError({ code: 'INVALID_ARGUMENT', message: 'The template export has no record template.', remedy: 'Set export option "record" (Jinja source) or "recordFile" (a path to a .jinja file).' });
    const record = compileTemplate(recordSource, 'export.template.record');
    const headerSource = await source(ctx.options, 'header');
    const footerSource = await source(ctx.options, 'footer');
    const header = headerSource === undefined ? undefined : compileTemplate(headerSource, 'export.template.header');
    const footer = footerSource === undefined ? undefined : compileTemplate(footerSource, 'export.template.footer');
    const extension = stringOption(ctx.options, 'extension', 'txt').replace(/[^A-Za-z0-9._-]/g, '') || 'txt';
    const separator = stringOption(ctx.options, 'separator', '\n');
    const limits: Partial<RenderLimits> = { timeMs: intOption(ctx.options, 'timeMs', 200, 1, 60_000), maxOutputChars: intOption(ctx.options, 'maxOutputChars', 1_000_000, 1, 100_000_000) };
    const progress = new ProgressCounter(ctx.onProgress);
    const files: WrittenFile[] = [];
    for (const split of ctx.splits) {
      const rel = `${TEMPLATE_DIR}/${split}.${extension}`;
      const sink = await FileSink.open(path.join(ctx.dir, rel));
      let index = 0;
      try {
        const fileVars = { split, count: ctx.counts[split], kind: ctx.kind };
        if (header) await sink.write(`${renderTemplate(header, fileVars, limits, EXPORT_FILE_NAMES)}\n`);
        for await (const r of ctx.records(split)) {
          throwIfAborted(ctx.signal);
          const before = sink.bytes;
          await sink.write(renderFor(record, { record: naturalRow(r, false), lineage: r.lineage, kind: r.kind, split, index }, limits, r.id) + separator);
          index++;
          progress.record(sink.bytes - before);
        }
        if (footer) await sink.write(`${renderTemplate(footer, fileVars, limits, EXPORT_FILE_NAMES)}\n`);
      } catch (err) {
        await sink.discard();
        throw err;
      }
      files.push(dataFile(rel, 'template', await sink.close(), index, split));
    }
    progress.report();
    return files;
  },

  async verify(dir, files) {
    const findings: VerifyFinding[] = [];
    for (const file of files) {
      const size = await fs.stat(path.join(dir, file.path)).then((s) => s.size, () => -1);
      if (size !== file.bytes) findings.push({ severity: 'error', file: file.path, message: size < 0 ? 'is missing' : `is ${size} bytes, the manifest says ${file.bytes}` });
    }
    return findings;
  },
};

function renderFor(template: CompiledTemplate, vars: Record<string, unknown>, limits: Partial<RenderLimits>, id: string): string {
  try {
    return renderTemplate(template, vars, limits, EXPORT_RECORD_NAMES);
  } catch (err) {
    if (err instanceof BrightRunError) throw new BrightRunError({ code: err.code, file: err.file, message: `${err.message} (record ${id})`, remedy: err.remedy }, { cause: err });
    throw err;
  }
}
