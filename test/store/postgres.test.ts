import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { event, storeContract } from './contract.ts'
import { PostgresStore } from '../../collector/src/store/postgres.ts'
import { migratePostgres, POSTGRES_MIGRATIONS } from '../../collector/src/store/postgres-migrations.ts'
import { openPool } from '../../collector/src/store/postgres-pool.ts'
import { rebuildDerived } from '../../collector/src/derive/rebuild.ts'
import { derived, dropSchema, openTestPostgres, probePostgres, TEST_PG_URL, testSchema } from '../helpers/postgres.ts'

const noPostgres = await probePostgres()
if (noPostgres) console.warn(`Skipping the PostgreSQL store contract: ${noPostgres}`)

describe.skipIf(noPostgres !== null)('PostgreSQL store', () => {
  storeContract('PostgreSQL', {
    async open() {
      const { store, drop } = await openTestPostgres()
      return {
        store,
        async sessions(site) {
          return (await store.pool.query('SELECT id, pageviews, channel FROM sessions WHERE site = $1 ORDER BY started', [site])).rows
        },
        async eventSessions(site) {
          return (await store.pool.query<{ session_id: string | null }>('SELECT session_id FROM events WHERE site = $1 ORDER BY seq', [site]))
            .rows.map((r) => r.session_id)
        },
        cleanup: drop,
      }
    },
  })
})

describe.skipIf(noPostgres !== null)('PostgreSQL store', () => {
  let store: PostgresStore
  let drop: () => Promise<void>
  beforeEach(async () => { ({ store, drop } = await openTestPostgres()) })
  afterEach(async () => { await drop() })

  it('stores NUL and lone surrogates cleaned, without failing the requests sharing its transaction', async () => {
    const odd = event({ name: 'cta\u0000click', type: 'event', props: { label: 'x\ud800y', 'k\u0000': 1 } })
    const plain = event({ visitor: 'v2' })
    expect(await Promise.all([store.insertEvents('shop', [odd]), store.insertEvents('shop', [plain])])).toEqual([['accepted'], ['accepted']])
    expect(store.commits).toBe(1)
    await derived(store)
    const row = (await store.pool.query('SELECT name, props FROM events WHERE id = $1', [odd.id])).rows[0]
    expect(row).toEqual({ name: 'ctaclick', props: { label: 'x\ufffdy', k: 1 } })
    await store.quarantine([{ site: 'shop', received: 0, origin: 'browser', reason: 'invalid_json', message: 'm', payload: '{"a":"\u0000"}' }])
    expect(await store.reports.quarantineCounts('shop', 0)).toEqual({ invalid_json: 1 })
  })

  it('rebuilds derived data: channels by the current rules, the same sessions and events otherwise', async () => {
    const google = { ...event().touch, source: 'google', medium: 'cpc', campaign: 'brand' }
    await store.insertEvents('shop', [
      event({ id: 'a1', touch: google, channel: 'Other', path: '/pricing' }),
      event({ id: 'a2', ts: event().ts + 5 * 60_000, type: 'conversion', name: 'purchase', value: 10, currency: 'EUR', orderId: 'A-1', props: { plan: 'pro' } }),
      event({ id: 'b1', ts: event().ts + 90 * 60_000 }),
      event({ id: 'n1', visitor: null }),
    ])
    await store.insertEvents('blog', [event({ id: 'c1', visitor: 'v2' })])
    await derived(store)
    const snapshot = async () => ({
      sessions: (await store.pool.query('SELECT site, id, visitor, started, last_ts, channel, landing_path, events, pageviews FROM sessions ORDER BY site, visitor, started')).rows,
      events: (await store.pool.query('SELECT site, id, type, name, ts, visitor, session_id, channel, value, order_id, props FROM events ORDER BY site, ts, id')).rows,
    })
    const before = await snapshot()
    expect(before.sessions.map((s) => s.channel)).toEqual(['Direct', 'Other', 'Direct'])
    expect(await rebuildDerived(store)).toBe(5)
    const after = await snapshot()
    const fix = <T extends { channel: string }>(rows: T[]) => rows.map((r) => ({ ...r, channel: r.channel === 'Other' ? 'Paid Search' : r.channel }))
    expect(after).toEqual({ sessions: fix(before.sessions), events: fix(before.events) })
    expect(await store.derivationBacklog()).toEqual({ events: 0, oldestReceived: null, oldestSeq: null, newestSeq: null })
    // The keys stay claimed: the events are still stored once.
    expect(await store.insertEvents('shop', [event({ id: 'a1' })])).toEqual(['duplicate'])
  })

  it('hands derivation the oldest requests first, about as many events as asked for and at least one request', async () => {
    for (const visitor of ['a', 'b', 'c']) await store.insertEvents('shop', Array.from({ length: 5 }, () => event({ visitor })))
    const visitors = (groups: { events: { visitor: string | null }[] }[]) => groups.map((g) => g.events[0].visitor)
    expect(visitors(await store.pendingGroups(100))).toEqual(['a', 'b', 'c'])
    expect(visitors(await store.pendingGroups(10))).toEqual(['a', 'b'])
    expect(visitors(await store.pendingGroups(7))).toEqual(['a'])
    expect(visitors(await store.pendingGroups(1))).toEqual(['a'])
    expect(await store.derivationBacklog()).toEqual({ events: 15, oldestReceived: expect.any(Number), oldestSeq: expect.any(Number), newestSeq: expect.any(Number) })
    await derived(store)
    expect(await store.derivationBacklog()).toEqual({ events: 0, oldestReceived: null, oldestSeq: null, newestSeq: null })
    expect(await store.pendingGroups(100)).toEqual([])
  })
})

describe.skipIf(noPostgres !== null)('PostgreSQL migration 5', () => {
  it('carries the keys of events stored before it, so their copies stay duplicates', async () => {
    const schema = testSchema()
    const pool = await openPool(TEST_PG_URL, { schema, max: 1 })
    let store: PostgresStore | null = null
    try {
      await migratePostgres(pool, POSTGRES_MIGRATIONS.slice(0, 4))
      const old = [event({ id: 'e-old' }), event({ id: 'c-old', type: 'conversion', name: 'purchase', orderId: 'A-1' })]
      for (const e of old) {
        await pool.query(`INSERT INTO events (site, id, type, name, ts, received, visitor, channel, order_id, consent, origin)
          VALUES ('shop', $1, $2, $3, $4, $4, 'v1', 'Direct', $5, 1, 'browser')`, [e.id, e.type, e.name, e.ts, e.orderId])
      }
      store = await PostgresStore.open(TEST_PG_URL, { schema, max: 3 })
      expect(await store.insertEvents('shop', [old[0], { ...old[1], id: 'c-new' }, event({ id: 'e-new' })]))
        .toEqual(['duplicate', 'duplicate', 'accepted'])
      await derived(store)
      expect((await store.pool.query('SELECT id FROM events ORDER BY seq')).rows.map((r) => r.id)).toEqual(['e-old', 'c-old', 'e-new'])
    } finally {
      await store?.close()
      await pool.end()
      await dropSchema(schema)
    }
  })
})
