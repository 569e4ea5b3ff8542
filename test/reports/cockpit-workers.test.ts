/**
 * The cockpit reports also run in the report worker threads the server uses on a SQLite
 * file (read-only connections): pacing, trends and data-driven attribution give there
 * what they give in process.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { join } from 'node:path'
import { makeTestApp, TestClock, type TestApp } from '../helpers/app.ts'
import { workerRunner } from '../../collector/src/report-runner/pool.ts'
import { inProcessRunner, type ReportRunner } from '../../collector/src/report-runner/runner.ts'
import type { Site } from '../../collector/src/model.ts'
import { parseSummaryQuery } from '../../collector/src/reports/service.ts'

let t: TestApp
let workers: ReportRunner
let site: Site

beforeAll(async () => {
  t = await makeTestApp({ clock: new TestClock(Date.parse('2026-11-25T12:00:00Z')) })
  const { secret } = await t.createSite('shop', { origins: ['https://shop.example'], currency: 'EUR', timezone: 'UTC' })
  await t.sendServerEvents(secret, [
    { type: 'pageview', name: 'pageview', ts: '2026-11-10T10:00:00Z', visitorId: 'v1', url: 'https://shop.example/?gclid=g' },
    { type: 'conversion', name: 'purchase', ts: '2026-11-10T10:05:00Z', visitorId: 'v1', value: 30, currency: 'EUR', orderId: 'o1' },
    { type: 'pageview', name: 'pageview', ts: '2026-11-12T10:00:00Z', visitorId: 'v2', url: 'https://shop.example/' },
  ])
  await t.store.reports.upsertBudgets('shop', [{ month: '2026-11', channel: 'Paid Search', source: null, medium: null, campaign: null, amount: 300, currency: 'EUR', targetCpa: 10, targetRoas: null }])
  await t.settle()
  site = (await t.store.getSite('shop'))!
  workers = workerRunner({ kind: 'sqlite', file: join(t.dir, 'funnelbeam.db') }, 1)
})
afterAll(async () => { await workers?.close(); await t?.close() })

it('answers pacing, trends and data-driven attribution the same in a worker as in process', async () => {
  const local = inProcessRunner(t.store.reports)
  const range = { from: '2026-11-01', to: '2026-11-24' }
  const pq = { month: '2026-11', asOf: '2026-11-24' }
  const tq = { ...range, conversion: null }
  const aq = { ...range, model: 'data_driven' as const, conversion: null, lookbackMs: 30 * 86_400_000, dimension: 'channel' as const }
  const pacing = await workers.run('pacing', site, pq)
  expect(pacing).toEqual(await local.run('pacing', site, pq))
  expect(pacing.rows[0]).toMatchObject({ channel: 'Paid Search', conversions: 1, revenue: 30 })
  expect(await workers.run('timeseries', site, tq)).toEqual(await local.run('timeseries', site, tq))
  const dd = await workers.run('attribution', site, aq)
  expect(dd).toEqual(await local.run('attribution', site, aq))
  expect(dd.rows.map((r) => r.value)).toEqual(['Paid Search'])
})

it('answers segmented reports the same in a worker as in process (landing globs, referrer sources, new visitors)', async () => {
  const local = inProcessRunner(t.store.reports)
  const q = (segment: string) => parseSummaryQuery(new URLSearchParams(`from=2026-11-01&to=2026-11-24&${segment}`), '2026-11-25')
  for (const segment of ['landing=/**', 'source=google&visitor=new', 'channel=Direct', 'landing=/nowhere/*']) {
    const inWorker = await workers.run('summary', site, q(segment))
    expect(inWorker, segment).toEqual(await local.run('summary', site, q(segment)))
  }
  expect((await workers.run('summary', site, q('landing=/**'))).sessions).toBe(2)
  expect((await workers.run('summary', site, q('source=google&visitor=new'))).conversions).toBe(1)
  expect((await workers.run('summary', site, q('landing=/nowhere/*'))).sessions).toBe(0)
})
