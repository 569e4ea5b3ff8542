import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { PostgresStore } from '../../collector/src/store/postgres.ts'

/** The test server: PostgreSQL on 127.0.0.1:5432, trust auth, database `test` (override with TEST_DATABASE_URL). */
export const TEST_PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/**
 * Why PostgreSQL tests cannot run (no server answers), or null when one does. Printed by
 * the suites that skip, so a skip is never silent.
 *
 * @example
 * const noPostgres = await probePostgres()
 * describe.skipIf(noPostgres !== null)('PostgreSQL', () => { … })
 */
export async function probePostgres(url = TEST_PG_URL): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.query('SELECT 1')
    return null
  } catch (err) {
    return `no PostgreSQL answers at ${url.replace(/\/\/[^@]*@/, '//')}: ${(err as Error).message || String(err)}`
  } finally {
    await client.end().catch(() => {})
  }
}

/** A fresh schema name per call, so parallel runs and tests never share tables. */
export function testSchema(): string {
  return `fb_test_${randomBytes(6).toString('hex')}`
}

/** Drops a test schema and everything in it. */
export async function dropSchema(schema: string, url = TEST_PG_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  } finally {
    await client.end()
  }
}

/**
 * A PostgresStore on its own new schema; `drop()` closes it and removes the schema.
 *
 * @example
 * const { store, drop } = await openTestPostgres()
 * try { … } finally { await drop() }
 */
export async function openTestPostgres(schema = testSchema()): Promise<{ store: PostgresStore; schema: string; drop(): Promise<void> }> {
  const store = await PostgresStore.open(TEST_PG_URL, { schema, max: 4 })
  return {
    store, schema,
    async drop() {
      await store.close()
      await dropSchema(schema)
    },
  }
}
