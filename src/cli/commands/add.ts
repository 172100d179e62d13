import * as path from 'node:path';
import { addSources, describeSkipped, Project } from '../../core';
import { printable, problemLine, ProgressLine, type CliIO } from '../io';
import type { CommandSpec } from './types';

export const addCommand: CommandSpec = {
  name: 'add',
  summary: 'Add documents (files, or folders searched recursively) to the project and queue them for extraction.',
  usage: 'brightrun add <paths…> [--include <glob>]… [--exclude <glob>]… [--project <dir>] [--json]',
  options: {
    include: { type: 'string', multiple: true, description: 'Glob (relative to an added folder) of files to take from it; repeatable. Default: every supported type.' },
    exclude: { type: 'string', multiple: true, description: 'Glob of files to skip in added folders; repeatable. Default: node_modules, .git, exports, Office lock files.' },
  },
  minPositionals: 1,
  async run(io: CliIO, args) {
    const project = await Project.locate(args.projectDir, { owner: 'brightrun CLI' });
    const progress = new ProgressLine(io, 'Hashing');
    const inputs = args.positionals.map((p) => path.resolve(io.cwd, p));
    const include = args.values.include as string[] | undefined;
    const exclude = args.values.exclude as string[] | undefined;
    const result = await addSources(project, inputs, {
      signal: args.signal,
      onProgress: (p) => progress.update(p),
      ...(include ? { include } : {}),
      ...(exclude ? { exclude } : {}),
    });
    progress.done();
    if (args.json) {
      io.out(JSON.stringify(result) + '\n');
    } else {
      io.out(`Added ${result.added.length}, updated ${result.updated.length}, unchanged ${result.unchanged.length} document(s) in "${project.config.name}".\n`);
      for (const n of result.notices) io.err(`brightrun: note: ${printable(n)}\n`);
      const skipped = describeSkipped(result.skipped);
      if (skipped) io.err(`brightrun: note: skipped ${skipped} — file types Bright Run does not take (--include to take them anyway).\n`);
      for (const p of result.problems) io.err(`brightrun: skipped ${problemLine(p)}\n`);
      if (result.added.length + result.updated.length + result.unchanged.length === 0 && result.problems.length === 0 && !skipped) {
        io.err('brightrun: no supported documents found in the given paths — pass files directly, or widen --include.\n');
      }
    }
    return result.problems.length > 0 ? 1 : 0;
  },
};
