import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { PostgresStore } from '../../collector/src/store/postgres.ts'
import { Deriver } from '../../collector/src/derive/deriver.ts'
import type { DerivationStore } from '../../collector/src/store/types.ts'

/** The test server: PostgreSQL on 127.0.0.1:5432, trust auth, database `test` (override with TEST_DATABASE_URL). */
export const TEST_PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** Errors that mean no server answered, as opposed to one that answered with a refusal. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'])

/**
 * Why PostgreSQL tests cannot run (no server answers), or null when one does. Printed by
 * the suites that skip, so a skip is never silent. A server that answers but refuses
 * (authentication, permissions) does not skip: the tests then fail with its reason. A
 * missing test database is created, as a fresh CI cluster has none.
 *
 * @example
 * const noPostgres = await probePostgres()
 * describe.skipIf(noPostgres !== null)('PostgreSQL', () => { … })
 */
export async function probePostgres(url = TEST_PG_URL): Promise<string | null> {
  const where = url.replace(/\/\/[^@]*@/, '//')
  try {
    await query(url, 'SELECT 1')
    return null
  } catch (err) {
    const e = err as { code?: string; message?: string }
    if (e.code === '3D000') return createDatabase(url).then(() => null)
    if (UNREACHABLE.has(e.code ?? '') || /timeout|terminated/i.test(e.message ?? '')) {
      return `no PostgreSQL answers at ${where}: ${e.message || e.code}`
    }
    return null
  }
}

async function query(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.query(sql)
  } finally {
    await client.end().catch(() => {})
  }
}

/** Creates the URL's database through the `postgres` maintenance database. */
async function createDatabase(url: string): Promise<void> {
  const u = new URL(url)
  const name = decodeURIComponent(u.pathname.slice(1))
  u.pathname = '/postgres'
  await query(u.toString(), `CREATE DATABASE "${name.replace(/"/g, '""')}"`).catch((err: { code?: string }) => {
    if (err.code !== '42P04') throw err // another test file made it first
  })
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

/**
 * Waits until everything acknowledged is derived (events and sessions readable), deriving
 * here unless another deriver of the database is at it; fails rather than read half.
 *
 * @example
 * await store.insertEvents('shop', events)
 * await derived(store)
 */
export async function derived(store: DerivationStore): Promise<void> {
  await new Deriver(store, { log: () => {} }).settle(60_000)
  const left = await store.derivationBacklog()
  if (left.events > 0) throw new Error(`${left.events} events still pending derivation`)
}
