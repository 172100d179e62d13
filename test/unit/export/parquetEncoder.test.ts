import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { DEFAULT_PARQUET_SETTINGS, ParquetFileStream, parquetDecompressors } from '../../../src/core/export/formats/parquetFile';
import type { ParquetCodec } from '../../../src/core/export/types';
import { importModule } from '../../../src/core/extract/esmImport';
import { duckdbQuery, sqlString } from '../../support/duckdb';
import { useTempDir } from '../../support/tmp';

type Hyparquet = typeof import('hyparquet', { with: { 'resolution-mode': 'import' } });
const execFileP = promisify(execFile);

/**
 * The Parquet encoder (parquetFile.ts, parquetRowGroup.ts, parquetLeaves.ts, parquetPages.ts) against three
 * readers it shares no code with: DuckDB, hyparquet and pyarrow — on the cases its pages must get right.
 */

const COLUMNS = ['id', 'kind', 'text', 'messages', 'source_path', 'page'];
const OPTIONAL = ['text', 'source_path', 'page'];
const LONG = 'é'.repeat(700_000) + 'end'; // 1.4 MB of UTF-8: a page of its own, past PAGE_BYTES
const TEXTS = ['Überdruck im Gehäuse: naïve café — 圧力 🚀 שלום', '', 'emoji 😀 and 𝄞 (surrogate pairs)', 'a lone surrogate \uD800 here', 'quotes " \' \\ tab\tnewline\n\u0001', LONG];

interface Row {
  id: string;
  kind: string;
  text: string | null;
  messages: { role: string; content: string }[];
  source_path: string | null;
  page: number | null;
}

function row(i: number): Row {
  return {
    id: `row-${String(i).padStart(4, '0')}`,
    kind: i % 3 ? 'chat' : 'completion',
    text: i % 4 === 2 ? null : TEXTS[i % TEXTS.length],
    messages:
      i % 5 === 0
        ? []
        : [
            { role: 'user', content: `Question ${i}: ${TEXTS[(i + 1) % TEXTS.length].slice(0, 200)}` },
            { role: 'assistant', content: i % 7 === 1 ? '' : TEXTS[(i + 2) % (TEXTS.length - 1)] },
            ...(i % 3 === 1 ? [{ role: 'user', content: 'And then?' }] : []),
          ],
    source_path: i % 6 === 5 ? null : `docs/manual-${i % 3}.pdf`,
    page: i % 8 === 3 ? null : i * 1000 - 5000,
  };
}

/** What a reader returns for a row: lone surrogates as U+FFFD (the UTF-8 the writer wrote). */
function expected(r: Row): Row {
  const fix = (s: string) => s.replace(/\uD800/g, '\uFFFD');
  return { ...r, text: r.text === null ? null : fix(r.text), messages: r.messages.map((m) => ({ role: m.role, content: fix(m.content) })) };
}

async function writeRows(file: string, rows: Row[], codec: ParquetCodec, rowGroupRows: number): Promise<{ bytes: number }> {
  const stream = await ParquetFileStream.open(file, COLUMNS, { ...DEFAULT_PARQUET_SETTINGS, codec, rowGroupRows }, { 'brightrun.kind': 'mixed' }, { optional: OPTIONAL });
  for (const r of rows) await stream.add(r as unknown as Record<string, unknown>);
  return stream.close();
}

async function readHyparquet(file: string): Promise<Record<string, unknown>[]> {
  const { asyncBufferFromFile, parquetReadObjects } = await importModule<Hyparquet>('hyparquet');
  return parquetReadObjects({ file: await asyncBufferFromFile(file), compressors: parquetDecompressors() as never });
}

const hasZstd = typeof (zlib as unknown as { zstdCompressSync?: unknown }).zstdCompressSync === 'function';
const CODECS: ParquetCodec[] = ['snappy', 'gzip', 'brotli', 'uncompressed', ...(hasZstd ? (['zstd'] as const) : [])];

