/**
 * compareModels must give exactly what six separate `attribution()` calls give (the
 * rule-based models from the journeys scan when data-driven is among them), on a
 * real SQLite store: visitors with several touches across channels and campaigns, some
 * outside the lookback, direct-only buyers, repeat buyers and two currencies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeShopApp, type TestApp } from '../../../test/helpers/app.ts'
import { createReports, parseAttributionQuery } from './service.ts'
import { ATTRIBUTION_MODELS, compareModels } from './attribution-compare.ts'
import type { Site } from '../model.ts'
import { CAMPAIGN_TOUCHES as TOUCHES } from '../../../test/helpers/touches.ts'

const DAY = 86_400_000
const START = Date.parse('2026-10-01T08:00:00Z')
const TODAY = '2026-11-24'
const REFERRERS = ['', 'https://www.google.com/', 'https://news.ycombinator.com/']

let t: TestApp
let site: Site

beforeAll(async () => {
  const shop = await makeShopApp(TODAY)
  ;({ t, site } = shop)
  const { secret } = shop
  const events: Record<string, unknown>[] = []
  let order = 0
  for (let v = 0; v < 40; v++) {
    const visitorId = `v${v}`
    let ts = START + (v % 9) * DAY
    for (let s = 0; s < 1 + (v % 4); s++) {
      const query = TOUCHES[(v + s * 3) % TOUCHES.length]
      const referrer = query ? '' : REFERRERS[(v + s) % REFERRERS.length]
      events.push({
        type: 'pageview', name: 'pageview', ts: new Date(ts).toISOString(), visitorId,
        url: `https://shop.example/${query ? `?${query}` : ''}`, ...(referrer ? { referrer } : {}),
      })
      // Some gaps exceed the 30-day lookback, so older touches drop out for later conversions.
      ts += (3 + ((v * 7 + s * 5) % 12)) * DAY
      if ((v + s) % 3 === 0) {
        events.push({
          type: 'conversion', name: v % 5 === 0 ? 'lead' : 'purchase', ts: new Date(ts - DAY + 60_000).toISOString(), visitorId,
          value: 10 + v, currency: v % 4 === 0 ? 'USD' : 'EUR', orderId: `o${order++}`,
        })
      }
    }
  }
  for (let i = 0; i < events.length; i += 100) {
    const res = await t.sendServerEvents(secret, events.slice(i, i + 100))
    expect(res.body.rejected).toEqual([])
  }
})
afterAll(async () => { await t.close() })

describe('compareModels', () => {
  const cases = [
    'from=2026-10-01&to=2026-11-24&dimension=channel&conversion=purchase',
    'from=2026-10-01&to=2026-11-24&dimension=campaign',
    'from=2026-10-20&to=2026-11-10&dimension=source&lookback=7d',
  ]
  for (const params of cases) {
    it(`equals six separate attribution reports (${params})`, async () => {
      const q = parseAttributionQuery(new URLSearchParams(params), TODAY)
      const reports = createReports(t.store.reports)
      const together = await compareModels(t.store.reports, site, q)
      expect(Object.keys(together).sort()).toEqual([...ATTRIBUTION_MODELS].sort())
      for (const model of ATTRIBUTION_MODELS) {
        const alone = await reports.attribution(site, { ...q, model })
        expect(together[model], model).toEqual(alone)
      }
    })
  }

  it('equals six separate attribution reports from the built columns too, under a segment and another lookback', async () => {
    // Built, the columns answer: the comparison credits the rule models from the journeys, each report from its own read.
    while ((await t.store.refreshFunnel(1000, 0)) > 0);
    let journeyReads = 0
    const counted = Object.assign(Object.create(t.store.reports) as typeof t.store.reports, {
      journeyColumns: async (...args: Parameters<NonNullable<typeof t.store.reports.journeyColumns>>) => {
        const used = await t.store.reports.journeyColumns(...args)
        if (used) journeyReads++
        return used
      },
    })
    for (const params of ['from=2026-10-01&to=2026-11-24&dimension=source&visitor=returning', 'from=2026-10-20&to=2026-11-10&dimension=campaign&lookback=7d']) {
      const q = parseAttributionQuery(new URLSearchParams(params), TODAY)
      const together = await compareModels(counted, site, q)
      for (const model of ATTRIBUTION_MODELS) expect(together[model], `${params}: ${model}`).toEqual(await createReports(t.store.reports).attribution(site, { ...q, model }))
      expect(together.linear.rows.length, params).toBeGreaterThan(1)
    }
    expect(journeyReads).toBe(2)
  })

  it('runs on data where the models disagree, or the comparison would prove little', async () => {
    const q = parseAttributionQuery(new URLSearchParams('from=2026-10-01&to=2026-11-24&dimension=channel'), TODAY)
    const byModel = await compareModels(t.store.reports, site, q)
    expect(byModel.first.rows).not.toEqual(byModel.last_non_direct.rows)
    expect(byModel.linear.rows).not.toEqual(byModel.time_decay.rows)
    expect(byModel.data_driven.rows).not.toEqual(byModel.linear.rows)
    // Data-driven splits the same conversions, only differently.
    const total = (rows: { conversions: number }[]) => rows.reduce((a, r) => a + r.conversions, 0)
    expect(total(byModel.data_driven.rows)).toBeCloseTo(total(byModel.linear.rows), 9)
  })

  it('gives the rule-based models the same numbers with or without data-driven beside them', async () => {
    const q = parseAttributionQuery(new URLSearchParams('from=2026-10-01&to=2026-11-24&dimension=campaign'), TODAY)
    const rules = ATTRIBUTION_MODELS.filter((m) => m !== 'data_driven')
    const without = await compareModels(t.store.reports, site, q, rules)
    const withDd = await compareModels(t.store.reports, site, q)
    for (const m of rules) expect(withDd[m]).toEqual(without[m])
  })

  it('computes only the models asked for', async () => {
    const q = parseAttributionQuery(new URLSearchParams('from=2026-10-01&to=2026-11-24'), TODAY)
    const some = await compareModels(t.store.reports, site, q, ['linear'])
    expect(Object.keys(some)).toEqual(['linear'])
  })
})
