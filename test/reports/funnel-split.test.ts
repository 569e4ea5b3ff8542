/**
 * The server's report workers split one funnel, or one data-driven attribution report, by
 * visitor (`report-runner/pool.ts`): each counts its share of the visitors and the pool puts
 * the shares together. A user must get the report one count over every visitor gives: the
 * demo shop's reports through two workers, split into blocks of four visitor numbers,
 * against the same reports in process; while most of the range waits to be built, or a
 * worker is busy, one worker answers the whole.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { join } from 'node:path'
import { makeTestApp, TestClock, type TestApp } from '../helpers/app.ts'
import { seedDemoShop } from '../helpers/demo-shop.ts'
import { workerRunner } from '../../collector/src/report-runner/pool.ts'
import { inProcessRunner, type ReportRunner } from '../../collector/src/report-runner/runner.ts'
import { parseAttributionQuery, parseFunnelQuery } from '../../collector/src/reports/service.ts'
import type { Site } from '../../collector/src/model.ts'

const NOW = Date.parse('2026-11-25T12:00:00Z')
const TODAY = '2026-11-25'
const FUNNEL = 'from=2026-11-12&to=2026-11-25&step=pageview:/pricing&step=event:plan_select&step=conversion:lead&step=conversion:purchase'
const ASKED = ['', 'mode=strict', 'unit=session', 'breakdown=channel', 'breakdown=visitor', 'breakdown=landing&device=mobile',
  'mode=strict&unit=session&breakdown=device', 'breakdown=experiment:checkout_button', 'variant=checkout_button:b']

let t: TestApp
let workers: ReportRunner
let site: Site

beforeAll(async () => {
  t = await makeTestApp({ clock: new TestClock(NOW) })
  site = await seedDemoShop(t, NOW)
  workers = workerRunner({ kind: 'sqlite', file: join(t.dir, 'funnelbeam.db') }, 2, { shareBits: 2 })
})
afterAll(async () => { await workers?.close(); await t?.close() })

const q = (extra: string) => parseFunnelQuery(new URLSearchParams(`${FUNNEL}&${extra}`), TODAY)

it('answers a funnel split over two workers as one count over every visitor, and scans it whole while its days wait to be built', async () => {
  const local = inProcessRunner(t.store.reports)
  // Nothing built yet: the shares cannot be read from the columns, and one worker scans.
  expect(await workers.run('funnelShare', site, q(''), { part: 0, of: 2, bits: 2 })).toBeNull()
  expect(await workers.run('funnel', site, q(''))).toEqual(await local.run('funnel', site, q('')))
  while ((await t.store.refreshFunnel(1000, 0)) > 0);
  for (const extra of ASKED) {
    expect(await workers.run('funnel', site, q(extra)), extra).toEqual(await local.run('funnel', site, q(extra)))
  }
  // Asked at once: the first is split, the second goes whole to a worker (both are busy).
  const [a, b] = await Promise.all([workers.run('funnel', site, q('')), workers.run('funnel', site, q('mode=strict'))])
  expect([a, b]).toEqual([await local.run('funnel', site, q('')), await local.run('funnel', site, q('mode=strict'))])
  // Each worker's share holds visitors of its own, and together they are all of them.
  const shares = await Promise.all([0, 1].map((part) => workers.run('funnelShare', site, q(''), { part, of: 2, bits: 2 })))
  const whole = await local.run('funnel', site, q(''))
  const entrants = shares.map((s) => s!.total.counts[0])
  expect(Math.min(...entrants)).toBeGreaterThan(0)
  expect(entrants[0] + entrants[1]).toBe(whole.steps[0].visitors)
  expect(whole.steps.at(-1)!.visitors).toBeGreaterThan(0)
  expect(Object.keys((await workers.run('funnel', site, q('breakdown=channel'))).breakdown).length).toBeGreaterThan(1)
})

it('answers data-driven attribution split over two workers as one count over every visitor', async () => {
  while ((await t.store.refreshFunnel(1000, 0)) > 0);
  const local = inProcessRunner(t.store.reports)
  const dd = (extra: string) => parseAttributionQuery(new URLSearchParams(`from=2026-11-12&to=2026-11-25&conversion=purchase&model=data_driven&${extra}`), TODAY)
  for (const extra of ['', 'dimension=campaign', 'device=mobile', 'dimension=source&visitor=new', 'variant=checkout_button:b']) {
    expect(await workers.run('attribution', site, dd(extra)), extra).toEqual(await local.run('attribution', site, dd(extra)))
  }
  // Each worker's share holds conversions of its own, and together they are all of them.
  const shares = await Promise.all([0, 1].map((part) => workers.run('attributionShare', site, dd(''), { part, of: 2, bits: 2 })))
  const conversions = shares.map((s) => s!.conversions)
  expect(Math.min(...conversions)).toBeGreaterThan(0)
  const whole = await local.run('attribution', site, dd(''))
  expect(conversions[0] + conversions[1]).toBeCloseTo(whole.rows.reduce((n, r) => n + r.conversions, 0), 9)
  // And their paths: a visitor's in one share only (a path counted in both would not show in
  // the credit, had every visitor been counted twice alike: the chain's probabilities stay).
  const transitions = (s: { transitions: [unknown, unknown, number][] } | null) => s!.transitions.reduce((n, x) => n + x[2], 0)
  expect(transitions(shares[0]) + transitions(shares[1])).toBe(transitions(await local.run('attributionShare', site, dd(''), null)))
  // Other models are not split.
  expect(await workers.run('attributionShare', site, parseAttributionQuery(new URLSearchParams('from=2026-11-12&to=2026-11-25'), TODAY), { part: 0, of: 2, bits: 2 })).toBeNull()
})
