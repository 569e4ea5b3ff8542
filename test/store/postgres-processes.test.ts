/**
 * Several collector processes on one database: two PostgresStore instances (own pools,
 * own group commit, as two processes would have) open the same fresh schema at once and
 * get the same events at the same time, in different orders and batchings. Sessions are
 * derived after ingest answers, one process at a time: tests that read them wait for
 * derivation first.
 */
import { rm } from 'node:fs/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { PostgresStore } from '../../collector/src/store/postgres.ts'
import { POSTGRES_MIGRATIONS } from '../../collector/src/store/postgres-migrations.ts'
import type { EnrichedEvent, InsertOutcome } from '../../collector/src/model.ts'
import { derived, dropSchema, probePostgres, TEST_PG_URL, testSchema } from '../helpers/postgres.ts'
import { event } from './contract.ts'
import { makeTestApp, TestClock } from '../helpers/app.ts'
import { seedDemo } from '../../demo-site/seed-run.ts'
import { SEED_ORIGIN } from '../../demo-site/seed-data.ts'
import { createReports, parseChannelsQuery, parseFunnelQuery, parseSummaryQuery } from '../../collector/src/reports/service.ts'
import { prng as random } from '../../demo-site/seeded-random.ts'

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


/**
 * One visitor's server events over two days: visits of a few events minutes apart, hours
 * between visits, some opened by a campaign or a referral, and some campaigns changing
 * in the middle of a visit (a new session without a pause).
 */
