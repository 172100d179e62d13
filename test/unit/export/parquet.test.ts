import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { parquetFormat } from '../../../src/core/export/formats/parquet';
import { parquetColumns, parquetCompressor } from '../../../src/core/export/formats/parquetFile';
import { naturalRow } from '../../../src/core/export/rows';
import type { RecordKind } from '../../../src/core/records/types';
import { duckdbQuery, sqlString } from '../../support/duckdb';
import { EDGE_TEXTS, generatedContext, generatedRecord, listFiles } from '../../support/exportGenerated';
import { useTempDir } from '../../support/tmp';

describe('export: Parquet writer', function () {
  this.timeout(60_000);
  const tmp = useTempDir();

  for (const kind of ['completion', 'instruction', 'chat'] as const) {
    it(`writes ${kind} records that DuckDB reads back unchanged, row group by row group`, async () => {
      const ctx = generatedContext(tmp.dir, kind, { train: 40, validation: 6 }, { rowGroupRows: 7 });
      const files = await parquetFormat.write(ctx);
      assert.deepEqual(files.map((f) => [f.path, f.records, f.split]), [['parquet/train.parquet', 40, 'train'], ['parquet/validation.parquet', 6, 'validation']]);
      assert.deepEqual(await parquetFormat.verify(tmp.dir, files), []);
      const file = path.join(tmp.dir, 'parquet/train.parquet');
      assert.equal((await fs.stat(file)).size, files[0].bytes);
      const groups = await duckdbQuery(`SELECT count(DISTINCT row_group_id) AS n FROM parquet_metadata(${sqlString(file)})`);
      assert.equal(Number(groups[0].n), 6); // 40 rows in groups of 7
      const rows = await duckdbQuery(`SELECT * FROM read_parquet(${sqlString(file)}) ORDER BY id`);
      assert.equal(rows.length, 40);
      const expected = Array.from({ length: 40 }, (_, i) => naturalRow(generatedRecord(kind, i, 'train'), false));
      assert.deepEqual(rows, expected.sort((a, b) => (a.id < b.id ? -1 : 1)));
      if (kind === 'chat') {
        const types = await duckdbQuery(`SELECT typeof(messages) AS t FROM read_parquet(${sqlString(file)}) LIMIT 1`);
        assert.equal(types[0].t, 'STRUCT("role" VARCHAR, "content" VARCHAR)[]');
        const long = await duckdbQuery(`SELECT length(messages[2].content) AS n FROM read_parquet(${sqlString(file)}) WHERE id = 'train-chat-000004'`);
        assert.equal(Number(long[0].n), EDGE_TEXTS[4].length);
      }
    });
  }

  it('adds lineage columns as INT32 / string columns, and writes mixed kinds as the union of columns', async () => {
    const ctx = generatedContext(tmp.dir, 'instruction', { train: 5 }, {}, { lineageColumns: true, kind: 'mixed' });
    const base = ctx.records.bind(ctx);
    ctx.records = async function* (split) {
      let i = 0;
      for await (const r of base(split)) yield i++ % 2 ? r : generatedRecord('chat', i, 'train');
    };
    const files = await parquetFormat.write(ctx);
    assert.deepEqual(await parquetFormat.verify(tmp.dir, files), []);
    const file = path.join(tmp.dir, files[0].path);
    const schema = await duckdbQuery(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`);
    assert.deepEqual(schema.map((c) => c.column_name), parquetColumns('mixed', true));
    assert.equal(schema.find((c) => c.column_name === 'page')!.column_type, 'INTEGER');
    const rows = await duckdbQuery(`SELECT kind, len(messages) AS m, instruction, page, source_path FROM read_parquet(${sqlString(file)})`);
    assert.deepEqual(rows.map((r) => r.kind), ['chat', 'instruction', 'chat', 'instruction', 'chat']);
    assert.equal(Number(rows[1].m), 0);
    assert.equal(rows[0].instruction, '');
    assert.equal(rows[1].source_path, 'docs/manual-1.pdf');
    assert.equal(rows[1].page, 2);
  });

  for (const codec of ['gzip', 'brotli', 'uncompressed'] as const) {
    it(`writes ${codec} column chunks that DuckDB decodes`, async () => {
      const files = await parquetFormat.write(generatedContext(tmp.dir, 'chat', { train: 30 }, { codec, rowGroupRows: 8 }));
      assert.deepEqual(await parquetFormat.verify(tmp.dir, files), []);
      const file = path.join(tmp.dir, files[0].path);
      const meta = await duckdbQuery(`SELECT DISTINCT compression FROM parquet_metadata(${sqlString(file)})`);
      assert.deepEqual(meta.map((m) => m.compression), [codec.toUpperCase()]);
      const n = await duckdbQuery(`SELECT count(*) AS n, sum(len(messages)) AS m FROM read_parquet(${sqlString(file)})`);
      assert.equal(Number(n[0].n), 30);
      assert.ok(Number(n[0].m) >= 60);
    });
  }

  it('writes ZSTD where Node has zlib.zstdCompressSync, and names the codec and the fix where it has not', async () => {
    const hasZstd = typeof (zlib as unknown as { zstdCompressSync?: unknown }).zstdCompressSync === 'function';
    const ctx = generatedContext(tmp.dir, 'completion', { train: 12 }, { codec: 'zstd' });
    if (hasZstd) {
      const files = await parquetFormat.write(ctx);
      assert.deepEqual(await parquetFormat.verify(tmp.dir, files), []);
      const n = await duckdbQuery(`SELECT count(*) AS n FROM read_parquet(${sqlString(path.join(tmp.dir, files[0].path))})`);
      assert.equal(Number(n[0].n), 12);
    } else {
      await assert.rejects(parquetFormat.write(ctx), (err: Error & { code?: string; remedy?: string }) => err.code === 'UNSUPPORTED_FORMAT' && /zstd/.test(err.message) && /22\.15/.test(err.message) && /snappy/.test(err.remedy ?? ''));
      assert.deepEqual(await listFiles(tmp.dir), []);
    }
  });

  it('refuses an unknown codec and a bad row-group size with INVALID_ARGUMENT', async () => {
    await assert.rejects(parquetFormat.write(generatedContext(tmp.dir, 'chat', { train: 1 }, { codec: 'lz4' })), /codec.*snappy, gzip/);
    await assert.rejects(parquetFormat.write(generatedContext(tmp.dir, 'chat', { train: 1 }, { rowGroupRows: 0 })), (e: { code?: string }) => e.code === 'INVALID_ARGUMENT');
    assert.throws(() => parquetCompressor('lz4' as never), /Unknown Parquet codec/);
  });

  it('re-exporting the same records gives byte-identical files', async () => {
    const a = await parquetFormat.write(generatedContext(path.join(tmp.dir, 'a'), 'chat', { train: 25, test: 3 }, { rowGroupRows: 10 }));
    const b = await parquetFormat.write(generatedContext(path.join(tmp.dir, 'b'), 'chat', { train: 25, test: 3 }, { rowGroupRows: 10 }));
    assert.deepEqual(a.map((f) => f.sha256), b.map((f) => f.sha256));
    const bytes = await fs.readFile(path.join(tmp.dir, 'a', a[0].path));
    const { createHash } = await import('node:crypto');
    assert.equal(createHash('sha256').update(bytes).digest('hex'), a[0].sha256);
  });

  it('stops on cancellation and leaves no file behind', async () => {
    const controller = new AbortController();
    const ctx = generatedContext(tmp.dir, 'completion', { train: 500 }, { rowGroupRows: 50 }, { signal: controller.signal });
    const base = ctx.records.bind(ctx);
    ctx.records = async function* (split) {
      let i = 0;
      for await (const r of base(split)) {
        if (++i === 120) controller.abort();
        yield r;
      }
    };
    await assert.rejects(parquetFormat.write(ctx), (e: { code?: string }) => e.code === 'CANCELLED');
    assert.deepEqual(await listFiles(tmp.dir), []);
  });

  it('verify reports a file whose rows or bytes disagree with the manifest, and one that is not Parquet', async () => {
    const files = await parquetFormat.write(generatedContext(tmp.dir, 'instruction', { train: 9 }));
    const findings = await parquetFormat.verify(tmp.dir, [{ ...files[0], records: 10, bytes: files[0].bytes + 1 }]);
    assert.equal(findings.length, 2);
    assert.match(findings.map((f) => f.message).join('\n'), /holds 9 rows, the manifest says 10/);
    await fs.writeFile(path.join(tmp.dir, files[0].path), 'not parquet at all');
    const broken = await parquetFormat.verify(tmp.dir, files);
    assert.ok(broken.some((f) => f.severity === 'error' && /cannot be read as Parquet/.test(f.message)));
  });

  it('reports progress in records and bytes', async () => {
    const seen: number[] = [];
    await parquetFormat.write(generatedContext(tmp.dir, 'completion', { train: 2500 }, {}, { onProgress: (p) => seen.push(p.records) }));
    assert.deepEqual(seen, [1000, 2000, 2500]);
  });

  it('parquetColumns lists the natural row of a kind', () => {
    const kinds: RecordKind[] = ['completion', 'instruction', 'chat'];
    assert.deepEqual(kinds.map((k) => parquetColumns(k, false).join(',')), ['id,text', 'id,instruction,input,output', 'id,messages']);
  });
});
