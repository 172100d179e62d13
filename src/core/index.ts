// The public surface of core, used by src/extension and src/cli.
export * from './errors';
export * from './progress';
export * from './secrets';
export * from './project/config';
export * from './project/paths';
export * from './project/fileTypes';
export * from './project/sources';
export * from './project/processingLog';
export * from './project/lock';
export { Project, type ProjectStatus, type OpenOptions } from './project/project';
export { addSources, type AddOptions, type AddResult } from './project/addSources';
export * from './extract';
export { openRegular, sameFile, type OpenedRegular } from './fs/openRegular';
export { removeStaleTemps } from './fs/atomicWrite';
export * from './records';
export { describeSkipped } from './fs/walkFiles';
export { SOURCE_PAGE_SIZE, SourceIndex, pageLabel, panelRows, refreshDelayMs, type SourcePage } from './project/sourcePages';
export * from './export';
