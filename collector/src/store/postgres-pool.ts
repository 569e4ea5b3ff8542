/**
 * Connection plumbing shared by the PostgreSQL store and its reports: the pool, a
 * transaction runner that retries deadlocks, and a server-side cursor for scans.
 */
import pg from 'pg'

export interface PostgresOptions {
  /** Schema to create (if missing) and put first on the search_path; tests use one each. */
  schema?: string
  /** Pool size; one connection does the group-committed writes, the rest serve reports. */
  max?: number
  log?: (msg: string, err?: unknown) => void
}

const INT8_OID = 20
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/
const FETCH_ROWS = 5000
/** Deadlock and serialization failure: the transaction did nothing and can run again. */
const RETRYABLE = new Set(['40P01', '40001'])

// Times and counts are bigint; as JS numbers they are exact up to 2^53 ms (year 287396),
// and the report maths expects numbers. Set per pool so other pg users keep the default.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
}

/**
 * Opens a pool on `url`; with `schema`, the schema is created and every connection uses it.
 *
 * @example
 * const pool = await openPool('postgres://postgres@127.0.0.1/funnelbeam', { schema: 'fb_test_1' })
 */
export async function openPool(url: string, opts: PostgresOptions = {}): Promise<pg.Pool> {
  if (opts.schema !== undefined && !SCHEMA_NAME.test(opts.schema)) throw new Error(`invalid schema name: ${opts.schema}`)
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    // With the database unreachable, a request fails after this instead of hanging.
    connectionTimeoutMillis: 10_000,
    types,
    ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
  })
  // An idle client that loses its connection (server restart) emits 'error'; unhandled,
  // it would crash the process. The pool drops it and connects afresh on the next query.
  const log = opts.log ?? ((msg: string, err?: unknown) => console.error(msg, err))
  pool.on('error', (err) => log('postgres: idle connection failed', err))
  if (opts.schema) {
    try {
      await pool.query(`CREATE SCHEMA IF NOT EXISTS ${opts.schema}`)
    } catch (err) {
      // Two processes creating it at once: the loser sees a unique violation; the schema exists.
      if (!['23505', '42P06'].includes((err as { code?: string }).code ?? '')) {
        await pool.end()
        throw err
      }
    }
  }
  return pool
}

/**
 * Runs `fn` inside BEGIN … COMMIT on one client; a deadlock or a serialization failure
 * rolls back and runs it again (up to `attempts` times), since nothing was written.
 *
 * @example
 * const n = await inTransaction(pool, async (c) => (await c.query('DELETE FROM salts')).rowCount)
 */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect()
    let broken = false
    try {
      await client.query('BEGIN')
      const result = await fn(client)
      await client.query('COMMIT')
      return result
    } catch (err) {
      await client.query('ROLLBACK').catch(() => { broken = true })
      if (attempt >= attempts || !RETRYABLE.has((err as { code?: string }).code ?? '')) throw err
    } finally {
      client.release(broken)
    }
  }
}

/**
 * Streams the rows of `sql` (as arrays) through a server-side cursor, FETCH_ROWS at a
 * time, so a scan over millions of events holds one page in memory, never the table.
 *
 * @example
 * await streamRows(pool, 'SELECT visitor, ts FROM events WHERE site = $1 ORDER BY visitor, ts', ['shop'], (rows) => { … })
 */
export async function streamRows(pool: pg.Pool, sql: string, args: unknown[], onRows: (rows: unknown[][]) => void | Promise<void>): Promise<void> {
  const client = await pool.connect()
  let broken = false
  try {
    await client.query('BEGIN READ ONLY')
    // The planner favours fast-start plans for cursors (it assumes 10% will be fetched);
    // scans read every row, so plan for the whole result.
    await client.query('SET LOCAL cursor_tuple_fraction = 1.0')
    await client.query({ text: `DECLARE fb_scan NO SCROLL CURSOR FOR ${sql}`, values: args })
    for (;;) {
      const page = await client.query<unknown[]>({ text: `FETCH ${FETCH_ROWS} FROM fb_scan`, rowMode: 'array' })
      // Awaited, so a slow consumer (a file being written) holds the next page back.
      if (page.rows.length > 0) await onRows(page.rows)
      if (page.rows.length < FETCH_ROWS) break
    }
    await client.query('COMMIT')
  } catch (err) {
    await client.query('ROLLBACK').catch(() => { broken = true })
    throw err
  } finally {
    client.release(broken)
  }
}
