import { BrightRunError } from '../../errors';
import type { ExportFormat, FormatWriter } from '../types';
import { csvWriter } from './csv';
import { jsonWriter } from './json';
import { jsonlWriter } from './jsonl';
import { tfrecordWriter } from './tfrecord';
import { axolotlFormat } from './axolotl';
import { hfLayoutFormat } from './hfLayout';
import { llamaFactoryFormat } from './llamaFactory';
import { parquetFormat } from './parquet';
import { pytorchFormat } from './pytorch';
import { userTemplateFormat } from './userTemplate';

/**
 * The format registry: one writer per ExportFormat. Adding a format is one file in this folder and one line
 * here (the Parquet, Hugging Face, PyTorch, LLaMA-Factory, axolotl and template writers plug in the same way).
 */
export const FORMAT_WRITERS: Partial<Record<ExportFormat, FormatWriter>> = {
  jsonl: jsonlWriter,
  json: jsonWriter,
  csv: csvWriter,
  tfrecord: tfrecordWriter,
  parquet: parquetFormat,
  hf: hfLayoutFormat,
  pytorch: pytorchFormat,
  'llama-factory': llamaFactoryFormat,
  axolotl: axolotlFormat,
  template: userTemplateFormat,
};

/** Every format name the CLI and brightrun.json accept (writers present or not). */
export const EXPORT_FORMATS: readonly ExportFormat[] = ['hf', 'json', 'jsonl', 'csv', 'parquet', 'tfrecord', 'pytorch', 'llama-factory', 'axolotl', 'template'];

/** The writer of a format; NOT_IMPLEMENTED for a known format without one in this build, INVALID_ARGUMENT for an unknown name. */
export function formatWriter(format: string): FormatWriter {
  const writer = FORMAT_WRITERS[format as ExportFormat];
  if (writer) return writer;
  if (EXPORT_FORMATS.includes(format as ExportFormat)) {
    throw new BrightRunError({ code: 'NOT_IMPLEMENTED', message: `The "${format}" export format is not available in this build.`, remedy: `Choose among: ${Object.keys(FORMAT_WRITERS).join(', ')}.` });
  }
  throw new BrightRunError({ code: 'INVALID_ARGUMENT', message: `Unknown export format "${format}".`, remedy: `Use any of: ${EXPORT_FORMATS.join(', ')} ("huggingface" is read as "hf").` });
}
