/**
 * Several collector processes on one database: two PostgresStore instances (own pools,
 * own group commit, as two processes would have) open the same fresh schema at once and
 * get the same events at the same time, in different orders and batchings.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { PostgresStore } from '../../collector/src/store/postgres.ts'
import { POSTGRES_MIGRATIONS } from '../../collector/src/store/postgres-migrations.ts'
import type { EnrichedEvent, InsertOutcome } from '../../collector/src/store/types.ts'
import { dropSchema, probePostgres, TEST_PG_URL, testSchema } from '../helpers/postgres.ts'
import { event } from './contract.ts'

const noPostgres = await probePostgres()
if (noPostgres) console.warn(`Skipping the PostgreSQL multi-process tests: ${noPostgres}`)

const T0 = Date.parse('2026-11-20T12:00:00Z')
const MIN = 60_000

/** `n` visitors with `per` events each, a minute apart: one session per visitor. */
function traffic(n: number, per: number): EnrichedEvent[] {
  const out: EnrichedEvent[] = []
  for (let v = 0; v < n; v++) {
    for (let i = 0; i < per; i++) {
      out.push(event({ visitor: `v${v}`, ts: T0 + v * 7 + i * MIN, type: i % 3 === 2 ? 'event' : 'pageview', name: i % 3 === 2 ? 'click' : 'pageview' }))
    }
  }
  return out
}

function chunks<T>(xs: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(xs.length / size) }, (_, i) => xs.slice(i * size, (i + 1) * size))
}

/**
 * Sends the requests one per turn of the event loop, as they would arrive over HTTP, so
 * the store's group commit forms several transactions, each with whatever has queued up.
 */
async function send(store: PostgresStore, requests: EnrichedEvent[][]): Promise<InsertOutcome[][]> {
  const answers: Promise<InsertOutcome[]>[] = []
  for (const r of requests) {
    answers.push(store.insertEvents('shop', r))
    await new Promise((resolve) => setImmediate(resolve))
  }
  return Promise.all(answers)
}

