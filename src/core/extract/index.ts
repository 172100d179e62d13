export * from './types';
export { extract, type ExtractCallbacks } from './extract';
export { batchV8Flags, ExtractionPool, defaultPoolSize } from './extractionPool';
export { collectInputs, extractBatch, type BatchInput, type BatchOutcome, type BatchOptions } from './batch';
export { DocumentStore } from './documentStore';
export { extractProject, loadSourceDocument, summarize, type ExtractionControl, type ExtractProjectOptions, type ProjectExtractOutcome, type ProjectExtractSummary } from './extractProject';
export { readQueueState, writeQueueState, type QueueState } from './queueState';
export { renderDocumentText, type TextView } from './renderText';
export { DEFAULT_MAX_IMAGE_PIXELS, DEFAULT_MAX_MEMORY_MB, DEFAULT_TIME_LIMIT_SECONDS, extractOptionsFromConfig, resourceLimitError, timeBudgetMs } from './limits';
