/**
 * A dashboard page split over two report workers (`dashboard/lanes.ts`): each worker loads
 * its lane on its own read-only connection, and the merged page is the page one process
 * loads; the workers run below ingest's CPU priority.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTestApp, TestClock, type TestApp } from '../helpers/app.ts'
import { workerRunner } from '../../collector/src/report-runner/pool.ts'
import { inProcessRunner, type ReportRunner } from '../../collector/src/report-runner/runner.ts'
import { REPORT_NICE } from '../../collector/src/report-runner/priority.ts'
import { ALL_SECTIONS, dashboardLanes } from '../../collector/src/dashboard/lanes.ts'
import { asksForSegment } from '../../collector/src/reports/segment.ts'
import type { Site } from '../../collector/src/model.ts'

const NOW = Date.parse('2026-11-25T12:00:00Z')
let t: TestApp
let workers: ReportRunner
let site: Site

beforeAll(async () => {
  t = await makeTestApp({ clock: new TestClock(NOW) })
  const { secret } = await t.createSite('shop', { origins: ['https://shop.example'], currency: 'EUR', timezone: 'UTC' })
  await t.sendServerEvents(secret, [
    { type: 'pageview', name: 'pageview', ts: '2026-11-10T10:00:00Z', visitorId: 'v1', url: 'https://shop.example/?gclid=g' },
    { type: 'exposure', name: 'checkout', ts: '2026-11-10T10:01:00Z', visitorId: 'v1', props: { variant: 'b' } },
    { type: 'pageview', name: 'pageview', ts: '2026-11-10T10:02:00Z', visitorId: 'v1', url: 'https://shop.example/pricing' },
    { type: 'conversion', name: 'purchase', ts: '2026-11-10T10:05:00Z', visitorId: 'v1', value: 30, currency: 'EUR', orderId: 'o1' },
    { type: 'pageview', name: 'pageview', ts: '2026-11-12T10:00:00Z', visitorId: 'v2', url: 'https://shop.example/?utm_source=newsletter&utm_medium=email' },
    { type: 'exposure', name: 'checkout', ts: '2026-11-12T10:01:00Z', visitorId: 'v2', props: { variant: 'control' } },
    { type: 'pageview', name: 'pageview', ts: '2026-11-20T09:00:00Z', visitorId: 'v3', url: 'https://shop.example/pricing' },
  ])
  await t.store.reports.upsertBudgets('shop', [{ month: '2026-11', channel: 'Paid Search', source: null, medium: null, campaign: null, amount: 300, currency: 'EUR', targetCpa: 10, targetRoas: null }])
  await t.settle()
  site = (await t.store.getSite('shop'))!
  workers = workerRunner({ kind: 'sqlite', file: join(t.dir, 'funnelbeam.db') }, 2, { log: () => {} })
})
afterAll(async () => { await workers?.close(); await t?.close() })

describe('lanes', () => {
  it('gives every section to exactly one worker, whatever the number of workers', () => {
    for (const n of [1, 2, 3, 8]) {
      for (const segmented of [false, true]) {
        const lanes = dashboardLanes(n, segmented)
        expect(lanes.length, `${n} workers`).toBe(Math.min(n, 3))
        expect(lanes.flat().sort(), `${n} workers`).toEqual([...ALL_SECTIONS].sort())
        // Sections that share one page's attribution scans stay together.
        expect(lanes.find((l) => l.includes('compare'))).toEqual(expect.arrayContaining(['channels', 'campaigns']))
      }
    }
    // Two workers: the rest goes with attribution, or under a segment (attribution from the columns) split between the two.
    expect(dashboardLanes(2)[1]).toContain('summary')
    expect(dashboardLanes(2, true)[0]).toEqual(['funnel', 'summary', 'previousSummary', 'health'])
    expect(dashboardLanes(2, true)[1]).toEqual(expect.arrayContaining(['compare', 'trends', 'pacing']))
    expect(dashboardLanes(1, true)).toEqual([[...ALL_SECTIONS]])
    expect(asksForSegment('?from=2026-11-01&to=2026-11-24&channel=Paid%20Search')).toBe(true)
    expect(asksForSegment('?from=2026-11-01&visitor=new')).toBe(true)
    expect(asksForSegment('?from=2026-11-01&to=2026-11-24&model=linear&channel=')).toBe(false)
  })
})

describe('a page over two report workers', () => {
  const req = (params: string, now = NOW) => ({ site, today: '2026-11-25', now, params, refusals: [] })

  it('is the page one process loads, for the default view, a segment and a funnel breakdown', async () => {
    const local = inProcessRunner(t.store.reports)
    for (const params of ['?from=2026-11-01&to=2026-11-24', '?from=2026-11-01&to=2026-11-24&channel=Paid%20Search&model=linear', '?from=2026-11-01&to=2026-11-24&breakdown=channel&experiment=checkout']) {
      const split = await workers.run('dashboard', req(params))
      expect(split, params).toEqual(await local.run('dashboard', req(params)))
      expect(split.summary.ok && split.funnel.ok && split.channels.ok && split.health.ok && split.pacing.ok, params).toBe(true)
    }
    const page = await workers.run('dashboard', req('?from=2026-11-01&to=2026-11-24'))
    expect(page.summary.ok && page.summary.value.visitors).toBe(3)
    expect(page.funnel.ok && page.funnel.value.steps[0].visitors).toBe(3)
    expect(page.attribution.last_non_direct?.rows.map((r) => r.value)).toEqual(['Paid Search'])
    expect(page.pacing.ok && page.pacing.value.rows[0]).toMatchObject({ channel: 'Paid Search', conversions: 1 })
  })

  it("keeps a failing section to its own card, and says when figures come from the lanes' caches", async () => {
    const badParams = '?from=2026-10-01&to=2026-10-31&step=nonsense&step=pageview:/pricing'
    const bad = await workers.run('dashboard', req(badParams, NOW + 1))
    expect(bad.funnel.ok).toBe(false)
    expect(bad).toEqual(await inProcessRunner(t.store.reports).run('dashboard', req(badParams, NOW + 1)))
    // A worker's figure cache keeps its own clock's time (the real one here).
    const asked = Date.now()
    const fresh = await workers.run('dashboard', req('?from=2026-10-02&to=2026-10-31', asked))
    // The same question a minute later: every lane answers from its worker's figure cache.
    const again = await workers.run('dashboard', req('?from=2026-10-02&to=2026-10-31', asked + 60_000))
    expect(again.cachedAt).toBeLessThanOrEqual(Date.now())
    expect({ ...again, now: 0, cachedAt: 0 }).toEqual({ ...fresh, now: 0, cachedAt: 0 })
    expect(bad.summary.ok).toBe(true)
  })
})

describe('a script', () => {
  it('gets the page it awaits through the pool, and then exits on its own', () => {
    // Idle workers keep no process alive (the server's HTTP socket does); a worker with a task in flight must.
    const pool = new URL('../../collector/src/report-runner/pool.ts', import.meta.url).href
    const code = `import { workerRunner } from ${JSON.stringify(pool)}
      const runner = workerRunner({ kind: 'sqlite', file: ${JSON.stringify(join(t.dir, 'funnelbeam.db'))} }, 2)
      const page = await runner.run('dashboard', ${JSON.stringify({ site, today: '2026-11-25', now: NOW, params: '?from=2026-11-01&to=2026-11-24' })})
      console.log('visitors', page.summary.value.visitors, 'funnel', page.funnel.value.steps[0].visitors)`
    writeFileSync(join(t.dir, 'script.mjs'), code)
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(t.dir, 'script.mjs')], { encoding: 'utf8', timeout: 60_000 })
    expect(r.stderr).toBe('')
    expect(r.stdout.trim()).toBe('visitors 3 funnel 3')
    expect(r.status).toBe(0)
  })
})

describe.runIf(process.platform === 'linux')('priority', () => {
  it('runs report workers below the priority of the thread that answers ingest', async () => {
    await workers.run('dashboard', { site, today: '2026-11-25', now: NOW, params: '', refusals: [] })
    // Field 19 of /proc/<pid>/task/<tid>/stat is the thread's nice value.
    const nices = readdirSync('/proc/self/task').map((tid) => {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
    })
    expect(readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' ')[16]).toBe('0')
    expect(nices.filter((n) => n === REPORT_NICE).length).toBeGreaterThanOrEqual(2)
  })
})
