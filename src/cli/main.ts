import * as path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isCancellation } from '../core';
import { addCommand } from './commands/add';
import { exportCommand } from './commands/export';
import { extractCommand } from './commands/extract';
import { initCommand } from './commands/init';
import { recordsCommand } from './commands/records';
import { mergeCommand } from './commands/merge';
import { statusCommand } from './commands/status';
import type { CommandSpec, OptionSpec, ParsedCommandArgs } from './commands/types';
import { EXIT, formatError, UsageError, type CliIO } from './io';

declare const BRIGHTRUN_VERSION: string | undefined; // set by esbuild
const VERSION = typeof BRIGHTRUN_VERSION === 'string' ? BRIGHTRUN_VERSION : 'dev';

export const COMMANDS: readonly CommandSpec[] = [initCommand, addCommand, extractCommand, mergeCommand, recordsCommand, exportCommand, statusCommand];

const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  project: { type: 'string', short: 'C', description: 'Project folder (default: the nearest folder with brightrun.json at or above the current one).' },
  json: { type: 'boolean', description: 'Print machine-readable JSON on stdout.' },
  help: { type: 'boolean', short: 'h', description: 'Show help.' },
};

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIO, signal: AbortSignal = new AbortController().signal): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    io.out(topic ? commandHelp(topic) : mainHelp());
    return EXIT.ok;
  }
  if (first === '--version' || first === '-v') {
    io.out(`${VERSION}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === first);
  try {
    if (!command) throw new UsageError(`unknown command "${first}"`);
    const options = { ...GLOBAL_OPTIONS, ...command.options };
    const parsed = parseArgs({ args: [...rest], options: toParseArgsOptions(options), allowPositionals: true, strict: true });
    if (parsed.values.help) {
      io.out(commandHelp(command));
      return EXIT.ok;
    }
    const n = parsed.positionals.length;
    if (command.minPositionals !== undefined && n < command.minPositionals) throw new UsageError('missing arguments', command.name);
    if (command.maxPositionals !== undefined && n > command.maxPositionals) throw new UsageError(`unexpected argument "${parsed.positionals[command.maxPositionals]}"`, command.name);
    const projectDir = path.resolve(io.cwd, typeof parsed.values.project === 'string' ? parsed.values.project : '.');
    return await command.run(io, { positionals: parsed.positionals, values: parsed.values as ParsedCommandArgs["values"], json: parsed.values.json === true, projectDir, signal });
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      const cmd = err instanceof UsageError ? err.command : command?.name;
      io.err(`brightrun: ${(err as Error).message} — see "brightrun ${cmd ? `${cmd} ` : ''}--help".\n`);
      return EXIT.usage;
    }
    if (isCancellation(err)) {
      io.err(`brightrun: cancelled — ${command?.cancelled ?? 'run the same command again to continue'}.\n`);
      return EXIT.cancelled;
    }
    io.err(formatError(err) + '\n');
    return EXIT.failed;
  }
}

function toParseArgsOptions(options: Record<string, OptionSpec>): NonNullable<ParseArgsConfig['options']> {
  const out: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, o] of Object.entries(options)) {
    out[name] = { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) };
  }
  return out;
}

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `brightrun ${VERSION} — documents to LoRA fine-tuning datasets, headless.`,
    '',
    'Usage: brightrun <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Global options:',
    ...formatOptions(GLOBAL_OPTIONS),
    '  -v, --version        Print the version.',
    '',
    'Run "brightrun <command> --help" for a command\'s options. Exit codes: 0 ok, 1 failed, 2 usage, 130 cancelled.',
    'Secrets come from environment variables (HF_TOKEN, RUNPOD_API_KEY, VAST_API_KEY), never from files.',
    '',
  ].join('\n');
}

function commandHelp(c: CommandSpec): string {
  return [`${c.summary}`, '', `Usage: ${c.usage}`, '', 'Options:', ...formatOptions({ ...c.options, ...GLOBAL_OPTIONS }), ''].join('\n');
}

function formatOptions(options: Record<string, OptionSpec>): string[] {
  return Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ' <value>' : ''}`;
    return `  ${flag.padEnd(28)} ${o.description}`;
  });
}