describe('export: Parquet encoder against DuckDB, hyparquet and pyarrow', function () {
  this.timeout(120_000);
  const tmp = useTempDir();
  const rows = Array.from({ length: 61 }, (_, i) => row(i));

  for (const codec of CODECS) {
    it(`${codec}: non-ASCII, empty strings, empty lists, nulls, a text over one page, 9 row groups — read back unchanged`, async () => {
      const file = path.join(tmp.dir, `${codec}.parquet`);
      await writeRows(file, rows, codec, 7);
      const want = rows.map(expected);

      const duck = await duckdbQuery(`SELECT * FROM read_parquet(${sqlString(file)}) ORDER BY id`);
      assert.deepEqual(duck, want);
      const meta = await duckdbQuery(`SELECT count(DISTINCT row_group_id) AS groups, min(compression) AS c, max(compression) AS d FROM parquet_metadata(${sqlString(file)})`);
      assert.deepEqual([Number(meta[0].groups), meta[0].c, meta[0].d], [9, codec.toUpperCase(), codec.toUpperCase()]);

      const hyp = await readHyparquet(file);
      assert.deepEqual(
        hyp.map((o) => ({ ...o, text: o.text ?? null, source_path: o.source_path ?? null, page: o.page ?? null })),
        want,
      );
    });
  }

  it('pyarrow reads the schema as list<struct<role, content>> with OPTIONAL columns, every row, and min/max statistics on id', async () => {
    const file = path.join(tmp.dir, 'arrow.parquet');
    await writeRows(file, rows, 'snappy', 25);
    const script = [
      'import json, sys',
      'import pyarrow.parquet as pq',
      'f = pq.ParquetFile(sys.argv[1])',
      't = f.read()',
      'stats = [f.metadata.row_group(g).column(0).statistics for g in range(f.metadata.num_row_groups)]',
      "print(json.dumps({'schema': [[x.name, str(x.type), x.nullable] for x in t.schema], 'rows': t.to_pylist(),",
      "  'stats': [[s.min, s.max, s.null_count] for s in stats], 'kv': {k.decode(): v.decode() for k, v in f.metadata.metadata.items()}}))",
    ].join('\n');
    const { stdout } = await execFileP('python3', ['-c', script, file], { maxBuffer: 256 << 20 });
    const got = JSON.parse(stdout) as { schema: [string, string, boolean][]; rows: Row[]; stats: [string, string, number][]; kv: Record<string, string> };
    assert.deepEqual(got.schema, [
      ['id', 'string', false],
      ['kind', 'string', false],
      ['text', 'string', true],
      ['messages', 'list<element: struct<role: string not null, content: string not null> not null>', false],
      ['source_path', 'string', true],
      ['page', 'int32', true],
    ]);
    assert.deepEqual(got.rows, rows.map(expected));
    assert.deepEqual(got.stats, [['row-0000', 'row-0024', 0], ['row-0025', 'row-0049', 0], ['row-0050', 'row-0060', 0]]);
    assert.equal(got.kv['brightrun.kind'], 'mixed');
  });

  it('splits a column chunk into pages at row boundaries (thousands of rows, several MiB of content in one row group)', async () => {
    const file = path.join(tmp.dir, 'pages.parquet');
    const many = Array.from({ length: 4000 }, (_, i) => ({ ...row(i % 5 === 0 ? 1 : i), id: `m-${String(i).padStart(5, '0')}`, text: `text ${i} ${'ü'.repeat(i % 900)}` }));
    await writeRows(file, many, 'snappy', 10_000);
    const counts = await duckdbQuery(`SELECT count(*) AS n, sum(len(messages)) AS m, sum(length(text)) AS t FROM read_parquet(${sqlString(file)})`);
    assert.equal(Number(counts[0].n), 4000);
    assert.equal(Number(counts[0].m), many.reduce((s, m) => s + m.messages.length, 0));
    assert.equal(Number(counts[0].t), many.reduce((s, m) => s + (m.text?.length ?? 0), 0));
    const sizes = await duckdbQuery(`SELECT path_in_schema AS p, total_uncompressed_size AS u FROM parquet_metadata(${sqlString(file)})`);
    const text = sizes.find((s) => s.p === 'text');
    assert.ok(Number(text!.u) > 3 * (1 << 20), `text chunk ${String(text!.u)} bytes spans several 1 MiB pages`);
    const hyp = await readHyparquet(file);
    assert.deepEqual(
      hyp.map((o) => [o.id, o.text, o.messages]),
      many.map((m) => [m.id, m.text, expected(m).messages]),
    );
  });

  it('refuses a null in a REQUIRED column and a value of the wrong type, naming the column', async () => {
    const stream = await ParquetFileStream.open(path.join(tmp.dir, 'bad.parquet'), ['id', 'page', 'messages'], DEFAULT_PARQUET_SETTINGS);
    assert.throws(() => stream.add({ id: null, page: 1, messages: [] }), /"id" is required/);
    assert.throws(() => stream.add({ id: 'a', page: 1.5, messages: [] }), /"page" holds INT32/);
    assert.throws(() => stream.add({ id: 'a', page: 1, messages: 'hi' }), /"messages" holds lists/);
    assert.throws(() => stream.add({ id: 'a', page: 1, messages: [{ role: 'user' }] }), /"messages" holds \{role, content\}/);
    await stream.discard();
  });
});