describe.skipIf(noPostgres !== null)('PostgreSQL with two collector processes', () => {
  let schema: string
  let a: PostgresStore
  let b: PostgresStore

  beforeEach(async () => {
    schema = testSchema()
    // Both start at once on an empty schema: the advisory lock lets one migrate.
    ;[a, b] = await Promise.all([PostgresStore.open(TEST_PG_URL, { schema, max: 3 }), PostgresStore.open(TEST_PG_URL, { schema, max: 3 })])
  })

  afterEach(async () => {
    await Promise.all([a?.close(), b?.close()])
    await dropSchema(schema)
  })

  it('migrates once when both start together', async () => {
    const r = await a.pool.query('SELECT version FROM schema_version')
    expect(r.rows).toEqual([{ version: POSTGRES_MIGRATIONS.length }])
  })

  it('stores each event once and keeps each visitor in one session when both get the same events at once', async () => {
    const events = traffic(40, 12)
    // Each process gets every event, each visitor's in time order as a browser sends them,
    // but batched and interleaved differently: A in time order in requests of 7, B
    // visitor by visitor (last visitor first) in requests of 11.
    const forA = chunks([...events].sort((x, y) => x.ts - y.ts), 7)
    const forB = chunks([...events].sort((x, y) => y.visitor!.localeCompare(x.visitor!, 'en', { numeric: true }) || x.ts - y.ts), 11)
    const [resA, resB] = await Promise.all([send(a, forA), send(b, forB)])

    // Every event was accepted by exactly one of the two processes.
    const byId = new Map<string, InsertOutcome[]>(events.map((e) => [e.id, []]))
    forA.forEach((batch, i) => batch.forEach((e, j) => byId.get(e.id)!.push(resA[i][j])))
    forB.forEach((batch, i) => batch.forEach((e, j) => byId.get(e.id)!.push(resB[i][j])))
    for (const outcomes of byId.values()) expect(outcomes.sort()).toEqual(['accepted', 'duplicate'])
    // Both really took part, and each grouped requests into shared transactions.
    expect(resA.flat().filter((o) => o === 'accepted').length).toBeGreaterThan(0)
    expect(resB.flat().filter((o) => o === 'accepted').length).toBeGreaterThan(0)
    expect(a.commits).toBeLessThan(forA.length)

    const stored = await a.pool.query('SELECT count(*) AS n, count(DISTINCT id) AS ids, count(session_id) AS "withSession" FROM events')
    expect(stored.rows[0]).toEqual({ n: events.length, ids: events.length, withSession: events.length })
    const perVisitor = await a.pool.query(`SELECT visitor, count(DISTINCT session_id) AS sessions FROM events GROUP BY visitor HAVING count(DISTINCT session_id) <> 1`)
    expect(perVisitor.rows).toEqual([])
    const sessions = await b.pool.query('SELECT visitor, events, pageviews, last_ts - started AS span FROM sessions ORDER BY visitor')
    expect(sessions.rows).toHaveLength(40)
    for (const s of sessions.rows) expect(s).toMatchObject({ events: 12, pageviews: 8, span: 11 * MIN })
  })

  it('keeps a visitor in one session when two processes get different events of that visitor at once', async () => {
    // Two tabs of each visitor, each tab's requests going to another process, at the same
    // moments: no event is shared, so only the per-visitor lock keeps both processes from
    // starting a session each. (Equal times make either commit order one session.)
    const tabs: EnrichedEvent[][] = [[], []]
    for (let v = 0; v < 40; v++) {
      for (let i = 0; i < 6; i++) {
        const ts = T0 + v * 7 + i * MIN
        tabs[0].push(event({ visitor: `v${v}`, ts }))
        tabs[1].push(event({ visitor: `v${v}`, ts, type: 'event', name: 'click' }))
      }
    }
    const inTimeOrder = (xs: EnrichedEvent[]) => chunks([...xs].sort((x, y) => x.ts - y.ts), 5)
    const [resA, resB] = await Promise.all([send(a, inTimeOrder(tabs[0])), send(b, inTimeOrder(tabs[1]))])
    expect([...resA.flat(), ...resB.flat()].every((o) => o === 'accepted')).toBe(true)
    const split = await a.pool.query(`SELECT visitor FROM events GROUP BY visitor HAVING count(DISTINCT session_id) <> 1`)
    expect(split.rows).toEqual([])
    const sessions = await b.pool.query('SELECT events, pageviews, last_ts - started AS span FROM sessions')
    expect(sessions.rows).toHaveLength(40)
    for (const s of sessions.rows) expect(s).toEqual({ events: 12, pageviews: 6, span: 5 * MIN })
  })

  it('stores events without a visitor once when both processes get them at once', async () => {
    // No visitor, no lock: both may find the event new, and the loser's insert must notice.
    const events = Array.from({ length: 300 }, (_, i) => event({ visitor: null, ts: T0 + i }))
    const [resA, resB] = await Promise.all([send(a, chunks(events, 10)), send(b, chunks(events, 10))])
    events.forEach((_, i) => expect([resA.flat()[i], resB.flat()[i]].sort()).toEqual(['accepted', 'duplicate']))
    const stored = await a.pool.query('SELECT count(*) AS n, count(DISTINCT id) AS ids FROM events')
    expect(stored.rows[0]).toEqual({ n: 300, ids: 300 })
  })

  it('stores one conversion per order when two processes get copies with different ids', async () => {
    const copies = Array.from({ length: 20 }, (_, i) => [
      event({ type: 'conversion', name: 'purchase', orderId: `A-${i}`, value: 10, currency: 'EUR', visitor: `buyer${i}` }),
      event({ type: 'conversion', name: 'purchase', orderId: `A-${i}`, value: 10, currency: 'EUR', visitor: `buyer${i}` }),
    ])
    const [ra, rb] = await Promise.all([
      Promise.all(copies.map(([x]) => a.insertEvents('shop', [x]))),
      Promise.all(copies.map(([, y]) => b.insertEvents('shop', [y]))),
    ])
    copies.forEach((_, i) => expect([ra[i][0], rb[i][0]].sort()).toEqual(['accepted', 'duplicate']))
    const orders = await a.pool.query(`SELECT count(*) AS n, count(DISTINCT order_id) AS orders FROM events WHERE type = 'conversion'`)
    expect(orders.rows[0]).toEqual({ n: 20, orders: 20 })
  })

  it('gives both processes the same daily salt', async () => {
    const salts = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).dailySalt('2026-11-20', T0)))
    expect(new Set(salts).size).toBe(1)
  })
})
