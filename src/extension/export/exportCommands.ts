import * as path from 'node:path';
import * as vscode from 'vscode';
import { CHANGELOG_FILE, EXPORT_FORMATS, exportRequestFromConfig, formatBytes, isValidExportName, MANIFEST_FILE, type ExportFormat, type ExportRequest, type ExportResult, type VerifyFinding } from '../../core';
import { Commands } from '../../shared/commands';
import type { ProjectStore } from '../projectStore';
import { isExportRunning, runExportJob, runVerifyJob, type ExportJobDeps } from './exportJob';
import type { ExportsModel, ExportVersionInfo } from './exportsModel';
import { versionSummary } from './exportTreeItems';

/** One line per format for the format picker (docs/export-formats.md has the full story). */
export const FORMAT_DESCRIPTIONS: Record<ExportFormat, string> = {
  hf: 'Hugging Face datasets layout: Parquet shards under data/ and a dataset card (README.md)',
  json: 'one JSON array per split, with an optional field mapping',
  jsonl: 'one JSON object per line, one file per split',
  csv: 'rows per split (delimiter, quoting and encoding set in a brightrun.json profile)',
  parquet: 'Apache Parquet, one file per split',
  tfrecord: 'TensorFlow TFRecord of tf.train.Example, one file per split',
  pytorch: 'JSONL per split and a dataset.py loader (token ids as safetensors with a tokenizer option)',
  'llama-factory': 'dataset_info.json and alpaca/sharegpt JSONL for LLaMA-Factory',
  axolotl: 'datasets.yml config fragment and JSONL for axolotl',
  template: 'your own Jinja template per record (needs "record" in a brightrun.json profile)',
};

/** workspaceState key: the formats last chosen under "New export…". */
const LAST_FORMATS = 'brightrun.export.lastFormats';

/** Arguments that skip the pickers (tests, keybindings, other commands). */
export interface ExportCommandArgs {
  name?: string;
  formats?: string | readonly string[];
  compression?: 'none' | 'gzip';
  lineageColumns?: boolean;
}

// Other extension-side triggers (the export panel, the scheduler) run exports through the same job.
export { runExportJob, type ExportJobDeps, type ExportJobOptions } from './exportJob';

/**
 * "Export Dataset…": a profile of brightrun.json or a new export chosen in quick picks, then the export as a
 * background job in a pool process (runExportJob: progress in records and bytes with ETA, Cancel). Returns the
 * result (undefined when the user backed out, cancelled, or it failed; the failure is shown with its remedy).
 */
export async function exportDataset(store: ProjectStore, deps: ExportJobDeps, memento: vscode.Memento, args?: ExportCommandArgs): Promise<ExportResult | undefined> {
  await store.refresh();
  const project = store.project;
  if (!project || store.state.kind !== 'open') {
    void vscode.window.showInformationMessage('Create a dataset project and add documents first.');
    return undefined;
  }
  if (!store.state.records.manifest) {
    const choice = await vscode.window.showInformationMessage('There are no training records to export yet: build them from the extracted documents first.', 'Build Records');
    if (choice) await vscode.commands.executeCommand(Commands.buildRecords);
    return undefined;
  }
  if (isExportRunning()) {
    void vscode.window.showInformationMessage('An export is running already.');
    return undefined;
  }
  let request: ExportRequest;
  try {
    const picked = args && (args.formats !== undefined || args.name !== undefined) ? exportRequestFromConfig(project.config, args) : await pickRequest(project.config.exports ?? [], memento);
    if (!picked) return undefined;
    request = picked;
  } catch (err) {
    deps.jobs.reportError('Export', err);
    return undefined;
  }

  return exportAndAnnounce(deps, project, request);
}

/**
 * One export the user asked for ("Export Dataset…", the Export panel): runExportJob, then a notification saying
 * what was published — verified, since runExport checks every file before it publishes — with the next steps
 * ("Verify" re-reads it on demand, "Open Manifest", "Reveal in Explorer"). Returns the result (undefined when
 * cancelled, failed or refused; already shown).
 */
export async function exportAndAnnounce(deps: ExportJobDeps, project: Parameters<typeof runExportJob>[1], request: ExportRequest): Promise<ExportResult | undefined> {
  const started = Date.now();
  const result = await runExportJob(deps, project, request);
  if (!result) return undefined;
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  const text =
    result.status === 'unchanged'
      ? `Export "${request.name}" is unchanged: the records, sources and parameters give the same files as ${result.version}, so no new version was written.`
      : `Exported "${request.name}" ${result.version} in ${secs} s, verified: ${versionSummary(result.manifest)} (train ${result.manifest.records.splits.train}, validation ${result.manifest.records.splits.validation}, test ${result.manifest.records.splits.test}).`;
  void vscode.window.showInformationMessage(text, 'Verify', 'Open Manifest', 'Reveal in Explorer').then((choice) => {
    const version = { dir: result.dir };
    if (choice === 'Verify') void vscode.commands.executeCommand(Commands.verifyExport, version);
    else if (choice === 'Open Manifest') void openExportManifest(version);
    else if (choice === 'Reveal in Explorer') void revealExport(version);
  });
  return result;
}

