export * from './types';
export { extract, type ExtractCallbacks } from './extract';
export { ExtractionPool, defaultPoolSize } from './extractionPool';
export { collectInputs, extractBatch, type BatchInput, type BatchOutcome, type BatchOptions } from './batch';
export { detectEncoding, decodeBytes } from './encoding';
export { DocumentStore } from './documentStore';
export { extractProject, loadSourceDocument, type ExtractProjectOptions, type ProjectExtractOutcome, type ProjectExtractSummary } from './extractProject';
export { renderDocumentText, type TextView } from './renderText';
