import * as path from 'node:path';
import { mergeShards, Project } from '../../core';
import type { CliIO } from '../io';
import type { CommandSpec } from './types';

/** `brightrun merge <shard project folders…>`: the outputs of `extract --shard i/n` runs, into this project. */
export const mergeCommand: CommandSpec = {
  name: 'merge',
  summary: 'Merge the outputs of sharded extraction runs (copies of this project after "brightrun extract --shard i/n") into this project.',
  usage: 'brightrun merge <shard project folders…> [--project <dir>] [--json]',
  options: {},
  minPositionals: 1,
  async run(io: CliIO, args) {
    const project = await Project.locate(args.projectDir, { owner: 'brightrun CLI' });
    const result = await mergeShards(
      project,
      args.positionals.map((p) => path.resolve(io.cwd, p)),
    );
    if (args.json) {
      io.out(JSON.stringify(result) + '\n');
    } else {
      io.out(`Merged ${args.positionals.length} shard(s) into "${project.config.name}": ${result.merged} document status(es), ${result.documents} document(s) copied.\n`);
      for (const p of result.stale) io.err(`brightrun: note: ${p} changed here since the shard extracted it; it stays queued.\n`);
    }
    return 0;
  },
};