/** Profiles of brightrun.json plus "New export…"; a new export asks for formats, name, gzip and lineage columns. */
async function pickRequest(profiles: NonNullable<Parameters<typeof exportRequestFromConfig>[0]['exports']>, memento: vscode.Memento): Promise<ExportRequest | undefined> {
  if (profiles.length) {
    const items: (vscode.QuickPickItem & { profile?: string })[] = profiles.map((p) => ({ label: p.name, description: p.formats.join(', '), detail: `profile in brightrun.json${p.compression === 'gzip' || p.compress ? ' · gzip' : ''}${p.lineageColumns ? ' · lineage columns' : ''}`, profile: p.name }));
    items.push({ label: '$(add) New export…', description: 'choose formats and options' });
    const choice = await vscode.window.showQuickPick(items, { title: 'Export Dataset', placeHolder: 'Export with a profile of brightrun.json, or set up a new export' });
    if (!choice) return undefined;
    if (choice.profile !== undefined) return exportRequestFromConfig({ exports: profiles }, { name: choice.profile });
  }
  const last = new Set(memento.get<string[]>(LAST_FORMATS, ['jsonl']));
  const formats = await vscode.window.showQuickPick(
    EXPORT_FORMATS.map((f) => ({ label: f, detail: FORMAT_DESCRIPTIONS[f], picked: last.has(f) })),
    { title: 'New export (1/4): formats', placeHolder: 'Choose one or more formats', canPickMany: true },
  );
  if (!formats?.length) return undefined;
  await memento.update(LAST_FORMATS, formats.map((f) => f.label));
  const name = await vscode.window.showInputBox({
    title: 'New export (2/4): name',
    prompt: 'The folder under exports/; every run publishes a new version in it.',
    value: 'default',
    validateInput: (v) => (isValidExportName(v) ? undefined : "Use letters, digits, '.', '_' and '-', starting with a letter or digit."),
  });
  if (name === undefined) return undefined;
  const gzip = await vscode.window.showQuickPick([{ label: 'No compression', gzip: false }, { label: 'gzip', description: 'text files as .gz (Parquet has its own codecs)', gzip: true }], { title: 'New export (3/4): compression' });
  if (!gzip) return undefined;
  const lineage = await vscode.window.showQuickPick(
    [{ label: 'No lineage columns', description: 'lineage.jsonl is written either way', on: false }, { label: 'Lineage columns', description: 'source path, document id and span in every row', on: true }],
    { title: 'New export (4/4): lineage' },
  );
  if (!lineage) return undefined;
  return { name, formats: formats.map((f) => f.label as ExportFormat), compression: gzip.gzip ? 'gzip' : 'none', lineageColumns: lineage.on };
}

/** A version given by a tree node, or chosen from every version when none is given (palette, walkthrough). */
export type VersionArg = { version: Pick<ExportVersionInfo, 'dir'> } | Pick<ExportVersionInfo, 'dir'>;

async function resolveVersion(model: ExportsModel, arg: VersionArg | undefined): Promise<Pick<ExportVersionInfo, 'dir'> | undefined> {
  if (arg && 'version' in arg) return arg.version;
  if (arg && 'dir' in arg) return arg;
  await model.refresh();
  const all = model.versions;
  if (!all.length) {
    void vscode.window.showInformationMessage('There is no export yet. Run "Bright Run: Export Dataset…" first.');
    return undefined;
  }
  if (all.length === 1) return all[0];
  const choice = await vscode.window.showQuickPick(
    all.map((v) => ({ label: `${v.exportName} ${v.version}`, description: v.manifest ? versionSummary(v.manifest) : v.error, v })),
    { title: 'Choose an export version' },
  );
  return choice?.v;
}

export async function openExportManifest(arg: VersionArg | undefined, model?: ExportsModel): Promise<vscode.TextEditor | undefined> {
  const v = model ? await resolveVersion(model, arg) : arg && ('version' in arg ? arg.version : arg);
  if (!v) return undefined;
  return vscode.window.showTextDocument(vscode.Uri.file(path.join(v.dir, MANIFEST_FILE)), { preview: true });
}

export async function showExportChangelog(model: ExportsModel, arg: VersionArg | undefined): Promise<void> {
  const v = await resolveVersion(model, arg);
  if (v) await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(path.join(v.dir, CHANGELOG_FILE)));
}

export async function revealExport(arg: VersionArg | undefined, model?: ExportsModel): Promise<void> {
  const v = model ? await resolveVersion(model, arg) : arg && ('version' in arg ? arg.version : arg);
  if (v) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(v.dir));
}

/**
 * "Verify": re-checks a version against its manifest (sizes, hashes, each format's reader, record counts) as a
 * background job in a pool process, and reports "valid" or the findings (logged in full). Returns the findings, or undefined when
 * cancelled or failed.
 */
export async function verifyExport(deps: ExportJobDeps, arg: VersionArg | undefined): Promise<VerifyFinding[] | undefined> {
  const { model, log } = deps;
  const v = await resolveVersion(model, arg);
  if (!v) return undefined;
  const label = path.relative(path.dirname(path.dirname(v.dir)), v.dir).split(path.sep).join('/');
  const result = await runVerifyJob(deps, v.dir, label);
  if (!result) return undefined;
  const { findings, manifest } = result;
  const errors = findings.filter((f) => f.severity === 'error');
  for (const f of findings) log[f.severity === 'error' ? 'error' : 'warn'](`Verify ${label}: ${f.file} ${f.message}`);
  if (!findings.length) {
    const bytes = manifest.files.reduce((s, f) => s + f.bytes, 0);
    void vscode.window.showInformationMessage(`${label} is valid: ${manifest.files.length} file(s), ${formatBytes(bytes)}, ${manifest.records.total.toLocaleString()} records match the manifest.`);
  } else {
    const first = findings[0]!;
    const text = errors.length
      ? `${label} has ${errors.length} error(s)${findings.length > errors.length ? ` and ${findings.length - errors.length} warning(s)` : ''}: ${first.file} ${first.message}.`
      : `${label} is valid with ${findings.length} warning(s): ${first.file} ${first.message}.`;
    const show = errors.length ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
    void show(`${text} ${errors.length ? 'Export again to replace it.' : ''}`.trim(), 'Show Log').then((c) => c && vscode.commands.executeCommand(Commands.showLog));
  }
  return findings;
}

