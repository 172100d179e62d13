import * as path from 'node:path';
import { Project } from '../../core';
import type { CliIO } from '../io';
import type { CommandSpec } from './types';

export const initCommand: CommandSpec = {
  name: 'init',
  summary: 'Create a dataset project (brightrun.json + .brightrun/) in a folder.',
  usage: 'brightrun init [dir] [--name <name>] [--description <text>] [--json]',
  options: {
    name: { type: 'string', description: 'Dataset name (default: the folder name, cleaned up).' },
    description: { type: 'string', description: 'One or two sentences about the dataset.' },
  },
  maxPositionals: 1,
  async run(io: CliIO, args) {
    const dir = path.resolve(io.cwd, args.positionals[0] ?? '.');
    const project = await Project.create(dir, {
      owner: 'brightrun CLI',
      ...(typeof args.values.name === 'string' ? { name: args.values.name } : {}),
      ...(typeof args.values.description === 'string' ? { description: args.values.description } : {}),
    });
    if (args.json) io.out(JSON.stringify({ created: true, root: project.root, name: project.config.name }) + '\n');
    else io.out(`Created dataset project "${project.config.name}" in ${project.root}\nNext: brightrun add <files or folders>\n`);
    return 0;
  },
};
