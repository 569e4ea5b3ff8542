import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { funnelbeam } from './run.ts'
import { seededDataDir, SEEDED } from './seed.ts'
import { dropSchema, probePostgres, testSchema, TEST_PG_URL } from '../helpers/postgres.ts'
import { SqliteStore } from '../../collector/src/store/sqlite.ts'
import { PostgresStore } from '../../collector/src/store/postgres.ts'
import { copyTables, planCopy } from '../../collector/src/store/sqlite-to-postgres.ts'
import { Deriver } from '../../collector/src/derive/deriver.ts'
import { event } from '../store/contract.ts'

const noPostgres = await probePostgres()
if (noPostgres) console.warn(`skipping funnelbeam migrate: ${noPostgres}`)
const T = { timeout: 90_000 }
const urlFor = (schema: string) => `${TEST_PG_URL}${TEST_PG_URL.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}`

describe.skipIf(noPostgres !== null)('funnelbeam migrate --to postgres://…', () => {
  let dir: string
  const schemas: string[] = []
  beforeAll(async () => { dir = await seededDataDir() }, 60_000)
  afterAll(async () => {
    for (const s of schemas) await dropSchema(s)
    rmSync(dir, { recursive: true, force: true })
  })

  it('copies every table, verifies counts and each site\'s summary, and the collector then runs on PostgreSQL', T, async () => {
    const schema = testSchema()
    schemas.push(schema)
    const missing = await funnelbeam(['migrate', '--to', urlFor(schema)], { DATA_DIR: dir })
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining(`CREATE SCHEMA ${schema}`)])
    await (await PostgresStore.open(TEST_PG_URL, { schema })).close()
    const r = await funnelbeam(['migrate', '--to', urlFor(schema), '--json'], { DATA_DIR: dir })
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.ok).toBe(true)
    const tables = Object.fromEntries(out.tables.map((t: { table: string; sqlite: number; postgres: number }) => [t.table, t]))
    // Every data table of the SQLite schema, found by enumerating it.
    // Every table of the SQLite schema (found by enumerating it), at least these.
    expect(Object.keys(tables)).toEqual(expect.arrayContaining(['budgets', 'destinations', 'event_ids', 'events', 'inbox', 'order_ids', 'outbox', 'quarantine', 'salts', 'sessions', 'sites', 'spend', 'user_hashes']))
    expect(Object.values(tables).every((t: any) => t.sqlite === t.postgres)).toBe(true)
    expect(tables.budgets).toEqual({ table: 'budgets', sqlite: 1, postgres: 1 })
    const all = SEEDED.days.length * SEEDED.eventsPerDay + SEEDED.late
    expect(tables.events).toEqual({ table: 'events', sqlite: all, postgres: all })
    expect(tables.quarantine.postgres).toBe(1)
    expect(out.sites).toEqual([expect.objectContaining({ site: 'shop', equal: true, from: SEEDED.days[0], to: SEEDED.days[2] })])
    expect(out.sites[0].postgres.conversions).toBe(6)

    // The copy is a working store: the secret still authorizes, new events get fresh keys
    // and identities, and a duplicate of a migrated event is still a duplicate.
    const pg = await PostgresStore.open(TEST_PG_URL, { schema })
    try {
      const sqlite = new SqliteStore(join(dir, 'funnelbeam.db'))
      const site = await sqlite.getSite('shop')
      const old = (sqlite.db.prepare('SELECT id FROM events LIMIT 1').get() as { id: string }).id
      await sqlite.close()
      expect(await pg.getSite('shop')).toEqual(site)
      const fresh = event({ ts: Date.parse('2026-11-04T18:00:00Z'), visitor: 'new' })
      expect(await pg.insertEvents('shop', [fresh, event({ id: old })])).toEqual(['accepted', 'duplicate'])
      await pg.quarantine([{ site: 'shop', received: Date.now(), origin: 'server', reason: 'invalid_field', message: 'm', payload: '{}' }])
      await new Deriver(pg, { log: () => {} }).settle(10_000)
      expect((await pg.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n).toBe(all + 1)
    } finally {
      await pg.close()
    }
  })

  it('resumes an interrupted copy where it stopped, copying no row twice', T, async () => {
    const schema = testSchema()
    schemas.push(schema)
    const sqlite = new SqliteStore(join(dir, 'funnelbeam.db'))
    const pg = await PostgresStore.open(TEST_PG_URL, { schema })
    let chunks = 0
    try {
      const plans = await planCopy(sqlite.db, pg.pool)
      // Stop after the fourth committed chunk of 4 rows: part-way through a table.
      await expect(copyTables(sqlite.db, pg.pool, plans, { afterChunk: () => { if (++chunks === 4) throw new Error('interrupted') } }, 4)).rejects.toThrow('interrupted')
    } finally {
      await sqlite.close()
      await pg.close()
    }
    const r = await funnelbeam(['migrate', '--to', urlFor(schema), '--json'], { DATA_DIR: dir })
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.tables.every((t: { sqlite: number; postgres: number }) => t.sqlite === t.postgres)).toBe(true)
    expect(out.sites[0].equal).toBe(true)
  })

  it('stops before copying anything when the SQLite file has a table or column PostgreSQL lacks', T, async () => {
    const schema = testSchema()
    schemas.push(schema)
    const copy = join(dir, 'newer.db')
    const sqlite = new SqliteStore(join(dir, 'funnelbeam.db'))
    await sqlite.db.backup(copy)
    await sqlite.close()
    const newer = new SqliteStore(copy)
    newer.db.exec('CREATE TABLE widgets (site TEXT, name TEXT); ALTER TABLE spend ADD COLUMN reach INTEGER')
    await newer.close()
    await (await PostgresStore.open(TEST_PG_URL, { schema })).close()
    const r = await funnelbeam(['migrate', '--from', copy, '--to', urlFor(schema)], { DATA_DIR: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('PostgreSQL has no table widgets')
    expect(r.stderr).toContain('PostgreSQL table spend has no column reach')
    const pg = await PostgresStore.open(TEST_PG_URL, { schema })
    expect((await pg.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n).toBe(0)
    await pg.close()
  })

  it('refuses a database that already holds data, and a URL that is not PostgreSQL', T, async () => {
    const schema = testSchema()
    schemas.push(schema)
    const pg = await PostgresStore.open(TEST_PG_URL, { schema })
    await pg.createSite({ id: 'other', origins: [], secretHash: 'x', currency: 'EUR', timezone: 'UTC', created: 0 })
    await pg.close()
    const r = await funnelbeam(['migrate', '--to', urlFor(schema)], { DATA_DIR: dir })
    expect([r.code, r.stderr]).toEqual([1, expect.stringContaining('PostgreSQL already holds 1 sites')])
    const bad = await funnelbeam(['migrate', '--to', 'mysql://x'], { DATA_DIR: dir })
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('--to must be a postgres:// URL')])
  })
})
