import type { DuckDBConnection } from '@duckdb/node-api';

/** Rows of a DuckDB query as JSON-like objects (an independent Parquet reader for the export tests). */
export async function duckdbQuery(sql: string, threads = 1): Promise<Record<string, unknown>[]> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  let connection: DuckDBConnection | undefined;
  try {
    connection = await instance.connect();
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection?.closeSync();
    instance.closeSync();
  }
}

/** A path as a single-quoted SQL string literal. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
