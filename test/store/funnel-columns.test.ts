/**
 * The SQLite funnel columns as a user meets them: a funnel answers from the chunks once
 * they are built, shows a just-derived event before its chunk is built again, and keeps
 * breakdowns right when retention removes a visitor's first session. Every answer is
 * compared with the scan of the events (the columns left out), the reference.
 * (`rollups.test.ts` compares the two through late arrival, goals, erasure and updates.)
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SqliteStore } from '../../collector/src/store/sqlite.ts'
import { chunkCache } from '../../collector/src/store/chunk-cache.ts'
import { decodeChunk } from '../../collector/src/store/sqlite-funnel-chunks.ts'
import { SQLITE_BUILT_CHUNKS_RENOTE, SQLITE_VISITOR_ORDER_MIGRATION } from '../../collector/src/store/sqlite-funnel-schema.ts'
import { segmentedExperiment } from '../../collector/src/store/sqlite-experiment-columns.ts'
import { Deriver } from '../../collector/src/derive/deriver.ts'
import { backfillGoal } from '../../collector/src/derive/goals.ts'
import { createReports } from '../../collector/src/reports/service.ts'
import { parseFunnelQuery } from '../../collector/src/reports/query.ts'
import { countOfShares, funnelReport, type FunnelShare } from '../../collector/src/reports/funnel-shares.ts'
import type { ReportStore } from '../../collector/src/store/report-types.ts'
import type { Site } from '../../collector/src/model.ts'
import { event } from './contract.ts'

const DAY = 86_400_000
const MIN = 60_000
const D0 = Date.parse('2026-11-10T00:00:00Z')
const site: Site = { id: 'shop', origins: [], secretHash: 'x', currency: 'EUR', timezone: 'UTC', created: 0 }

let store: SqliteStore
let columnReads: number

beforeEach(async () => {
  store = new SqliteStore(':memory:')
  await store.createSite(site)
  columnReads = 0
})
afterEach(async () => {
  await store.close()
})

async function derive(): Promise<void> {
  const d = new Deriver(store)
  while ((await d.step()) > 0 || d.refreshed > 0);
}

/** The funnel from the columns where they answer, and the same funnel from the scan. */
async function funnel(params: string, dates = 'from=2026-11-09&to=2026-11-20', on: Site = site) {
  const q = parseFunnelQuery(new URLSearchParams(`${dates}&${params}`), '2026-11-20')
  const counted = Object.assign(Object.create(store.reports) as ReportStore, {
    funnelColumns: async (...args: Parameters<NonNullable<ReportStore['funnelColumns']>>) => {
      const used = await store.reports.funnelColumns!(...args)
      if (used) columnReads++
      return used
    },
  })
  const before = columnReads
  const fromColumns = await createReports(counted).funnel(on, q)
  const scanned = await createReports(Object.assign(Object.create(store.reports) as ReportStore, { funnelColumns: undefined })).funnel(on, q)
  expect(fromColumns).toEqual(scanned)
  // Split by visitor into shares, as report workers split a funnel, and put together: the same
  // report. Blocks of 1 and 2 visitor numbers, so every test's few visitors spread over them.
  for (const split of [{ of: 2, bits: 0 }, { of: 3, bits: 1 }]) {
    const shares = await Promise.all(Array.from({ length: split.of }, (_, part) => createReports(store.reports).funnelShare(on, q, { ...split, part })))
    // Only the columns answer a share; where the scan answers, the pool asks one worker for the whole funnel.
    if (columnReads === before) expect(shares.every((s) => s === null)).toBe(true)
    else expect(funnelReport(q, countOfShares(q, shares as FunnelShare[]))).toEqual(fromColumns)
  }
  return fromColumns
}

const visit = (visitor: string, ts: number, path: string, extra: Parameters<typeof event>[0] = {}) =>
  event({ visitor, ts, received: ts, path, url: `https://shop.example${path}`, ...extra })

