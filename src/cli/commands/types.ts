import type { CliIO } from '../io';

export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  multiple?: boolean;
  short?: string;
}

export interface ParsedCommandArgs {
  positionals: string[];
  values: Record<string, string | boolean | string[] | undefined>;
  json: boolean;
  /** Folder to look for the project in (--project), resolved against the working directory. */
  projectDir: string;
  signal: AbortSignal;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  options: Record<string, OptionSpec>;
  minPositionals?: number;
  maxPositionals?: number;
  /** What Ctrl-C left, said after "cancelled —" (default: the work resumes when the command runs again). */
  cancelled?: string;
  run(io: CliIO, args: ParsedCommandArgs): Promise<number>;
}
