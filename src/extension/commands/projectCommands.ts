import * as vscode from 'vscode';
import { addSources, describeSkipped, Project, toDatasetName, type AddResult } from '../../core';
import { Commands } from '../../shared/commands';
import type { JobRunner } from '../jobRunner';
import type { ProjectStore } from '../projectStore';
import { readSettings } from '../settings';

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export interface CreateProjectArgs {
  folder?: vscode.Uri;
  name?: string;
}

/** "Create Dataset Project": pick the folder (multi-root), ask for a name, create, reveal the tree. */
export async function createProject(store: ProjectStore, jobs: JobRunner, args: CreateProjectArgs = {}): Promise<Project | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0 && !args.folder) {
    const choice = await vscode.window.showInformationMessage('Open a folder first: a Bright Run project lives in a workspace folder.', 'Open Folder');
    if (choice) await vscode.commands.executeCommand('workbench.action.files.openFolder');
    return undefined;
  }
  const folderUri = args.folder ?? (folders.length === 1 ? folders[0]!.uri : (await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Folder for the new dataset project' }))?.uri);
  if (!folderUri) return undefined;
  const name =
    args.name ??
    (await vscode.window.showInputBox({
      title: 'Create Dataset Project',
      prompt: 'Dataset name (used for export folders and the Hugging Face repository)',
      value: toDatasetName(folderUri.path.split('/').pop() ?? 'dataset'),
      validateInput: (v) => (NAME_PATTERN.test(v) && v.length <= 96 ? undefined : "Use letters, digits, '.', '_' and '-', starting with a letter or digit (at most 96)."),
    }));
  if (name === undefined) return undefined;
  try {
    const project = await Project.create(folderUri.fsPath, { name, owner: 'VS Code' });
    await store.refresh();
    void vscode.commands.executeCommand('workbench.view.extension.brightrun');
    void vscode.window.showInformationMessage(`Created dataset project "${project.config.name}".`, 'Add Documents…').then((choice) => {
      if (choice) void vscode.commands.executeCommand(Commands.addDocuments);
    });
    return project;
  } catch (err) {
    jobs.reportError('Create Dataset Project', err);
    return undefined;
  }
}

/** "Add Documents…" from the palette or the view: a file/folder picker. */
export async function addDocumentsWithPicker(store: ProjectStore, jobs: JobRunner): Promise<AddResult | undefined> {
  const project = await requireProject(store, jobs);
  if (!project) return undefined;
  const picked = await vscode.window.showOpenDialog({
    title: 'Add Documents to the Dataset',
    openLabel: 'Add',
    canSelectFiles: true,
    canSelectFolders: true,
    canSelectMany: true,
    defaultUri: vscode.Uri.file(project.root),
  });
  if (!picked?.length) return undefined;
  return addDocuments(store, jobs, picked);
}

/** Explorer context menu (multi-select aware): `(clicked, allSelected)`. */
export function addFromExplorer(store: ProjectStore, jobs: JobRunner, clicked?: vscode.Uri, selected?: vscode.Uri[]): Promise<AddResult | undefined> {
  const uris = selected?.length ? selected : clicked ? [clicked] : [];
  if (uris.length === 0) return addDocumentsWithPicker(store, jobs);
  return addDocuments(store, jobs, uris);
}

export async function addDocuments(store: ProjectStore, jobs: JobRunner, uris: readonly vscode.Uri[]): Promise<AddResult | undefined> {
  const project = await requireProject(store, jobs);
  if (!project) return undefined;
  const local = uris.filter((u) => u.scheme === 'file');
  if (local.length < uris.length) void vscode.window.showWarningMessage('Only files on disk can be added; other items were skipped.');
  const settings = readSettings(vscode.Uri.file(project.root));
  const result = await jobs.run('Adding documents', (signal, report) =>
    addSources(project, local.map((u) => u.fsPath), { include: settings.include, exclude: settings.exclude, signal, onProgress: report }),
  );
  await store.refresh();
  if (!result) return undefined;
  const parts = [`${result.added.length} added`];
  if (result.updated.length) parts.push(`${result.updated.length} changed`);
  if (result.unchanged.length) parts.push(`${result.unchanged.length} unchanged`);
  // Links taken as their targets are said, never silent (the project log keeps every notice).
  if (result.notices.length) parts.push(result.notices.length === 1 ? result.notices[0]! : `${result.notices.length} links taken as their targets (see the log)`);
  // Files of types not taken are counted, never dropped silently (the project log keeps the line too).
  const skipped = describeSkipped(result.skipped);
  if (skipped) parts.push(`skipped ${skipped} (file types not taken; widen brightrun.add.include to take them)`);
  if (result.problems.length) {
    const first = result.problems[0]!;
    void vscode.window.showWarningMessage(`Documents: ${parts.join(', ')}; ${result.problems.length} skipped — ${first.message} ${first.remedy}`, 'Show Log').then((c) => {
      if (c) void vscode.commands.executeCommand(Commands.showLog);
    });
  } else if (result.added.length + result.updated.length + result.unchanged.length === 0) {
    void vscode.window.showWarningMessage(`No supported documents were found there${skipped ? ` (skipped ${skipped})` : ''}. Supported: PDF, DOC, DOCX, PPT, PPTX, TXT, MD, CSV, JSON, images (PNG, JPEG, TIFF, GIF, BMP, WebP).`);
  } else {
    void vscode.window.showInformationMessage(`Documents: ${parts.join(', ')}. They are queued for extraction.`);
  }
  return result;
}

async function requireProject(store: ProjectStore, jobs: JobRunner): Promise<Project | undefined> {
  if (store.state.kind === 'none') await store.refresh();
  const state = store.state;
  if (state.kind === 'open') return state.project;
  if (state.kind === 'broken') {
    const choice = await vscode.window.showErrorMessage(`${state.error.message} ${state.error.remedy}`, 'Open brightrun.json');
    if (choice) await vscode.window.showTextDocument(vscode.Uri.file(`${state.root}/brightrun.json`));
    return undefined;
  }
  // No project yet: adding documents starts by creating one (the name box says so; Escape cancels both).
  return createProject(store, jobs);
}
