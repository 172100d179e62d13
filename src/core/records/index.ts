export * from './types';
export * from './tokenizer';
export * from './chunker';
export * from './settings';
export * from './splits';
export * from './quality';
export * from './store';
export * from './build';
