/**
 * Editing an export profile of brightrun.json (`exports[]`) from a form (the VS Code export panel): the draft the
 * form holds, the profile it becomes (keeping settings the form does not show), and its problems, found by the
 * same validation the CLI applies — the project's JSON schema and cross-field rules (config.ts parseConfig), the
 * JSON writer's field mapping check (fieldMapping.ts) and the template compiler (records/templates.ts) — each
 * problem tied to the setting it is about, so a form can show it beside that field.
 */
import { toBrightRunError } from '../errors';
import { CONFIG_FILE, parseConfig, serializeConfig, type ExportProfile, type ProjectConfig } from '../project/config';
import { compileTemplate } from '../records/templates';
import type { RecordKind } from '../records/types';
import { compileFieldMapping, type FieldMapping } from './formats/fieldMapping';
import { kindColumns, LINEAGE_COLUMNS, type ChatRowFormat } from './rows';
import { isValidExportName } from './runExport';

/** What a form edits: the profile's own fields and one options object per format (`csv`, `parquet`, …). */
export interface ExportProfileDraft {
  name: string;
  formats: string[];
  compression?: 'none' | 'gzip';
  lineageColumns?: boolean;
  /** Options per format name, as brightrun.json holds them under the profile (`{"csv": {"delimiter": ";"}}`). */
  options?: Record<string, Record<string, unknown>>;
}

/** A problem of a draft: `field` is the setting's path inside the profile (`name`, `csv.delimiter`, `json.mapping.rename`), '' when general. */
export interface ProfileProblem {
  field: string;
  message: string;
  remedy: string;
}

const OWN_FIELDS = new Set(['name', 'formats', 'compression', 'compress', 'lineageColumns']);

/**
 * The profile a draft becomes. Settings of `existing` the form does not hold (`watchDebounceMs`, options of a
 * format it leaves alone) are kept; the deprecated `compress` gives way to `compression`. Empty option objects
 * are left out. Pure.
 */
export function profileFromDraft(draft: ExportProfileDraft, existing?: ExportProfile): ExportProfile {
  const kept = Object.fromEntries(Object.entries(existing ?? {}).filter(([k]) => !OWN_FIELDS.has(k)));
  const profile: Record<string, unknown> = { name: draft.name, formats: [...draft.formats], ...kept };
  if (draft.compression !== undefined) profile.compression = draft.compression;
  else if (existing?.compression !== undefined || existing?.compress !== undefined) profile.compression = existing.compression ?? (existing.compress ? 'gzip' : 'none');
  if (draft.lineageColumns !== undefined) profile.lineageColumns = draft.lineageColumns;
  else if (existing?.lineageColumns !== undefined) profile.lineageColumns = existing.lineageColumns;
  for (const [format, options] of Object.entries(draft.options ?? {})) {
    const cleaned = Object.fromEntries(Object.entries(options ?? {}).filter(([, v]) => v !== undefined && v !== ''));
    if (Object.keys(cleaned).length) profile[format] = cleaned;
    else delete profile[format];
  }
  return profile as unknown as ExportProfile;
}

/**
 * The configuration with `profile` in `exports[]`: replacing the profile named `replacing` (its place kept), or the
 * one of the same name, else appended. Other settings and profiles are untouched. Pure.
 */
export function withExportProfile(config: ProjectConfig, profile: ExportProfile, replacing?: string): ProjectConfig {
  const profiles = [...(config.exports ?? [])];
  let at = profiles.findIndex((p) => p.name === (replacing ?? profile.name));
  if (at < 0 && replacing !== undefined) at = profiles.findIndex((p) => p.name === profile.name);
  if (at >= 0) profiles[at] = profile;
  else profiles.push(profile);
  return { ...config, exports: profiles };
}

/** What the records to export look like, for the checks that depend on them (field mapping columns). */
export interface ProfileContext {
  kinds: readonly RecordKind[];
  chatFormat?: ChatRowFormat;
}

