// What a pool process's death means for the task it was running, in each stage's words: a budget it hit
// (RESOURCE_LIMIT) or a crash (EXTRACTION_CRASHED for a file being extracted, WORKER_CRASHED for other stages),
// naming what the task was about and what the user can do. Kept apart from processPool.ts, which schedules.
import { BrightRunError } from '../errors';
import type { ProcessExit } from './extractionProcess';
import { resourceLimitError } from './limits';
import { parseLimitMarker } from './memoryWatchdog';
import { mb, type StopReason } from './poolSetup';
import type { StageName } from './workerProtocol';

/** "extracting", "building its records": what a stage does to its subject, in budget messages ("… it took longer"). */
export function doing(stage: StageName): string {
  return WORDING[stage].doing;
}

interface StageWording {
  doing: string;
  /** The error for a task stopped on a budget: `what` went over `limit` (both in words). */
  overBudget(subject: string, budget: 'memory' | 'time', what: string, limit: string): BrightRunError;
  /** The error for a task whose process crashed (`how`: "signal SIGSEGV", "exit code 134"), with the process's last output. */
  crashed(subject: string, how: string, detail: string): BrightRunError;
}

const extraction: StageWording = {
  doing: 'extracting',
  overBudget: (file, budget, what, limit) => resourceLimitError(file, budget, what, limit),
  crashed: (file, how, detail) =>
    new BrightRunError({
      code: 'EXTRACTION_CRASHED',
      file,
      message: `Extracting ${file} crashed its parser process (${how}); the file was not extracted.`,
      remedy: 'The file is damaged, or built to break document parsers. Open it in its own application and save a fresh copy, or remove it from the dataset. Other files were not affected; the log has the details.',
      detail,
    }),
};

const EXPORT_MEMORY_REMEDY =
  'Export fewer formats at once, or lower the Parquet row-group size of the profile (parquet/hf "rowGroupRows" in brightrun.json), or raise the setting brightrun.export.maxMemoryMB; then export again.';

/** Wording per stage; the subject is a file (extract, count, records), an export's name (export) or a version folder (verify). */
const WORDING: Record<StageName, StageWording> = {
  extract: extraction,
  count: extraction,
  records: {
    doing: 'building its records',
    overBudget: (file, budget, what, limit) => resourceLimitError(file, budget, what, limit),
    crashed: (file, how, detail) =>
      new BrightRunError({
        code: 'WORKER_CRASHED',
        file,
        message: `Building the records of ${file} crashed its worker process (${how}); that document has no records in this build.`,
        remedy: 'Extract the document again (its stored text may be damaged) and rebuild; other documents were not affected. If it repeats, show the log and report it.',
        detail,
      }),
  },
  export: {
    doing: 'exporting',
    overBudget: (name, budget, what, limit) =>
      new BrightRunError({
        code: 'RESOURCE_LIMIT',
        file: name,
        message: `Export "${name}" was stopped: ${what}, over ${limit}. Nothing was published.`,
        remedy: budget === 'memory' ? EXPORT_MEMORY_REMEDY : 'Export again; if it stops the same way, show the log and report it.',
      }),
    crashed: (name, how, detail) =>
      new BrightRunError({
        code: 'WORKER_CRASHED',
        file: name,
        message: `Export "${name}" crashed its worker process (${how}); nothing was published and its temporary folder was removed.`,
        remedy: "Export again. If it crashes again, it may be short of memory: export fewer formats at once, lower the profile's Parquet row-group size, or raise the setting brightrun.export.maxMemoryMB; the log has the process's last output. The editor and other work were not affected.",
        detail,
      }),
  },
  verify: {
    doing: 'verifying',
    overBudget: (dir, budget, what, limit) =>
      new BrightRunError({
        code: 'RESOURCE_LIMIT',
        file: dir,
        message: `Verifying ${dir} was stopped: ${what}, over ${limit}.`,
        remedy: budget === 'memory' ? 'Raise the setting brightrun.export.maxMemoryMB and verify again, or run `brightrun export verify` in a terminal.' : 'Verify again; if it stops the same way, run `brightrun export verify` in a terminal and report it.',
      }),
    crashed: (dir, how, detail) =>
      new BrightRunError({
        code: 'WORKER_CRASHED',
        file: dir,
        message: `Verifying ${dir} crashed its worker process (${how}); the version was not changed.`,
        remedy: 'Verify again, or run `brightrun export verify` in a terminal; if it repeats, show the log and report it.',
        detail,
      }),
  },
};

/**
 * What a process's death means for the task it was running (about `subject`): a budget it hit (the pool's time
 * budgets, or the memory marker / heap exhaustion in its output), or a crash (with its last output).
 */
export function processDeathError(subject: string, heapMb: number, ready: boolean, stopped: StopReason | undefined, exit: ProcessExit, stage: StageName = 'extract'): BrightRunError {
  const words = WORDING[stage];
  if (stopped && 'budget' in stopped) return words.overBudget(subject, 'time', stopped.what, stopped.limit);
  const marker = parseLimitMarker(exit.output);
  const heapExhausted = /heap out of memory|Reached heap limit|Ineffective mark-compacts near heap limit|Array buffer allocation failed/i.test(exit.output);
  if (marker || heapExhausted) {
    // "extracting it used 3,100 MB of memory" (the subject is a file); "exporting used …" (an export's name).
    const verb = stage === 'extract' || stage === 'count' ? 'extracting it' : words.doing;
    const used = marker ? `${verb} used ${mb(marker.usedMb * 1048576)} of memory` : `${verb} filled the JavaScript heap`;
    return words.overBudget(subject, 'memory', used, `the ${mb(heapMb * 1048576)} memory budget`);
  }
  const how = exit.signal ? `signal ${exit.signal}` : exit.code === null ? 'could not be started' : `exit code ${exit.code}`;
  const detail = exit.output.slice(-2000);
  if (!ready) {
    return new BrightRunError({ code: stage === 'extract' || stage === 'count' ? 'EXTRACTION_CRASHED' : 'WORKER_CRASHED', file: subject, message: `The worker process for ${subject} stopped before it was ready (${how}).`, remedy: 'Reinstall Bright Run; if this repeats, show the log and report it.', detail });
  }
  return words.crashed(subject, how, detail);
}
