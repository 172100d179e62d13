// Shared by the in-host suites: waiting on the extension's state, and a records build to work on.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BrightRunApi } from '../../../src/extension/extension';

export const EXTENSION_ID = 'brightrun.brightrun';

/** Polls `probe` every 100 ms until it gives a value (not undefined / false); throws naming `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The activated extension's API. */
export async function activeApi(): Promise<BrightRunApi> {
  const ext = vscode.extensions.getExtension<BrightRunApi>(EXTENSION_ID)!;
  await waitFor('activation', () => ext.isActive);
  return ext.exports;
}

/** Markdown manuals of 30 sentences a section, so the chunker makes records of them. */
export function manual(title: string, sections: readonly string[]): string {
  const para = (t: string) => Array.from({ length: 30 }, (_, i) => `Sentence ${i} says how the ${t} is serviced and checked before use.`).join(' ');
  return `# ${title}\n\n${sections.map((s) => `## ${s[0]!.toUpperCase()}${s.slice(1)}\n\n${para(s)}\n`).join('\n')}`;
}

/**
 * Suites run in file order on one workspace and reuse the records an earlier one built; run alone, a suite builds
 * its own: `files` (name → content) written to `<root>/<folder>/`, added, extracted and built through the commands.
 */
export async function ensureRecords(api: BrightRunApi, root: string, folder: string, files: Record<string, string>): Promise<void> {
  if (api.store.state.kind === 'open' && api.store.state.records.manifest) return;
  const dir = path.join(root, folder);
  await fs.mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await fs.writeFile(path.join(dir, name), text);
  await vscode.commands.executeCommand('brightrun.addToDataset', vscode.Uri.file(dir), [vscode.Uri.file(dir)]);
  await vscode.commands.executeCommand('brightrun.extract');
  await waitFor('documents extracted', () => api.store.state.kind === 'open' && api.store.state.sources.some((s) => s.status === 'done') && !api.ingestion.snapshot.running, 90_000);
  await vscode.commands.executeCommand('brightrun.buildRecords');
  await waitFor('a records build', () => api.store.state.kind === 'open' && api.store.state.records.manifest, 60_000);
}
