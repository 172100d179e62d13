import * as vscode from 'vscode';
import { withoutSources, type SourceEntry } from '../../core';
import type { ProjectStore } from '../projectStore';

export type SourceNodeArg = { source?: SourceEntry } | undefined;

/** Tree context commands get the clicked node and, with multi-select, all selected nodes. */
export function sourcePaths(node: SourceNodeArg, nodes?: SourceNodeArg[]): string[] {
  const all = nodes?.length ? nodes : [node];
  return all.map((n) => n?.source?.path).filter((p): p is string => !!p);
}

/** "Remove from Dataset": after a modal confirmation; the files themselves and their documents stay. */
export async function removeSources(store: ProjectStore, paths: string[]): Promise<void> {
  const project = store.project;
  if (!project || paths.length === 0) return;
  const label = paths.length === 1 ? paths[0] : `${paths.length} documents`;
  const ok = await vscode.window.showWarningMessage(`Remove ${label} from the dataset? The files themselves are not touched.`, { modal: true }, 'Remove');
  if (ok !== 'Remove') return;
  await project.updateSources((sources) => withoutSources(sources, paths));
  await project.log([{ level: 'info', stage: 'add', message: `Removed ${paths.length} source(s) from the dataset` }]);
  await store.refresh();
}
