// Export of an experience store as Parquet, for DuckDB, Spark or pandas across a fleet's
// pooled stores: the ticks go out as the NDJSON export writes them (the query API's objects),
// and DuckDB (its maintained Node package) reads that file and writes it as Parquet — nested
// objects (the state's features and variables, the actions, the firings) become Parquet
// structs and lists, so nothing is flattened or lost.
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GamesaError } from '../../errors.js'
import { exportExperience } from './export.js'
import type { ExperienceQuery, ExperienceReader } from './reader.js'

/** A SQL string literal: single quotes doubled. */
function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`
}

/**
 * Writes the ticks `query` selects to the Parquet file `path` (replaced if it exists), one row
 * per tick with the NDJSON export's fields as columns. Returns the ticks written. A selection
 * with no tick writes a file with the tick's key columns and no rows.
 */
export async function exportExperienceParquet(reader: ExperienceReader, path: string, query: ExperienceQuery = {}): Promise<number> {
  if (typeof path !== 'string' || path === '') throw new GamesaError('INVALID_ARGUMENT', 'path must be a file name')
  const dir = mkdtempSync(join(tmpdir(), 'gamesa-parquet-'))
  try {
    const ndjson = join(dir, 'ticks.ndjson')
    const fd = openSync(ndjson, 'w')
    let ticks: number
    try {
      ticks = exportExperience(reader, 'ndjson', (text) => void writeSync(fd, text), query)
    } finally {
      closeSync(fd)
    }
    const { DuckDBInstance } = await import('@duckdb/node-api')
    const instance = await DuckDBInstance.create(':memory:')
    const connection = await instance.connect()
    try {
      // sample_size -1: the columns (and each struct's fields) from every tick, not a sample,
      // since a variable absent early in a run may appear later.
      const source = ticks > 0 ? `SELECT * FROM read_json_auto(${literal(ndjson)}, format = 'newline_delimited', sample_size = -1)` : 'SELECT NULL::BIGINT AS run, NULL::BIGINT AS tick, NULL::DOUBLE AS timeMs, NULL::DOUBLE AS reward LIMIT 0'
      await connection.run(`COPY (${source}) TO ${literal(path)} (FORMAT PARQUET, COMPRESSION ZSTD)`)
    } catch (err) {
      throw new GamesaError('IO_ERROR', `writing ${path} as Parquet failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
    } finally {
      connection.closeSync()
      instance.closeSync()
    }
    return ticks
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
