import * as vscode from 'vscode';
import { DEFAULT_EXCLUDE, DEFAULT_INCLUDE, extractOptionsFromConfig, type ExtractOptions } from '../core';

const optional = <K extends string>(key: K, value: number | undefined): { [P in K]?: number } => (value !== undefined ? ({ [key]: value } as { [P in K]?: number }) : {});

/** Typed reads of the `brightrun.*` settings declared in package.json. */
export function readSettings(scope?: vscode.Uri) {
  const c = vscode.workspace.getConfiguration('brightrun', scope);
  return {
    include: c.get<string[]>('add.include', DEFAULT_INCLUDE),
    exclude: c.get<string[]>('add.exclude', DEFAULT_EXCLUDE),
    concurrency: c.get<number>('extract.concurrency', 0),
    autoStart: c.get<boolean>('extract.autoStart', true),
  };
}

/**
 * Extraction options the user set explicitly in VS Code settings. Defaults are left out, so the project's own
 * brightrun.json (`extract` section) decides unless the user overrides it — the same project extracts the
 * same way in any window and in the CLI.
 */
export function explicitExtractOptions(scope?: vscode.Uri): ExtractOptions {
  const c = vscode.workspace.getConfiguration('brightrun', scope);
  const explicit = <T>(key: string): T | undefined => {
    const i = c.inspect<T>(key);
    return i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
  };
  const ocr = explicit<boolean>('ocr.enabled');
  const languages = explicit<string[]>('ocr.languages');
  return extractOptionsFromConfig({
    ...(ocr !== undefined ? { ocr } : {}),
    ...(languages ? { ocrLanguages: languages } : {}),
    ...optional('maxFileSizeMB', explicit<number>('extract.maxFileSizeMB')),
    ...optional('maxMemoryMB', explicit<number>('extract.maxMemoryMB')),
    ...optional('maxDecompressedMB', explicit<number>('extract.maxDecompressedMB')),
    ...optional('maxImageMegapixels', explicit<number>('extract.maxImageMegapixels')),
    ...optional('timeLimitSeconds', explicit<number>('extract.timeLimitSeconds')),
  });
}

/**
 * The `brightrun.export.*` settings (docs/export.md): the scheduled export — `schedule` ("off", "onRecordsChange",
 * "hourly", "daily"), `scheduleTime` ("HH:MM", local, for daily), `scheduleProfiles` (names of brightrun.json
 * export profiles; empty: all) — and `maxMemoryMB`, the memory budget of an export's worker process (MB).
 */
export function readExportSettings(scope?: vscode.Uri) {
  const c = vscode.workspace.getConfiguration('brightrun', scope);
  return {
    schedule: c.get<string>('export.schedule', 'off'),
    scheduleTime: c.get<string>('export.scheduleTime', '03:00'),
    scheduleProfiles: c.get<string[]>('export.scheduleProfiles', []),
    maxMemoryMB: c.get<number>('export.maxMemoryMB', 3072),
  };
}
