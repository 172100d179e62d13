/** Command ids contributed in package.json, typed so a typo fails to compile. */
export const Commands = {
  createProject: 'brightrun.createProject',
  addDocuments: 'brightrun.addDocuments',
  addToDataset: 'brightrun.addToDataset',
  extract: 'brightrun.extract',
  openExtractedText: 'brightrun.openExtractedText',
  export: 'brightrun.export',
  train: 'brightrun.train',
  showLog: 'brightrun.showLog',
  refresh: 'brightrun.refresh',
  showOverview: 'brightrun.showOverview',
  setSecret: 'brightrun.setSecret',
  showIngestion: 'brightrun.showIngestion',
  pauseExtraction: 'brightrun.pauseExtraction',
  resumeExtraction: 'brightrun.resumeExtraction',
  cancelExtraction: 'brightrun.cancelExtraction',
  retryFailed: 'brightrun.retryFailed',
  reextract: 'brightrun.reextract',
  removeSource: 'brightrun.removeSource',
  revealSource: 'brightrun.revealSource',
  previewDocument: 'brightrun.previewDocument',
  buildRecords: 'brightrun.buildRecords',
  generateRecords: 'brightrun.generateRecords',
  openRecords: 'brightrun.openRecords',
  revealRecordSource: 'brightrun.revealRecordSource',
  openExportManifest: 'brightrun.openExportManifest',
  showExportChangelog: 'brightrun.showExportChangelog',
  revealExport: 'brightrun.revealExport',
  verifyExport: 'brightrun.verifyExport',
  openExportPanel: 'brightrun.openExportPanel',
  runScheduledExports: 'brightrun.runScheduledExports',
} as const;

export type CommandId = (typeof Commands)[keyof typeof Commands];

/** Context keys used in package.json `when` clauses. */
export const ContextKeys = {
  hasProject: 'brightrun.hasProject',
  hasSources: 'brightrun.hasSources',
  extracting: 'brightrun.extracting',
  paused: 'brightrun.paused',
  /** At least one source is extracted (a document is done): the walkthrough's Extract step completes on it. */
  hasExtracted: 'brightrun.hasExtracted',
  hasRecords: 'brightrun.hasRecords',
  hasExports: 'brightrun.hasExports',
} as const;

export const ViewIds = {
  dataset: 'brightrun.dataset',
} as const;

export const WebviewTypes = {
  overview: 'brightrun.overview',
  ingest: 'brightrun.ingest',
  preview: 'brightrun.preview',
  records: 'brightrun.records',
  exportPanel: 'brightrun.exportPanel',
} as const;
