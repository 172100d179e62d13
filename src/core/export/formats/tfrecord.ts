import { BrightRunError } from '../../errors';
import type { TrainingRecord } from '../../records/types';
import { naturalRow } from '../rows';
import { readDataChunks } from './fileSink';
import { decodeExample, encodeExample, frameRecord, TfRecordReader, type FeatureValue } from '../tfrecordCodec';
import type { FormatWriter, VerifyFinding, WrittenFile } from '../types';
import { countFinding, fileIn, problem, writeSplitFiles } from './splitFiles';

/**
 * TFRecord: one `tf.train.Example` per record, `<split>.tfrecord` (`.tfrecord.gz` with gzip: the whole file
 * compressed, what `tf.data.TFRecordDataset(path, compression_type="GZIP")` reads). Features: each string column
 * a bytes_list of one UTF-8 value; lineage numbers (page, span_start, span_end) an int64_list of one value; chat
 * messages two parallel bytes_lists, `messages/role` and `messages/content`, one value per message (the
 * TensorFlow convention for a list of structs; a `tf.io.RaggedFeature` reads them back).
 */
export const tfrecordWriter: FormatWriter = {
  format: 'tfrecord',
  write(ctx) {
    return writeSplitFiles(ctx, 'tfrecord', { extension: 'tfrecord', encode: (r) => frameRecord(exampleOf(r, ctx.lineageColumns)) });
  },
  async verify(dir, files, signal) {
    const findings: VerifyFinding[] = [];
    for (const file of files) findings.push(...(await verifyTfRecord(dir, file, signal)));
    return findings;
  },
};

/** The serialised Example of one record (features in column order). */
export function exampleOf(record: TrainingRecord, withLineage: boolean): Buffer {
  const features: [string, FeatureValue][] = [];
  for (const [key, value] of Object.entries(naturalRow(record, withLineage))) {
    if (typeof value === 'string') features.push([key, { bytes: [value] }]);
    else if (typeof value === 'number') features.push([key, { int64: [value] }]);
    else if (Array.isArray(value)) {
      features.push([`${key}/role`, { bytes: value.map((m) => m.role) }]);
      features.push([`${key}/content`, { bytes: value.map((m) => m.content) }]);
    } else throw new BrightRunError({ code: 'INTERNAL', message: `Column ${key} has no TFRecord feature type.`, remedy: 'Report the problem.' });
  }
  return encodeExample(features);
}

/** Re-reads framing and both CRCs of every record, parses each Example and checks it has an `id`. */
async function verifyTfRecord(dir: string, file: WrittenFile, signal?: AbortSignal): Promise<VerifyFinding[]> {
  const reader = new TfRecordReader();
  let n = 0;
  try {
    for await (const chunk of readDataChunks(fileIn(dir, file), signal)) {
      for (const data of reader.push(chunk)) {
        n++;
        const id = decodeExample(data).get('id');
        if (!id || !('bytes' in id) || id.bytes.length !== 1) return [problem(file.path, `record ${n} has no id feature`)];
      }
    }
    reader.end();
  } catch (err) {
    return [problem(file.path, `cannot be read back after record ${n}: ${(err as Error).message}`)];
  }
  return countFinding(file, n);
}
