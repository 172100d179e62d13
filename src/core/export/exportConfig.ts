import { BrightRunError } from '../errors';
import type { ExportProfile, ProjectConfig } from '../project/config';
import { EXPORT_FORMATS } from './formats';
import type { ExportRequest } from './runExport';
import type { ExportFormat, StreamCompression } from './types';

/** What the CLI (or a panel) adds to, or overrides in, an export profile. */
export interface ExportFlags {
  name?: string;
  /** Comma-separated list or array of format names. */
  formats?: string | readonly string[];
  compression?: string;
  lineageColumns?: boolean;
}

/** Format names as users type them: "huggingface" is read as "hf". */
export function parseFormats(list: string | readonly string[], where: string): ExportFormat[] {
  const names = (typeof list === 'string' ? list.split(',') : list).map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (!names.length) throw new BrightRunError({ code: 'INVALID_ARGUMENT', message: `${where} names no format.`, remedy: `Name one or more of: ${EXPORT_FORMATS.join(', ')}.` });
  const out: ExportFormat[] = [];
  for (const n of names) {
    const f = (n === 'huggingface' ? 'hf' : n) as ExportFormat;
    if (!EXPORT_FORMATS.includes(f)) throw new BrightRunError({ code: 'INVALID_ARGUMENT', message: `${where}: "${n}" is not an export format.`, remedy: `Use any of: ${EXPORT_FORMATS.join(', ')}.` });
    if (!out.includes(f)) out.push(f);
  }
  return out;
}

/**
 * The export request for a profile of brightrun.json (`exports[]`, chosen by name; the first profile, or none,
 * when no name is given), with flags taking precedence. Without a profile, `formats` must be given.
 */
export function exportRequestFromConfig(config: Pick<ProjectConfig, 'exports'>, flags: ExportFlags = {}): ExportRequest & { watchDebounceMs: number } {
  const profiles = config.exports ?? [];
  const profile: ExportProfile | undefined = flags.name !== undefined ? profiles.find((p) => p.name === flags.name) : profiles[0];
  const name = flags.name ?? profile?.name ?? 'default';
  if (!profile && flags.formats === undefined) {
    throw new BrightRunError({
      code: 'INVALID_ARGUMENT',
      message: profiles.length ? `brightrun.json has no export profile named "${name}", and no formats were given.` : 'No formats were given and brightrun.json has no export profile.',
      remedy: `Pass --formats (e.g. --formats jsonl,csv), or add {"name": "${name}", "formats": ["jsonl"]} to "exports" in brightrun.json${profiles.length ? ` (profiles: ${profiles.map((p) => p.name).join(', ')})` : ''}.`,
    });
  }
  const formats = flags.formats !== undefined ? parseFormats(flags.formats, '--formats') : parseFormats(profile!.formats, `brightrun.json exports "${profile!.name}" formats`);
  const compressionText = flags.compression ?? profile?.compression ?? (profile?.compress ? 'gzip' : 'none');
  if (compressionText !== 'none' && compressionText !== 'gzip') {
    throw new BrightRunError({ code: 'INVALID_ARGUMENT', message: `Compression "${compressionText}" is not supported.`, remedy: 'Use --compress gzip (or none). Parquet files have their own codecs.' });
  }
  const options: ExportRequest['options'] = {};
  if (profile?.json) options.json = profile.json as Record<string, unknown>;
  if (profile?.csv) options.csv = profile.csv as Record<string, unknown>;
  for (const [key, value] of Object.entries(profile ?? {})) {
    // Options of formats whose writers another module adds (parquet, hf, …) are passed on as given.
    if (EXPORT_FORMATS.includes(key as ExportFormat) && !(key in options) && value && typeof value === 'object') options[key as ExportFormat] = value as Record<string, unknown>;
  }
  return {
    name,
    formats,
    compression: compressionText as StreamCompression,
    lineageColumns: flags.lineageColumns ?? profile?.lineageColumns ?? false,
    options,
    watchDebounceMs: profile?.watchDebounceMs ?? 2000,
  };
}
