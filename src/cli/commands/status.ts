import { formatBytes, Project } from '../../core';
import type { CliIO } from '../io';
import type { CommandSpec } from './types';

export const statusCommand: CommandSpec = {
  name: 'status',
  summary: 'Show the project: documents by status (queued, extracting, done, failed) and totals.',
  usage: 'brightrun status [--project <dir>] [--json]',
  options: {},
  maxPositionals: 0,
  async run(io: CliIO, args) {
    const project = await Project.locate(args.projectDir, { owner: 'brightrun CLI' });
    const status = await project.status();
    if (args.json) {
      io.out(JSON.stringify(status) + '\n');
      return 0;
    }
    const d = status.documents;
    io.out(
      [
        `Project  ${status.name}  (${status.root})`,
        `Sources  ${status.sources} document(s), ${formatBytes(status.bytes)}`,
        `         queued ${d.queued}   extracting ${d.extracting}   done ${d.done}   failed ${d.failed}`,
        '',
      ].join('\n'),
    );
    return 0;
  },
};
