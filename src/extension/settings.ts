import * as vscode from 'vscode';
import { DEFAULT_EXCLUDE, DEFAULT_INCLUDE } from '../core';

/** Typed reads of the `brightrun.*` settings declared in package.json. */
export function readSettings(scope?: vscode.Uri) {
  const c = vscode.workspace.getConfiguration('brightrun', scope);
  return {
    include: c.get<string[]>('add.include', DEFAULT_INCLUDE),
    exclude: c.get<string[]>('add.exclude', DEFAULT_EXCLUDE),
    maxFileSizeMB: c.get<number>('extract.maxFileSizeMB', 512),
    concurrency: c.get<number>('extract.concurrency', 0),
    ocrEnabled: c.get<boolean>('ocr.enabled', true),
    ocrLanguages: c.get<string[]>('ocr.languages', ['eng']),
    autoStart: c.get<boolean>('extract.autoStart', true),
  };
}