/**
 * Problems of a profile saved into `config` (replacing `replacing`), in the order a user meets them: the name,
 * then the schema and cross-field rules of brightrun.json (the first problem, as `brightrun` reports it), then the
 * JSON field mapping against the columns of each record kind, then inline templates. Empty when it can be saved
 * and exported.
 */
export function profileProblems(config: ProjectConfig, profile: ExportProfile, replacing: string | undefined, context: ProfileContext): ProfileProblem[] {
  const problems: ProfileProblem[] = [];
  if (!isValidExportName(profile.name)) {
    problems.push({ field: 'name', message: `"${profile.name}" cannot name an export.`, remedy: "Use letters, digits, '.', '_' and '-', starting with a letter or digit." });
  } else if (replacing !== profile.name && (config.exports ?? []).some((p) => p.name === profile.name)) {
    problems.push({ field: 'name', message: `brightrun.json has a profile named "${profile.name}" already.`, remedy: 'Choose another name, or open that profile to change it.' });
  }
  const next = withExportProfile(config, profile, replacing);
  const index = next.exports!.indexOf(profile);
  try {
    parseConfig(serializeConfig(next), CONFIG_FILE);
  } catch (err) {
    const e = toBrightRunError(err);
    problems.push({ field: fieldOf(e.message, index), message: e.message.replace(`${CONFIG_FILE}: `, ''), remedy: e.remedy });
  }
  const mapping = (profile.json as { mapping?: FieldMapping } | undefined)?.mapping;
  if (mapping && profile.formats.includes('json')) {
    for (const kind of context.kinds) {
      const others = context.kinds.filter((k) => k !== kind).flatMap((k) => kindColumns(k, context.chatFormat));
      const problem = mappingProblem(mapping, [...kindColumns(kind, context.chatFormat), ...(profile.lineageColumns ? LINEAGE_COLUMNS : [])], kind, others);
      if (problem) {
        problems.push(problem);
        break;
      }
    }
  }
  const template = profile.template as Record<string, unknown> | undefined;
  if (profile.formats.includes('template')) {
    if (!template || (typeof template.record !== 'string' && typeof template.recordFile !== 'string')) {
      problems.push({ field: 'template.record', message: 'The template format needs a record template.', remedy: 'Write the record template, or choose a .jinja file.' });
    }
    for (const key of ['record', 'header', 'footer']) {
      if (typeof template?.[key] !== 'string') continue;
      try {
        compileTemplate(template[key] as string, `export.template.${key}`);
      } catch (err) {
        const e = toBrightRunError(err);
        problems.push({ field: `template.${key}`, message: e.message, remedy: e.remedy });
      }
    }
  }
  return problems;
}

/**
 * The field mapping checked stage by stage (drop, then rename, nest, constants: the order it is applied), with
 * the JSON writer's own check (compileFieldMapping), so its error is tied to the stage that caused it.
 */
export function mappingProblem(mapping: FieldMapping, columns: readonly string[], kind: RecordKind, otherColumns: readonly string[] = []): ProfileProblem | undefined {
  const stages: Array<[keyof FieldMapping, FieldMapping]> = [];
  let so: FieldMapping = {};
  for (const key of ['drop', 'rename', 'nest', 'constants'] as const) {
    if (mapping[key] === undefined) continue;
    so = { ...so, [key]: mapping[key] };
    stages.push([key, so]);
  }
  for (const [key, partial] of stages) {
    try {
      compileFieldMapping(partial, columns, 'json.mapping', otherColumns);
    } catch (err) {
      const e = toBrightRunError(err);
      return { field: `json.mapping.${key}`, message: `${e.message.replace(/\.$/, '')} (${kind} records have ${columns.join(', ')}).`, remedy: e.remedy };
    }
  }
  return undefined;
}

/** The profile setting a config error names (`exports[i].csv.delimiter` → `csv.delimiter`), '' when it names another. */
function fieldOf(message: string, index: number): string {
  const m = new RegExp(`\`exports\\[${index}\\](?:\\.([^\`]*))?\``).exec(message);
  return m ? (m[1] ?? '') : '';
}