describe('funnels from the SQLite funnel columns', () => {
  it('answer from built chunks, and show a new event at once while its chunk waits to be built', async () => {
    await store.insertEvents('shop', [
      visit('a', D0, '/pricing'), visit('a', D0 + MIN, '/x', { type: 'conversion', name: 'purchase', path: null }),
      visit('b', D0 + DAY, '/pricing'),
    ])
    await derive()
    // Derivation waits until a chunk's day has been quiet; here everything is read from the events.
    expect(await store.refreshFunnel(1000, 30, 600)).toBe(0)
    expect(store.db.prepare('SELECT COUNT(*) FROM funnel_chunks').pluck().get()).toBe(0)
    expect((await funnel('step=pageview:/pricing&step=conversion:purchase')).steps.map((s) => s.visitors)).toEqual([2, 1])
    while ((await store.refreshFunnel(1000, 0)) > 0);
    // /pricing on two days and purchase on one.
    expect(store.db.prepare('SELECT COUNT(*) FROM funnel_chunks').pluck().get()).toBe(3)
    expect((await funnel('step=pageview:/pricing&step=conversion:purchase')).steps.map((s) => s.visitors)).toEqual([2, 1])
    // b converts: the report shows it as soon as it is derived, before any rebuild.
    await store.insertEvents('shop', [visit('b', D0 + DAY + MIN, '/x', { type: 'conversion', name: 'purchase', path: null })])
    await derive()
    expect((await funnel('step=pageview:/pricing&step=conversion:purchase')).steps.map((s) => s.visitors)).toEqual([2, 2])
    expect(columnReads).toBe(3)
  })

  it('leave a range mostly waiting to be built to the scan, as right after an upgrade', async () => {
    await store.insertEvents('shop', Array.from({ length: 10 }, (_, d) => visit(`v${d}`, D0 + d * DAY, '/pricing')))
    await derive()
    // Ten days noted and none built: the scan answers.
    expect((await funnel('step=pageview:/pricing&step=pageview:/x')).steps[0].visitors).toBe(10)
    expect(columnReads).toBe(0)
    while ((await store.refreshFunnel(1000, 0)) > 0);
    // One late event notes one day of ten: the columns answer, that day read from the events.
    await store.insertEvents('shop', [visit('v3', D0 + 3 * DAY + MIN, '/x')])
    await derive()
    expect((await funnel('step=pageview:/pricing&step=pageview:/x')).steps.map((s) => s.visitors)).toEqual([10, 1])
    expect(columnReads).toBe(1)
  })

  it('answer strict mode, property filters and segments', async () => {
    await store.insertEvents('shop', [
      visit('a', D0, '/pricing'), visit('a', D0 + MIN, '/pricing', { type: 'event', name: 'signup', props: { plan: 'pro' } }),
      visit('b', D0, '/pricing'), visit('b', D0 + MIN, '/about'), visit('b', D0 + 2 * MIN, '/pricing', { type: 'event', name: 'signup', props: { plan: 'free' } }),
      // A bot's request between c's two events (same visitor id) is no event of c's.
      visit('c', D0, '/pricing'), visit('c', D0 + 30_000, '/about', { bot: true }), visit('c', D0 + MIN, '/pricing', { type: 'event', name: 'signup' }),
    ])
    await derive()
    // b's /about comes between: strict mode stops there, ordered mode does not.
    expect((await funnel('step=pageview:/pricing&step=event:signup&mode=strict')).steps.map((s) => s.visitors)).toEqual([3, 2])
    expect((await funnel('step=pageview:/pricing&step=event:signup%3Fplan%3Dpro')).steps.map((s) => s.visitors)).toEqual([3, 1])
    expect((await funnel('step=pageview:/pricing&step=event:signup%3Fplan%3Dfree&mode=strict')).steps.map((s) => s.visitors)).toEqual([3, 0])
    expect((await funnel('step=pageview:/pricing&step=event:signup')).steps.map((s) => s.visitors)).toEqual([3, 3])
    // A segment by session attributes keeps the columns' events of its sessions.
    expect((await funnel('step=pageview:/pricing&step=event:signup&device=desktop')).steps.map((s) => s.visitors)).toEqual([3, 3])
    expect((await funnel('step=pageview:/pricing&step=event:signup&device=mobile')).steps.map((s) => s.visitors)).toEqual([0, 0])
    // A segment by variant: b sees the test in a second visit, which counts; the first visit ended before it and does not.
    await store.insertEvents('shop', [visit('b', D0 + DAY, '/pricing'), visit('b', D0 + DAY + MIN, '/pricing', { type: 'event', name: 'signup' })])
    await derive()
    while ((await store.refreshFunnel(1000, 0)) > 0);
    // The exposure extends a session whose chunk is built: its new last event counts at once.
    await store.insertEvents('shop', [visit('b', D0 + DAY + 2 * MIN, '/pricing', { type: 'exposure', name: 'checkout', path: null, props: { variant: 'green' } })])
    await derive()
    expect((await funnel('step=pageview:/pricing&step=event:signup&variant=checkout:green&unit=session')).steps.map((s) => s.visitors)).toEqual([1, 1])
    expect((await funnel('step=pageview:/pricing&step=event:signup&variant=checkout:green')).steps.map((s) => s.visitors)).toEqual([1, 1])
    expect((await funnel('step=pageview:/pricing&step=event:signup&variant=checkout:blue')).steps.map((s) => s.visitors)).toEqual([0, 0])
    expect(columnReads).toBe(9)
  })

  it('answer a segment over the variants of two experiments, each session judged by what its visitor saw by its end', async () => {
    const exposure = (visitor: string, ts: number, name: string, variant: string) =>
      visit(visitor, ts, '/pricing', { type: 'exposure', name, path: null, props: { variant } })
    await store.insertEvents('shop', [
      // a: checkout green; b: color red; c: checkout blue and color red; d: color violet, after its first visit.
      visit('a', D0, '/pricing'), exposure('a', D0 + MIN, 'checkout', 'green'), visit('a', D0 + 2 * MIN, '/pricing', { type: 'event', name: 'signup' }),
      visit('b', D0, '/pricing'), exposure('b', D0 + MIN, 'color', 'red'), visit('b', D0 + 2 * MIN, '/pricing', { type: 'event', name: 'signup' }),
      visit('c', D0, '/pricing'), exposure('c', D0 + MIN, 'checkout', 'blue'), exposure('c', D0 + 2 * MIN, 'color', 'red'),
      visit('d', D0, '/pricing'), visit('d', D0 + DAY, '/pricing'), exposure('d', D0 + DAY + MIN, 'color', 'violet'),
      visit('d', D0 + DAY + 2 * MIN, '/pricing', { type: 'event', name: 'signup' }),
    ])
    await derive()
    const visitors = async (segment: string) => (await funnel(`step=pageview:/pricing&step=event:signup&unit=session&${segment}`)).steps.map((s) => s.visitors)
    expect(await visitors('variant=checkout:green&variant=color:red')).toEqual([3, 2])
    expect(await visitors('variant=checkout:blue&variant=color:violet')).toEqual([2, 1])
    expect(await visitors('variant=color:violet')).toEqual([1, 1])
    // a and b share their entry, and green and red are each the first variant of their experiment:
    // only which experiment's variant they saw tells their sessions apart.
    expect(await visitors('variant=checkout:green&variant=color:violet')).toEqual([2, 2])
    expect(await visitors('variant=checkout:blue&variant=color:red')).toEqual([2, 1])
    expect(await visitors('variant=checkout:green&variant=checkout:blue&variant=color:red&variant=color:violet')).toEqual([4, 3])
    expect(columnReads).toBe(6)
    // The same from built chunks, each session's end read from its own table (`session_ends`):
    // d's first session ended before it saw violet.
    while ((await store.refreshFunnel(1000, 0)) > 0);
    expect(await visitors('variant=color:violet')).toEqual([1, 1])
    expect(await visitors('variant=checkout:blue&variant=color:violet')).toEqual([2, 1])
  })

  it('answer a segment asked again after its sessions changed, before and after their chunks are built again', async () => {
    const signup = (visitor: string, ts: number) => visit(visitor, ts, '/pricing', { type: 'event', name: 'signup' })
    await store.insertEvents('shop', [visit('a', D0, '/pricing'), signup('a', D0 + MIN), visit('b', D0, '/pricing')])
    await derive()
    while ((await store.refreshFunnel(1000, 0)) > 0);
    const ask = async () => (await funnel('step=pageview:/pricing&step=event:signup&device=desktop')).steps.map((s) => s.visitors)
    expect(await ask()).toEqual([2, 1])
    expect(await ask()).toEqual([2, 1])
    // A new session on a built day: its day is read from the tables until built again.
    await store.insertEvents('shop', [visit('c', D0 + 3 * MIN, '/pricing'), signup('c', D0 + 4 * MIN)])
    await derive()
    expect(await ask()).toEqual([3, 2])
    while ((await store.refreshFunnel(1000, 0)) > 0);
    expect(await ask()).toEqual([3, 2])
    await store.insertEvents('shop', [visit('d', D0 + DAY, '/pricing')])
    await derive()
    while ((await store.refreshFunnel(1000, 0)) > 0);
    expect(await ask()).toEqual([4, 2])
  })

  it('answer a segment over more days than asked before, and a session that left it when its chunk was built again', async () => {
    const signup = (visitor: string, ts: number) => visit(visitor, ts, '/pricing', { type: 'event', name: 'signup' })
    await store.insertEvents('shop', [visit('a', D0 + 10 * MIN, '/pricing'), signup('a', D0 + 11 * MIN), visit('b', D0 + 2 * DAY, '/pricing'), signup('b', D0 + 2 * DAY + MIN)])
    await derive()
    while ((await store.refreshFunnel(1000, 0)) > 0);
    const ask = async (dates: string) => (await funnel('step=pageview:/pricing&step=event:signup&landing=/pricing', dates)).steps.map((s) => s.visitors)
    // One day, then three: the second asks about session chunks the first did not read.
    expect(await ask('from=2026-11-10&to=2026-11-10')).toEqual([1, 1])
    expect(await ask('from=2026-11-10&to=2026-11-12')).toEqual([2, 2])
    // a's session now lands on /blog (an earlier page arrived late): out of the segment, before and after its chunk is built again.
    await store.insertEvents('shop', [visit('a', D0 + 9 * MIN, '/blog')])
    await derive()
    expect(await ask('from=2026-11-10&to=2026-11-12')).toEqual([1, 1])
    while ((await store.refreshFunnel(1000, 0)) > 0);
    expect(await ask('from=2026-11-10&to=2026-11-12')).toEqual([1, 1])
    expect(await ask('from=2026-11-10&to=2026-11-10')).toEqual([0, 0])
  })

  it('group thousands of visitors over several days as the scan does, whichever order their events arrive in', async () => {
    // 3,000 visitors, each with events days apart, arriving out of order: the per-unit arrays far bigger than the small cases'.
    const events = Array.from({ length: 3000 }, (_, k) => {
      const [v, t] = [`m${k}`, D0 + ((k * 7919) % 5) * DAY + (k % 97) * MIN]
      const pages = [visit(v, t, k % 4 === 0 ? '/blog/a' : '/pricing'), visit(v, t + 5 * MIN, '/pricing')]
      const signup = k % 3 === 0 ? [visit(v, t + (k % 2) * DAY + 6 * MIN, '/pricing', { type: 'event', name: 'signup', path: null, props: { plan: k % 6 === 0 ? 'pro' : 'basic' } })] : []
      const buy = k % 5 === 0 ? [visit(v, t + 2 * DAY, '/thanks', { type: 'conversion', name: 'purchase', path: null })] : []
      return [...pages, ...signup, ...buy]
    }).flat()
    await store.insertEvents('shop', events.filter((_, i) => i % 2 === 1))
    await store.insertEvents('shop', events.filter((_, i) => i % 2 === 0))
    await derive()
    while ((await store.refreshFunnel(100_000, 0)) > 0);
    const ordered = await funnel('step=pageview:/pricing&step=event:signup&step=conversion:purchase')
    expect(ordered.steps.map((s) => s.visitors)).toEqual([3000, 1000, 200])
    await funnel('step=pageview:/*&step=event:signup%3Fplan%3Dpro&step=conversion:purchase&breakdown=landing')
    await funnel('step=pageview:/blog/*&step=pageview:/pricing&step=conversion:purchase&unit=session')
    expect(columnReads).toBe(3)
  })

  it("enter a visitor who only opens by its first opening event in the site's range, whichever opening key holds it", async () => {
    // Visitors with no later step's event are kept apart from the others (ordered and strict
    // mode): each needs its first opening event of the range, here across two opening keys a day and before a
    // range that starts at 05:00 UTC (New York). Sessions 31 minutes apart land on the page
    // seen first, so the breakdown by landing page shows which event was taken.
    const HOUR = 60 * MIN
    await store.insertEvents('shop', [
      visit('x', D0 + 6 * HOUR, '/blog/b'), visit('x', D0 + 8 * HOUR, '/blog/a'),
      visit('y', D0 + 6 * HOUR, '/blog/a'), visit('y', D0 + 8 * HOUR, '/blog/b'),
      // Before the range (21:00 the day before in New York), then in it.
      visit('z', D0 + 2 * HOUR, '/blog/a'), visit('z', D0 + 8 * HOUR, '/blog/b'),
      visit('w', D0 + 3 * HOUR, '/blog/b'),
      visit('v', D0 + 7 * HOUR, '/blog/a'), visit('v', D0 + 7 * HOUR + MIN, '/blog/a', { type: 'event', name: 'signup', path: null }),
    ])
    await derive()
    while ((await store.refreshFunnel(100_000, 0)) > 0);
    const newYork = { ...site, timezone: 'America/New_York' }
    const dates = 'from=2026-11-10&to=2026-11-12'
    for (const [unit, mode] of [['visitor', 'ordered'], ['session', 'ordered'], ['visitor', 'strict'], ['session', 'strict']]) {
      const f = await funnel(`step=pageview:/blog/*&step=event:signup&breakdown=landing&unit=${unit}&mode=${mode}`, dates, newYork)
      expect(f.steps.map((s) => s.visitors)).toEqual(unit === 'visitor' ? [4, 1] : [6, 1])
      const entries = Object.fromEntries(Object.entries(f.breakdown).map(([landing, rows]) => [landing, rows[0].visitors]))
      // By visitor: x and z entered on /blog/b, y and v on /blog/a; by session, each in range.
      expect(entries).toEqual(unit === 'visitor' ? { '/blog/a': 2, '/blog/b': 2 } : { '/blog/a': 3, '/blog/b': 3 })
    }
    expect(columnReads).toBe(4)
  })

  it('hold each chunk\'s events by visitor, each visitor\'s in time order, and are all built again on upgrade from time order', async () => {
    // u is numbered first (seen first); w's event falls between two of u's.
    await store.insertEvents('shop', [visit('u', D0, '/pricing'), visit('w', D0 + MIN, '/pricing'), visit('u', D0 + 2 * MIN, '/pricing'), visit('u', D0 + 3 * MIN, '/pricing')])
    await derive()
    while ((await store.refreshFunnel(100_000, 0)) > 0);
    const chunk = store.db.prepare('SELECT cols, n FROM funnel_chunks').get() as { cols: Buffer; n: number }
    const c = decodeChunk(chunk.cols, chunk.n)
    const [u, w] = [c.visitor[0], c.visitor[3]]
    expect([...c.visitor]).toEqual([u, u, u, w])
    expect([...c.inDay].map((t) => t + D0)).toEqual([D0, D0 + 2 * MIN, D0 + 3 * MIN, D0 + MIN])
    expect((await funnel('step=pageview:/pricing&step=pageview:/pricing&step=pageview:/pricing')).steps.map((r) => r.visitors)).toEqual([2, 1, 1])
    // Chunks built before held time order: migration 28 notes each one to be built again.
    expect(store.db.prepare('SELECT COUNT(*) FROM funnel_dirty').pluck().get()).toBe(0)
    store.db.exec(SQLITE_VISITOR_ORDER_MIGRATION)
    expect(store.db.prepare('SELECT site, type, path, day FROM funnel_dirty').all()).toEqual([{ site: 'shop', type: 'pageview', path: '/pricing', day: D0 / DAY }])
  })

  it('keep a pageview in 16 bytes and a session in 17, and are all built again on upgrade from the wider layout', async () => {
    await store.insertEvents('shop', [visit('u', D0, '/pricing'), visit('w', D0 + MIN, '/pricing'),
      visit('u', D0 + 2 * MIN, '/thanks', { type: 'conversion', name: 'purchase', value: 10, currency: 'EUR' })])
    await derive()
    while ((await store.refreshFunnel(100_000, 0)) > 0);
    const sizes = store.db.prepare(`SELECT k.type, c.n, length(c.cols) AS bytes, length(c.prev) AS prev FROM funnel_chunks c JOIN funnel_keys k ON k.id = c.key
      ORDER BY k.type`).all()
    // A conversion keeps its value and its currency as a label.
    expect(sizes).toEqual([{ type: 'conversion', n: 1, bytes: 28, prev: 8 }, { type: 'pageview', n: 2, bytes: 32, prev: 16 }])
    // Their ends apart: read by segments by variant only.
    expect(store.db.prepare('SELECT n, length(cols) AS bytes, length(e.ends) AS ends FROM session_chunks c JOIN session_ends e ON e.chunk = c.rowid').all())
      .toEqual([{ n: 2, bytes: 34, ends: 16 }])
    expect((await funnel('step=pageview:/pricing&step=conversion:purchase')).steps.map((r) => r.visitors)).toEqual([2, 1])
    // Migration 29 notes every funnel and session chunk to be built again.
    store.db.exec(SQLITE_BUILT_CHUNKS_RENOTE)
    expect(store.db.prepare('SELECT type, path, day FROM funnel_dirty ORDER BY type').all())
      .toEqual([{ type: 'conversion', path: '', day: D0 / DAY }, { type: 'pageview', path: '/pricing', day: D0 / DAY }])
    expect(store.db.prepare('SELECT day FROM session_dirty').pluck().all()).toEqual([D0 / DAY])
  })

  it('give a segmented experiment readout that takes the first to arrive of exposures at the same time, as the rollups do', async () => {
    const exposure = (visitor: string, ts: number, variant: string) => visit(visitor, ts, '/pricing', { type: 'exposure', name: 'checkout', path: null, props: { variant } })
    await store.insertEvents('shop', [visit('x', D0, '/pricing'), exposure('x', D0 + MIN, 'b'), visit('y', D0, '/pricing'), exposure('y', D0 + MIN, 'a')])
    await store.insertEvents('shop', [exposure('x', D0 + MIN, 'a'), exposure('y', D0 + MIN, 'b'), visit('x', D0 + MIN, '/thanks', { type: 'conversion', name: 'purchase' })])
    await derive()
    while ((await store.refreshFunnel(1000, 0)) > 0);
    const q = { experiment: 'checkout', range: { start: D0, end: D0 + DAY }, conversion: 'purchase' }
    const rolled = await store.reports.experiment('shop', q)
    expect(rolled).toEqual([{ variant: 'a', visitors: 1, converters: 0 }, { variant: 'b', visitors: 1, converters: 1 }])
    // x bought at the very time of its exposures: that counts. Every session is a desktop one: the segment keeps
    // them all, and the readout from the columns is the same.
    expect(segmentedExperiment(store.db, 'shop', q, { col: 'device', eq: 'desktop' })).toEqual(rolled)
    expect(segmentedExperiment(store.db, 'shop', q, { col: 'device', eq: 'mobile' })).toEqual([])
  })

  it('answer strict mode for more neighbours than one statement carries, a bot between not counting', async () => {
    // 1,100 visitors, one pair each: the pairs go to SQLite 500 a statement, the rest after.
    const n = 1_100
    await store.insertEvents('shop', Array.from({ length: n }, (_, k) => {
      const [v, t] = [`v${k}`, D0 + k * 1000]
      const between = k % 3 === 0 ? [visit(v, t + 100, '/about')] : k % 3 === 1 ? [visit(v, t + 100, '/about', { bot: true })] : []
      return [visit(v, t, '/pricing'), ...between, visit(v, t + 200, '/pricing', { type: 'event', name: 'signup' })]
    }).flat())
    await derive()
    while ((await store.refreshFunnel(1000, 0)) > 0);
    const strict = await funnel('step=pageview:/pricing&step=event:signup&mode=strict')
    expect(strict.steps.map((s) => s.visitors)).toEqual([n, n - Math.ceil(n / 3)])
    expect((await funnel('step=pageview:/pricing&step=event:signup&mode=strict&unit=session')).steps).toEqual(strict.steps)
    expect(columnReads).toBe(2)
  })

  it('answer strict mode under a segment whose other sessions come between, for more pairs than one statement carries', async () => {
    // Each visitor: /pricing on mobile, half an hour later /about on desktop (a session of
    // its own), then signup on mobile. The chunks cannot tell whether the desktop session is
    // in a segment: those pairs go to SQLite, 500 a statement.
    const n = 1_100
    await store.insertEvents('shop', Array.from({ length: n }, (_, k) => {
      const [v, t] = [`v${k}`, D0 + k * 1000]
      return [visit(v, t, '/pricing', { device: 'mobile' }), visit(v, t + 31 * MIN, '/about'),
        visit(v, t + 62 * MIN, '/pricing', { type: 'event', name: 'signup', device: 'mobile' })]
    }).flat())
    await derive()
    while ((await store.refreshFunnel(1000, 0)) > 0);
    const steps = async (p: string) => (await funnel(`step=pageview:/pricing&step=event:signup&mode=strict${p}`)).steps.map((s) => s.visitors)
    expect(await steps('')).toEqual([n, 0])
    // The desktop session is not the segment's: its /about does not come between.
    expect(await steps('&device=mobile')).toEqual([n, n])
    expect(await steps('&device=mobile&unit=session')).toEqual([n, 0])
    expect(columnReads).toBe(3)
  })

  it('answer strict mode right when an event arrives, moves, turns out a bot or goes between two built ones', async () => {
    // a, b and c: /pricing then signup two minutes later; a: /faq after; c: /about between, in a second session.
    await store.insertEvents('shop', [
      ...['a', 'b', 'c'].flatMap((v) => [visit(v, D0, '/pricing'), visit(v, D0 + 2 * MIN, '/pricing', { type: 'event', name: 'signup' })]),
      visit('a', D0 + 3 * MIN, '/faq'), visit('c', D0 - 120 * MIN, '/home'), visit('c', D0 + MIN, '/about'),
    ])
    await derive()
    const built = async () => { while ((await store.refreshFunnel(1000, 0)) > 0); }
    await built()
    const steps = async (p = '') => (await funnel(`step=pageview:/pricing&step=event:signup&mode=strict${p}`)).steps.map((s) => s.visitors)
    expect(await steps()).toEqual([3, 2])
    // b's /about arrives late, between: only /about's chunk of that day is new, not b's signup.
    await store.insertEvents('shop', [visit('b', D0 + MIN, '/about', { received: D0 + DAY })])
    await derive()
    expect(await steps()).toEqual([3, 1])
    await built()
    expect(await steps()).toEqual([3, 1])
    // a's /faq moves in time to between, and back.
    const move = (ts: number) => store.db.prepare(`UPDATE events SET ts = ? WHERE visitor = 'a' AND path = '/faq'`).run(ts)
    move(D0 + MIN)
    expect(await steps()).toEqual([3, 0])
    await built()
    move(D0 + 3 * MIN)
    expect(await steps()).toEqual([3, 1])
    await built()
    // c's /about moves to its first session: in c's second session, signup now follows /pricing.
    store.db.prepare(`UPDATE events SET session_id = (SELECT session_id FROM events WHERE visitor = 'c' AND path = '/home')
      WHERE visitor = 'c' AND path = '/about'`).run()
    expect(await steps('&unit=session')).toEqual([3, 2])
    await built()
    expect(await steps('&unit=session')).toEqual([3, 2])
    // c's /about turns out to be a bot's: it no longer comes between.
    store.db.prepare(`UPDATE events SET bot = 1 WHERE visitor = 'c' AND path = '/about'`).run()
    expect(await steps()).toEqual([3, 2])
    await built()
    // A goal on /pricing makes a conversion at the very time of each /pricing: it comes between, until the goal goes.
    const goal = { name: 'priced', path: '/pricing', event: null, props: {}, value: null, currency: null }
    expect(await backfillGoal(store.goals, 'shop', goal, await store.goals.putGoal('shop', goal))).toBe(3)
    await derive()
    await built()
    expect(await steps()).toEqual([3, 0])
    await store.goals.deleteGoal('shop', 'priced')
    await derive()
    expect(await steps()).toEqual([3, 2])
    await built()
    expect(await steps()).toEqual([3, 2])
  })

  it('let a later opening event win when the window cut the first attempt short, and otherwise the first', async () => {
    await store.insertEvents('shop', [
      // a: /pricing nine days after the first page; the attempt from day 3 reaches it in 6 days, the earlier ones do not.
      visit('a', D0, '/'), visit('a', D0 + DAY, '/blog'), visit('a', D0 + 3 * DAY, '/docs'), visit('a', D0 + 4 * DAY, '/about'),
      visit('a', D0 + 9 * DAY, '/pricing'),
      // b: everything within the window: the first page opens, whatever comes between.
      visit('b', D0 + DAY, '/docs'), visit('b', D0 + DAY + MIN, '/blog'), visit('b', D0 + 2 * DAY, '/pricing'), visit('b', D0 + 3 * DAY, '/about'),
      // c: never reaches /pricing; opens with its first page.
      visit('c', D0 + 2 * DAY, '/about'), visit('c', D0 + 2 * DAY + MIN, '/'),
      // d: three more pages on b's first day, so that day has more opening keys than a merge by time is cheap for.
      visit('d', D0 + DAY + 2 * MIN, '/p1'), visit('d', D0 + DAY + 3 * MIN, '/p2'), visit('d', D0 + DAY + 4 * MIN, '/p3'),
    ])
    await derive()
    while ((await store.refreshFunnel(1000, 0)) > 0);
    const r = await funnel('step=pageview:/**&step=pageview:/pricing&window=7d&breakdown=landing')
    expect(r.steps.map((s) => [s.visitors, s.medianSecondsFromPrevious])).toEqual([[4, null], [2, (6 * DAY / 1000 + DAY / 1000) / 2]])
    // Each visitor's winning attempt decides its landing page: a's is /docs (day 3), b's, c's and d's their first page.
    expect(Object.fromEntries(Object.entries(r.breakdown ?? {}).map(([k, rows]) => [k, rows.map((s) => s.visitors)]))).toEqual({ '/docs': [2, 2], '/about': [1, 0], '/p1': [1, 0] })
    expect(columnReads).toBe(1)
  })

  it('leave out events whose properties fill no step, and count the funnel as the scan does', async () => {
    const signup = (plan: string) => ({ type: 'event' as const, name: 'signup', path: null, props: { plan } })
    await store.insertEvents('shop', [
      // a: a basic signup, then a pro one: reaches the pro step.
      visit('a', D0, '/pricing'), visit('a', D0 + MIN, '/x', signup('basic')), visit('a', D0 + 2 * MIN, '/x', signup('pro')),
      // b: only basic signups: stops at /pricing.
      visit('b', D0, '/pricing'), visit('b', D0 + MIN, '/x', signup('basic')), visit('b', D0 + DAY, '/x', signup('basic')),
      // c: its pro signup comes 3 days after its first /pricing, past the 2-day window, and a day after its second:
      // the later attempt wins, though a basic signup (no step's) is the latest event past the first one's window.
      visit('c', D0, '/pricing'), visit('c', D0 + 2 * DAY, '/pricing'), visit('c', D0 + 3 * DAY, '/x', signup('pro')), visit('c', D0 + 4 * DAY, '/x', signup('basic')),
      // d: a signup without properties, and one with a number for a plan.
      visit('d', D0, '/pricing'), visit('d', D0 + MIN, '/x', { type: 'event', name: 'signup', path: null }), visit('d', D0 + 2 * MIN, '/x', { type: 'event', name: 'signup', path: null, props: { plan: 7 } }),
    ])
    await derive()
    while ((await store.refreshFunnel(1000, 0)) > 0);
    const pro = await funnel('step=pageview:/pricing&step=event:signup%3Fplan%3Dpro&window=2d')
    expect(pro.steps.map((s) => [s.visitors, s.medianSecondsFromPrevious])).toEqual([[4, null], [2, (120 + DAY / 1000) / 2]])
    // One key fills both steps: a's basic signup opens and its pro one follows; c's pro one opens, and nothing follows.
    expect((await funnel('step=event:signup&step=event:signup%3Fplan%3Dpro')).steps.map((s) => s.visitors)).toEqual([4, 1])
    expect((await funnel('step=pageview:/pricing&step=event:signup%3Fplan%3D7')).steps.map((s) => s.visitors)).toEqual([4, 1])
    expect(columnReads).toBe(3)
  })

  it('let a later opening event win when only the latest of several later-step events is past the window', async () => {
    await store.insertEvents('shop', [
      // Three pages on day 0 (a day with more opening keys than a merge by time is cheap for),
      // /pricing within the window of the first, then /docs > /pricing > /signup four days on.
      visit('e', D0, '/'), visit('e', D0 + MIN, '/about'), visit('e', D0 + 2 * MIN, '/blog'), visit('e', D0 + 60 * MIN, '/pricing'),
      visit('e', D0 + 4 * DAY, '/docs'), visit('e', D0 + 4 * DAY + MIN, '/pricing'), visit('e', D0 + 4 * DAY + 2 * MIN, '/signup'),
    ])
    await derive()
    while ((await store.refreshFunnel(1000, 0)) > 0);
    const r = await funnel('step=pageview:/**&step=pageview:/pricing&step=pageview:/signup&window=2d&breakdown=landing')
    expect(r.steps.map((s) => s.visitors)).toEqual([1, 1, 1])
    expect(Object.keys(r.breakdown ?? {})).toEqual(['/docs'])
    expect(columnReads).toBe(1)
  })

  it('show a chunk built again after a report connection kept it, and drop an emptied one', async () => {
    await store.insertEvents('shop', [visit('a', D0, '/pricing'), visit('a', D0 + MIN, '/thanks')])
    await derive()
    while ((await store.refreshFunnel(1000, 0)) > 0);
    const q = 'step=pageview:/pricing&step=pageview:/thanks'
    expect((await funnel(q)).steps.map((s) => s.visitors)).toEqual([1, 1])
    // The same day's chunks built again (b joins a): the kept ones are older versions.
    const version = () => store.db.prepare(`SELECT c.rowid FROM funnel_chunks c JOIN funnel_keys k ON k.id = c.key WHERE k.path = '/pricing'`).pluck().get() as number
    const before = version()
    await store.insertEvents('shop', [visit('b', D0 + 2 * MIN, '/pricing'), visit('b', D0 + 3 * MIN, '/thanks')])
    await derive()
    while ((await store.refreshFunnel(1000, 0)) > 0);
    expect(version()).toBeGreaterThan(before)
    expect((await funnel(q)).steps.map((s) => s.visitors)).toEqual([2, 2])
    // Retention empties the day: its chunks stay, empty, under new versions, and count for nothing.
    await store.trust.purge(D0 + DAY)
    await derive()
    while ((await store.refreshFunnel(1000, 0)) > 0);
    expect(store.db.prepare('SELECT DISTINCT n FROM funnel_chunks').pluck().all()).toEqual([0])
    expect((await funnel(q)).steps.map((s) => s.visitors)).toEqual([0, 0])
    expect(columnReads).toBe(3)
  })

  it('count a visitor as new once retention has removed their first session', async () => {
    await store.insertEvents('shop', [visit('a', D0, '/'), visit('a', D0 + 3 * DAY, '/pricing'), visit('a', D0 + 3 * DAY + MIN, '/thanks')])
    await derive()
    while ((await store.refreshFunnel(1000, 0)) > 0);
    const q = 'step=pageview:/pricing&step=pageview:/thanks&breakdown=visitor'
    expect(Object.keys((await funnel(q)).breakdown)).toEqual(['returning'])
    const versions = () => store.db.prepare('SELECT rowid FROM session_chunks WHERE day = ? UNION ALL SELECT rowid FROM event_chunks WHERE day = ?').pluck().all(D0 / DAY, D0 / DAY) as number[]
    const before = versions()
    await store.trust.purge(D0 + DAY)
    await derive()
    expect(Object.keys((await funnel(q)).breakdown)).toEqual(['new'])
    while ((await store.refreshFunnel(1000, 0)) > 0);
    expect(Object.keys((await funnel(q)).breakdown)).toEqual(['new'])
    expect(columnReads).toBe(3)
    // The purged day keeps an empty chunk, and every chunk built again took a rowid of its own:
    // what a connection keeps is told from what is stored by the rowid (`chunk-cache.ts`).
    expect(store.db.prepare('SELECT day - ? AS day, n FROM session_chunks ORDER BY day').all(D0 / DAY)).toEqual([{ day: 0, n: 0 }, { day: 3, n: 1 }])
    expect(store.db.prepare('SELECT day - ? AS day, n FROM event_chunks ORDER BY day').all(D0 / DAY)).toEqual([{ day: 0, n: 0 }, { day: 3, n: 2 }])
    const after = versions()
    expect(after[0]).toBeGreaterThan(before[0])
    expect(after[1]).toBeGreaterThan(before[1])
  })

  it('give a segmented summary and trend from the columns, a just-derived pageview included before its day is built again', async () => {
    const range = { start: D0, end: D0 + 2 * DAY }
    const mobile = { col: 'device', eq: 'mobile' } as const
    await store.insertEvents('shop', [
      visit('a', D0, '/', { device: 'mobile' }), visit('a', D0 + MIN, '/pricing', { device: 'mobile' }),
      // A pageview without a URL: no funnel step can match it, the summary counts it.
      visit('a', D0 + MIN + 1, '/', { device: 'mobile', path: null, url: null }),
      visit('a', D0 + 2 * MIN, '/x', { device: 'mobile', type: 'conversion', name: 'purchase', path: null, value: 12.5, currency: 'EUR' }),
      visit('b', D0 + DAY, '/', { device: 'desktop' }),
    ])
    await derive()
    while ((await store.refreshFunnel(1000, 0)) > 0);
    const summary = async () => {
      const fromColumns = await store.reports.summary(site.id, range, mobile)
      expect(fromColumns).toEqual(await store.reports.scanSummary(site.id, range, mobile))
      expect(await store.reports.activity(site.id, range, null, mobile)).toEqual(await store.reports.scanActivity(site.id, range, null, mobile))
      return fromColumns
    }
    expect(await summary()).toMatchObject({ visitors: 1, sessions: 1, pageviews: 3, conversions: 1, convertingVisitors: 1, revenue: [{ currency: 'EUR', amount: 12.5 }] })
    // Nothing to build: the summary read the chunks, not the events.
    expect(store.db.prepare('SELECT COUNT(*) FROM event_chunks').pluck().get()).toBe(2)
    // Blanked behind derivation's back (same rowid, so the same version): this connection keeps
    // what it decoded (\`chunk-cache.ts\`), and reads the blanked blobs once it lets go.
    store.db.prepare("UPDATE event_chunks SET cols = zeroblob(length(cols))").run()
    expect((await store.reports.summary(site.id, range, mobile)).pageviews).toBe(3)
    chunkCache(store.db).clear()
    expect((await store.reports.summary(site.id, range, mobile)).pageviews).toBe(0)
    store.db.exec("INSERT INTO event_dirty SELECT site, day, 0, 0 FROM event_chunks")
    while ((await store.refreshFunnel(1000, 0)) > 0);
    // A third pageview in the same session: counted as soon as derived.
    await store.insertEvents('shop', [visit('a', D0 + 3 * MIN, '/about', { device: 'mobile' })])
    await derive()
    expect(await summary()).toMatchObject({ visitors: 1, sessions: 1, pageviews: 4 })
  })
})