function visits(visitorId: string, seed: number, start: number): { id: string; type: string; name: string; ts: string; visitorId: string; url: string; referrer?: string }[] {
  const rnd = random(seed * 7919)
  const out: ReturnType<typeof visits> = []
  const campaigns = ['utm_source=google&utm_medium=cpc&utm_campaign=brand', 'utm_source=newsletter&utm_medium=email&utm_campaign=nov', 'utm_source=meta&utm_medium=paid_social&utm_campaign=retarget']
  let ts = start
  for (let v = 0; v < 8; v++) {
    const pick = rnd()
    const query = pick < 0.5 ? `?${campaigns[Math.floor(rnd() * campaigns.length)]}` : ''
    const referrer = pick >= 0.5 && pick < 0.7 ? 'https://news.example.org/story' : undefined
    for (let i = 0; i < 3 + Math.floor(rnd() * 5); i++) {
      const pageview = i === 0 || rnd() < 0.5
      const midCampaign = i > 0 && pageview && rnd() < 0.15 ? `?${campaigns[Math.floor(rnd() * campaigns.length)]}` : ''
      out.push({
        id: `${seed.toString(16).padStart(8, '0')}-0000-7000-8000-${out.length.toString(16).padStart(12, '0')}`, type: pageview ? 'pageview' : 'event', name: pageview ? 'pageview' : 'cta_click',
        ts: new Date(ts).toISOString(), visitorId, url: `https://shop.example/p${i}${i === 0 ? query : midCampaign}`,
        ...(i === 0 && referrer ? { referrer } : {}),
      })
      // Ties happen: now and then the next event shares this one's millisecond.
      ts += rnd() < 0.1 ? 0 : Math.floor(rnd() * 12 * MIN)
    }
    ts += 35 * MIN + Math.floor(rnd() * 5 * 60 * MIN)
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
    // Both pools connected first, so both race from the start.
    await Promise.all([a, b].flatMap((s) => Array.from({ length: 3 }, () => s.pool.query('SELECT 1'))))
    const [resA, resB] = await Promise.all([send(a, forA), send(b, forB)])

    // Every event was accepted by exactly one of the two processes. Which one takes an event
    // is the scheduler's: on a loaded machine one process has taken all of them (twice in
    // full runs, with both pools connected), the other then answering every one a duplicate.
    const byId = new Map<string, InsertOutcome[]>(events.map((e) => [e.id, []]))
    forA.forEach((batch, i) => batch.forEach((e, j) => byId.get(e.id)!.push(resA[i][j])))
    forB.forEach((batch, i) => batch.forEach((e, j) => byId.get(e.id)!.push(resB[i][j])))
    for (const outcomes of byId.values()) expect(outcomes.sort()).toEqual(['accepted', 'duplicate'])
    // Each grouped requests into shared transactions.
    expect(a.commits).toBeLessThan(forA.length)

    await derived(a)
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
    await derived(b)
    // A visitor's events within 30 minutes of each other on a day are one visit in the seed
    // (campaigns only come with the first pageview): one session, whichever process stored them.
    const split = await a.pool.query(`SELECT visitor FROM events GROUP BY visitor HAVING count(DISTINCT session_id) <> 1`)
    expect(split.rows).toEqual([])
    const sessions = await b.pool.query('SELECT events, pageviews, last_ts - started AS span FROM sessions')
    expect(sessions.rows).toHaveLength(40)
    for (const s of sessions.rows) expect(s).toEqual({ events: 12, pageviews: 6, span: 5 * MIN })
  })

  it('stores events without a visitor once when both processes get them at once', async () => {
    // Only the id's key row decides: the second claim waits for the first to commit.
    const events = Array.from({ length: 300 }, (_, i) => event({ visitor: null, ts: T0 + i }))
    const [resA, resB] = await Promise.all([send(a, chunks(events, 10)), send(b, chunks(events, 10))])
    events.forEach((_, i) => expect([resA.flat()[i], resB.flat()[i]].sort()).toEqual(['accepted', 'duplicate']))
    await derived(a)
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
    await derived(b)
    const orders = await a.pool.query(`SELECT count(*) AS n, count(DISTINCT order_id) AS orders FROM events WHERE type = 'conversion'`)
    expect(orders.rows[0]).toEqual({ n: 20, orders: 20 })
  })

  it('accepts each event once through two collector apps and answers the same reports on both', async () => {
    const clock = new TestClock(Date.parse('2026-11-25T12:00:00Z'))
    const [appA, appB] = [await makeTestApp({ clock, store: a }), await makeTestApp({ clock, store: b })]
    const { secret } = await appA.createSite('demo', { origins: [SEED_ORIGIN] })
    // The same history sent to both processes at once, as retries through a load balancer would.
    const opts = { site: 'demo', secret, adminToken: appA.adminToken, now: clock.now(), days: 7, visitorsPerDay: 30 }
    const [ra, rb] = await Promise.all([seedDemo({ ...opts, app: appA.app }), seedDemo({ ...opts, app: appB.app })])
    await derived(a)
    const total = (await a.pool.query(`SELECT count(*) AS n FROM events WHERE site = 'demo'`)).rows[0].n
    expect(ra.accepted + rb.accepted).toBe(total)
    expect(ra.duplicates + rb.duplicates).toBe(total)
    // A visitor's events within 30 minutes of each other on a day are one visit in the seed
    // (campaigns only come with the first pageview): one session, whichever process stored them.
    const split = await a.pool.query(`SELECT visitor FROM events WHERE visitor IS NOT NULL GROUP BY visitor, date_trunc('day', to_timestamp(ts / 1000))
      HAVING count(DISTINCT session_id) > 1 AND max(ts) - min(ts) < 1800000`)
    expect(split.rows).toEqual([])

    const site = (await a.getSite('demo'))!
    const p = new URLSearchParams('from=2026-11-18&to=2026-11-25&step=pageview:/pricing&step=conversion:purchase')
    const answers = await Promise.all([a, b].map(async (store) => {
      const r = createReports(store.reports)
      return [await r.summary(site, parseSummaryQuery(p, '2026-11-25')), await r.funnel(site, parseFunnelQuery(p, '2026-11-25')),
        await r.channels(site, parseChannelsQuery(p, '2026-11-25'))]
    }))
    expect(answers[1]).toEqual(answers[0])
    expect((answers[0][0] as { visitors: number }).visitors).toBeGreaterThan(50)
    // The apps' own temp dirs; the stores are closed by afterEach.
    await Promise.all([appA, appB].map((t) => rm(t.dir, { recursive: true, force: true })))
  })

  it('derives one visitor\'s sessions as from all its events in time order when its events reach both processes shuffled', async () => {
    const clock = new TestClock(Date.parse('2026-11-25T12:00:00Z'))
    const [appA, appB] = [await makeTestApp({ clock, store: a }), await makeTestApp({ clock, store: b })]
    const oracle = await makeTestApp({ clock })
    try {
      const { secret } = await appA.createSite('shop', { origins: ['https://shop.example'] })
      const { secret: oracleSecret } = await oracle.createSite('shop', { origins: ['https://shop.example'] })
      for (const seed of [1, 2, 3]) {
        const visitorId = `solo-${seed}`
        const events = visits(visitorId, seed, Date.parse('2026-11-23T08:00:00Z'))
        // Shuffled, cut into requests of 1 to 6 events, each request to either process;
        // both send at once, so their derivers take turns (one at a time) on the tail of
        // this visitor's history that each new request reaches back into.
        const rnd = random(seed)
        const shuffled = events.map((e) => ({ e, k: rnd() })).sort((x, y) => x.k - y.k).map((x) => x.e)
        const streams: unknown[][][] = [[], []]
        for (let i = 0; i < shuffled.length;) {
          const n = 1 + Math.floor(rnd() * 6)
          streams[rnd() < 0.5 ? 0 : 1].push(shuffled.slice(i, i + n))
          i += n
        }
        const sent = await Promise.all([appA, appB].map(async (app, i) => {
          let accepted = 0
          for (const batch of streams[i]) {
            const r = await app.sendServerEvents(secret, batch)
            expect(r.body.rejected).toEqual([])
            accepted += r.body.accepted
          }
          return accepted
        }))
        expect(sent[0] + sent[1]).toBe(events.length)
        // The oracle: every event in time order, in one request, on SQLite.
        const inOrder = [...events].sort((x, y) => Date.parse(x.ts) - Date.parse(y.ts))
        expect((await oracle.sendServerEvents(oracleSecret, inOrder)).body.accepted).toBe(events.length)
        await Promise.all([appA.settle(), appB.settle(), oracle.settle()])
        await derived(a)

        const cols = 'id, started, last_ts, channel, source, medium, campaign, landing_path, events, pageviews'
        const want = oracle.store.db.prepare(`SELECT ${cols} FROM sessions WHERE visitor = ? ORDER BY started, id`).all(visitorId)
        const got = (await a.pool.query(`SELECT ${cols} FROM sessions WHERE visitor = $1 ORDER BY started, id`, [visitorId])).rows
        expect(want.length).toBeGreaterThan(3)
        expect(got).toEqual(want)
        const eventSessions = 'SELECT id, session_id FROM events WHERE visitor = ? ORDER BY ts, id'
        expect((await a.pool.query(eventSessions.replace('?', '$1'), [visitorId])).rows).toEqual(oracle.store.db.prepare(eventSessions).all(visitorId))
      }
    } finally {
      await oracle.close()
      await Promise.all([appA, appB].map((t) => rm(t.dir, { recursive: true, force: true })))
    }
  })

  it('lets one process derive at a time, and a closed store start no derivation', async () => {
    let inner: boolean | null = null
    expect(await a.exclusively(async () => { inner = await b.exclusively(async () => {}) })).toBe(true)
    expect(inner).toBe(false)
    // Released when the work is done, even when it failed.
    await expect(b.exclusively(async () => { throw new Error('step failed') })).rejects.toThrow('step failed')
    expect(await a.exclusively(async () => {})).toBe(true)

    await a.insertEvents('shop', [event()])
    await a.close()
    expect(await a.exclusively(async () => {})).toBe(false)
    expect(await a.pendingGroups(100)).toEqual([])
    expect(await a.derivationBacklog()).toEqual({ events: 0, oldestReceived: null, oldestSeq: null, newestSeq: null })
    // The acknowledged event waits in the inbox for a process that is still open.
    expect(await b.derivationBacklog()).toMatchObject({ events: 1 })
  })

  it('gives both processes the same daily salt', async () => {
    const salts = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).dailySalt('2026-11-20', T0)))
    expect(new Set(salts).size).toBe(1)
  })
})
