import * as vscode from 'vscode';
import { displayUrl, estimateProjectGeneration, formatUsd, generateProjectRecords, type ProjectGenerationEstimate, type SecretSource } from '../../core';
import { Commands } from '../../shared/commands';
import type { JobRunner } from '../jobRunner';
import type { ProjectStore } from '../projectStore';
import { buildRecords } from './recordCommands';

let generating: Promise<unknown> | undefined;

/** The estimate as the confirmation dialog shows it (the same figures `brightrun records generate` prints). */
export function estimateDetail(e: ProjectGenerationEstimate): string {
  const cost = e.costUsd !== undefined ? `Cost about ${formatUsd(e.costUsd)} (at most ${formatUsd(e.maxCostUsd ?? 0)}).` : 'Cost unknown: set records.generate.price {inputPerMTok, outputPerMTok} in brightrun.json to see it.';
  return [
    `${e.model} at ${displayUrl(e.baseUrl)}`,
    `${e.documents} document(s) to generate (${e.done} already done), ${e.chunks} chunk(s), ${e.cached} answered from the cache (free).`,
    `${e.requests} request(s): about ${e.promptTokens.toLocaleString('en')} prompt tokens + ${e.completionTokens.toLocaleString('en')} reply tokens (at most ${e.maxCompletionTokens.toLocaleString('en')}).`,
    cost,
  ].join('\n');
}

/**
 * "Generate Records (LLM)": question–answer generation over the chunks through the OpenAI-compatible endpoint of
 * `records.generate` (brightrun.json), the key from Secret Storage ("Set API Token…" → OpenAI-compatible API key)
 * or OPENAI_API_KEY. The token and cost estimate is shown first, in a modal dialog; nothing is sent until the user
 * starts it. Both steps run as background jobs (progress, Cancel); a cancelled run keeps every answer received
 * (the cache), so running it again resumes. Generated records join the record set at the next build, which the
 * final message offers.
 */
export async function generateRecords(store: ProjectStore, jobs: JobRunner, secrets: SecretSource, log: vscode.LogOutputChannel): Promise<void> {
  await store.refresh();
  const project = store.project;
  if (!project) {
    void vscode.window.showInformationMessage('Create a dataset project and add documents first.');
    return;
  }
  if (generating) {
    void vscode.window.showInformationMessage('Records are being generated already.');
    return;
  }
  try {
    generating = jobs.run('Estimating question–answer generation', (signal, report) => estimateProjectGeneration(project, { secrets, signal, onProgress: report }));
    const estimate = (await generating) as ProjectGenerationEstimate | undefined;
    if (!estimate) return;
    if (estimate.requests > 0) {
      const start = `Send ${estimate.requests} Request(s)`;
      const choice = await vscode.window.showWarningMessage('Generate question–answer records?', { modal: true, detail: estimateDetail(estimate) }, start);
      if (choice !== start) return;
    }
    const started = Date.now();
    generating = jobs.run('Generating question–answer records', (signal, report) =>
      generateProjectRecords(project, { secrets, signal, onProgress: report, onRetry: (r) => log.warn(`Generation: ${r.reason}; retrying in ${(r.waitMs / 1000).toFixed(1)} s (attempt ${r.attempt + 1})`) }),
    );
    const result = (await generating) as Awaited<ReturnType<typeof generateProjectRecords>> | undefined;
    if (!result) return;
    for (const f of result.failed) log.warn(`Generation: ${f.sourcePath} chunk ${f.chunk} (characters ${f.span.start}–${f.span.end}): ${f.reason}`);
    const cost = result.costUsd !== undefined ? `, ${formatUsd(result.costUsd)}` : '';
    const failed = result.failed.length ? ` ${result.failed.length} chunk(s) got malformed replies twice (see the log; generating again retries them).` : '';
    const choice = await vscode.window.showInformationMessage(
      `Generated ${result.records} record(s) from ${result.documents} document(s) in ${((Date.now() - started) / 1000).toFixed(1)} s: ${result.requests} request(s), ${result.cached} from the cache${cost}.${failed} Build records to add them to the record set.`,
      'Build Records',
      ...(result.failed.length ? ['Show Log'] : []),
    );
    if (choice === 'Build Records') await buildRecords(store, jobs);
    else if (choice === 'Show Log') void vscode.commands.executeCommand(Commands.showLog);
  } finally {
    generating = undefined;
  }
}
