import { BrightRunError, displayUrl, EnvSecretSource, formatUsd, estimateProjectGeneration, formatDuration, generateProjectRecords, Project, type ProjectGenerationEstimate } from '../../core';
import { printable, ProgressLine, type CliIO } from '../io';
import type { ParsedCommandArgs } from './types';

const usd = formatUsd;

function estimateText(e: ProjectGenerationEstimate): string {
  const cost = e.costUsd !== undefined ? `cost about ${usd(e.costUsd)} (at most ${usd(e.maxCostUsd ?? 0)})` : 'cost unknown: set records.generate.price {inputPerMTok, outputPerMTok} to see it';
  return [
    printable(`Generation with ${e.model} at ${displayUrl(e.baseUrl)}:`),
    `  ${e.documents} document(s) to generate (${e.done} already done), ${e.chunks} chunk(s), ${e.cached} answered from the cache (free)`,
    `  ${e.requests} request(s): about ${e.promptTokens.toLocaleString('en')} prompt tokens + ${e.completionTokens.toLocaleString('en')} reply tokens (at most ${e.maxCompletionTokens.toLocaleString('en')}); ${cost}`,
    '',
  ].join('\n');
}

/**
 * `brightrun records generate [--yes | --estimate-only]`: prints the estimate, asks (or takes --yes), then
 * generates. OPENAI_BASE_URL overrides records.generate.baseUrl; OPENAI_API_KEY is the key (never printed).
 */
export async function generate(io: CliIO, args: ParsedCommandArgs): Promise<number> {
  const project = await Project.locate(args.projectDir, { owner: 'brightrun CLI' });
  const baseUrl = io.env.OPENAI_BASE_URL?.trim();
  const common = { overrides: baseUrl ? { baseUrl } : {}, secrets: new EnvSecretSource(io.env), signal: args.signal };
  const planning = new ProgressLine(io, 'Estimating');
  const estimate = await estimateProjectGeneration(project, { ...common, onProgress: (p) => planning.update(p) });
  planning.done();
  if (args.json && args.values['estimate-only']) {
    io.out(JSON.stringify(estimate) + '\n');
    return 0;
  }
  (args.json ? io.err : io.out)(estimateText(estimate));
  if (args.values['estimate-only']) return 0;
  if (estimate.requests > 0 && !args.values.yes) {
    if (!io.confirm) {
      throw new BrightRunError({ code: 'INVALID_ARGUMENT', message: `Generation would send ${estimate.requests} request(s) to ${displayUrl(estimate.baseUrl)}; it starts only when confirmed.`, remedy: 'Run again with --yes to start (or --estimate-only to see the estimate alone).' });
    }
    if (!(await io.confirm('Start generating?'))) {
      io.err('brightrun: generation not started.\n');
      return 0;
    }
  }
  const started = Date.now();
  const progress = new ProgressLine(io, 'Generating');
  const result = await generateProjectRecords(project, {
    ...common,
    onProgress: (p) => progress.update(p),
    onRetry: (r) => {
      progress.done();
      io.err(printable(`brightrun: ${r.reason}; retrying in ${(r.waitMs / 1000).toFixed(1)} s (attempt ${r.attempt + 1})`) + '\n');
    },
  });
  progress.done();
  if (args.json) io.out(JSON.stringify(result) + '\n');
  const cost = result.costUsd !== undefined ? `, ${usd(result.costUsd)}` : '';
  const lines = [
    `Generated ${result.records} record(s) from ${result.documents} document(s) in ${formatDuration(Date.now() - started)}: ${result.requests} request(s), ${result.cached} chunk(s) from the cache; ${result.usage.promptTokens.toLocaleString('en')} prompt + ${result.usage.completionTokens.toLocaleString('en')} reply tokens${cost}.`,
  ];
  if (result.failed.length) {
    lines.push(`${result.failed.length} chunk(s) got malformed replies twice (counted; run "brightrun records generate" again to retry them):`);
    for (const f of result.failed.slice(0, 20)) lines.push(printable(`  ${f.sourcePath} chunk ${f.chunk} (characters ${f.span.start}–${f.span.end}): ${f.reason}`));
  }
  lines.push('Run "brightrun records build" to merge them into the record set.');
  (args.json ? io.err : io.out)(lines.join('\n') + '\n');
  return 0;
}
