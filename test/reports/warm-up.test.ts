/**
 * The report workers' warm-up on start (`report-runner/warm-up.ts`): it reads what the
 * first pages will read, for the busiest sites, and keeps no figure, so a page after it
 * reads nothing more and still shows every event sent after it.
 */
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTestApp, TestClock, type TestApp } from '../helpers/app.ts'
import { seedDemoShop } from '../helpers/demo-shop.ts'
import { workerRunner } from '../../collector/src/report-runner/pool.ts'
import { inProcessRunner, type ReportRunner } from '../../collector/src/report-runner/runner.ts'
import { sitesToWarm, warmUp, warmUpRange, WARM_UP_SITES } from '../../collector/src/report-runner/warm-up.ts'
import { parseFunnelQuery } from '../../collector/src/reports/query.ts'
import { SqliteReports } from '../../collector/src/store/sqlite-reports.ts'
import { chunkCache } from '../../collector/src/store/chunk-cache.ts'
import type { Site } from '../../collector/src/model.ts'

const NOW = Date.parse('2026-11-25T12:00:00Z')
let t: TestApp
let shop: Site
let quiet: Site
let empty: Site
let quietSecret: string
const dbs: Database.Database[] = []
const runners: ReportRunner[] = []

beforeAll(async () => {
  t = await makeTestApp({ clock: new TestClock(NOW) })
  shop = await seedDemoShop(t, NOW)
  quietSecret = (await t.createSite('quiet', { origins: ['https://quiet.example'], currency: 'EUR', timezone: 'UTC' })).secret
  await t.sendServerEvents(quietSecret, [{ type: 'pageview', name: 'pageview', ts: '2026-11-20T09:00:00Z', visitorId: 'q1', url: 'https://quiet.example/' }])
  await t.createSite('empty', { origins: ['https://empty.example'], currency: 'EUR', timezone: 'UTC' })
  await t.settle()
  while ((await t.store.refreshFunnel(1000, 0)) > 0);
  quiet = (await t.store.getSite('quiet'))!
  empty = (await t.store.getSite('empty'))!
})
afterAll(async () => {
  for (const r of runners) await r.close()
  for (const db of dbs) db.close()
  await t?.close()
})

/** A report worker's read-only connection on the test file, and a runner over it. */
function reader() {
  const db = new Database(join(t.dir, 'funnelbeam.db'), { readonly: true, fileMustExist: true })
  dbs.push(db)
  const runner = inProcessRunner(new SqliteReports(db), { log: () => {} })
  runners.push(runner)
  return { runner, cache: () => chunkCache(db).stats() }
}

const dashboard = (runner: ReportRunner, site: Site, params = warmUpRange('2026-11-25')) =>
  runner.run('dashboard', { site, today: '2026-11-25', now: t.clock.now(), params })

describe('which sites are warmed', () => {
  it('the busiest with sessions in the range, at most three, the busiest last so its memory is kept', () => {
    expect(sitesToWarm([['a', 10], ['b', 0], ['c', 500], ['d', 3], ['e', 40]])).toEqual(['a', 'e', 'c'])
    expect(sitesToWarm([['a', 0]])).toEqual([])
    expect(WARM_UP_SITES).toBe(3)
    expect(warmUpRange('2026-10-30')).toBe('from=2026-08-02&to=2026-10-30')
  })
})

describe('warm-up', () => {
  it('reads what the dashboard reads, so the first page after it reads nothing more and shows the same figures', async () => {
    const warmed = reader()
    const log: string[] = []
    const result = await warmUp(warmed.runner, [empty, shop, quiet], NOW, { log: (m) => log.push(m) })
    expect(log).toEqual([])
    expect(result.sites).toEqual(['quiet', 'demo'])
    const read = warmed.cache().readBytes
    expect(read).toBeGreaterThan(0)
    const page = await dashboard(warmed.runner, shop)
    expect(warmed.cache().readBytes).toBe(read)
    // The same page from a connection that never warmed: the same figures.
    const cold = reader()
    const coldPage = await dashboard(cold.runner, shop)
    expect(cold.cache().readBytes).toBeGreaterThan(0)
    expect(page.funnel).toEqual(coldPage.funnel)
    expect(page.summary).toEqual(coldPage.summary)
    expect(page.attribution).toEqual(coldPage.attribution)
    expect(page.funnel.ok && page.funnel.value.steps[0].visitors).toBeGreaterThan(0)
  })

  // The by-session funnel by landing page it also asks reads no chunk the others have not
  // (its labels are not chunk bytes), so only the bench shows what it warms.
  it('reads what a funnel under the A/B readout\'s variant reads, so that funnel asks nothing more', async () => {
    const warmed = reader()
    await warmUp(warmed.runner, [shop], NOW, { log: () => {} })
    const read = warmed.cache().readBytes
    const funnel = (params: string) => warmed.runner.run('funnel', shop, parseFunnelQuery(new URLSearchParams(
      `${warmUpRange('2026-11-25')}&step=pageview:/pricing&step=conversion:purchase&${params}`), '2026-11-25'))
    const green = await funnel('variant=checkout_button:green')
    expect(green.steps[0].visitors).toBeGreaterThan(0)
    expect(warmed.cache().readBytes).toBe(read)
  })

  it('keeps no figure: a page after the warm-up shows what was sent after it, through the server\'s two workers', async () => {
    const pool = workerRunner({ kind: 'sqlite', file: join(t.dir, 'funnelbeam.db') }, 2, { log: () => {}, keepMemory: true })
    runners.push(pool)
    expect((await warmUp(pool, [quiet], NOW, { log: () => {} })).sites).toEqual(['quiet'])
    // A second visitor of the quiet site, after the warm-up: the page counts them.
    const res = await t.sendServerEvents(quietSecret, [{ type: 'pageview', name: 'pageview', ts: '2026-11-24T09:00:00Z', visitorId: 'q2', url: 'https://quiet.example/pricing' }])
    expect(res.body.accepted).toBe(1)
    await t.settle()
    const page = await dashboard(pool, quiet)
    expect(page.summary.ok && page.summary.value.visitors).toBe(2)
    expect(page.funnel.ok && page.funnel.value.steps[0].visitors).toBe(2)
  })

  it('stops quietly once the server stops, and logs a report that fails', async () => {
    const { runner } = reader()
    let stop = false
    const asked: string[] = []
    const counting: ReportRunner = { run: (task, ...args) => { asked.push(task); stop = asked.length >= 3; return runner.run(task, ...args) }, close: async () => {} }
    const result = await warmUp(counting, [shop], NOW, { log: () => {}, stopped: () => stop })
    expect(result.sites).toEqual([])
    expect(asked).toEqual(['summary', 'dashboard', 'dashboard'])
    const failing: ReportRunner = { run: (task, ...args) => (task === 'funnel' ? Promise.reject(new Error('disk gone')) : runner.run(task, ...args)), close: async () => {} }
    const log: string[] = []
    expect((await warmUp(failing, [shop], NOW, { log: (m) => log.push(m) })).sites).toEqual(['demo'])
    expect(log).toEqual(['report warm-up: funnel of demo failed', 'report warm-up: strict funnel by channel of demo failed',
      'report warm-up: funnel by session of demo failed', 'report warm-up: funnel under variant of demo failed'])
  })
})
