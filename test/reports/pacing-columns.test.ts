/**
 * Pacing under a segment credits conversions from the attribution columns once they are
 * built (the rollups cannot split by segment): the same report as crediting the scan's
 * visitors one by one, for every window pacing reads (month to date, the last 14 days).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeShopApp, type TestApp } from '../helpers/app.ts'
import { pacing, parsePacingQuery } from '../../collector/src/reports/pacing-service.ts'
import type { ReportStore } from '../../collector/src/store/report-types.ts'
import type { Site } from '../../collector/src/model.ts'
import { CAMPAIGN_TOUCHES as TOUCHES } from '../helpers/touches.ts'

const DAY = 86_400_000
const START = Date.parse('2026-10-20T08:00:00Z')
const TODAY = '2026-11-24'

let t: TestApp
let site: Site

beforeAll(async () => {
  const shop = await makeShopApp(TODAY)
  ;({ t, site } = shop)
  const { secret } = shop
  const events: Record<string, unknown>[] = []
  for (let v = 0; v < 60; v++) {
    let ts = START + (v % 20) * DAY + v * 60_000
    for (let s = 0; s < 1 + (v % 3); s++) {
      const query = TOUCHES[(v + s * 2) % TOUCHES.length]
      events.push({ type: 'pageview', name: 'pageview', ts: new Date(ts).toISOString(), visitorId: `v${v}`, url: `https://shop.example/${query ? `?${query}` : ''}` })
      // A purchase in the session of some visits (so a segment by source keeps it).
      if ((v + s) % 2 === 0) {
        events.push({ type: 'conversion', name: 'purchase', ts: new Date(ts + 120_000).toISOString(), visitorId: `v${v}`, value: 20 + v, currency: v % 5 === 0 ? 'USD' : 'EUR', orderId: `o${v}-${s}` })
      }
      ts += (2 + (v % 6)) * DAY
    }
  }
  for (let i = 0; i < events.length; i += 100) expect((await t.sendServerEvents(secret, events.slice(i, i + 100))).body.rejected).toEqual([])
  await t.settle()
  while ((await t.store.refreshFunnel(1000, 0)) > 0);
  await t.store.reports.upsertBudgets('shop', [
    { month: '2026-11', channel: 'Paid Search', source: null, medium: null, campaign: null, amount: 3000, currency: 'EUR', targetCpa: 20, targetRoas: null },
    { month: '2026-11', channel: null, source: 'google', medium: 'cpc', campaign: 'brand', amount: 1000, currency: 'EUR', targetCpa: null, targetRoas: 2 },
    { month: '2026-11', channel: 'Paid Social', source: null, medium: null, campaign: null, amount: 500, currency: 'USD', targetCpa: 30, targetRoas: null },
  ])
})
afterAll(async () => { await t.close() })

describe('pacing under a segment', () => {
  it('credits from the built columns what crediting visitor by visitor gives', async () => {
    let columnReads = 0
    const counted = Object.assign(Object.create(t.store.reports) as ReportStore, {
      attributionColumns: async (...args: Parameters<NonNullable<ReportStore['attributionColumns']>>) => {
        const used = await t.store.reports.attributionColumns!(...args)
        if (used) columnReads++
        return used
      },
    })
    const scanned = Object.assign(Object.create(t.store.reports) as ReportStore, { attributionColumns: undefined })
    for (const params of ['month=2026-11&asOf=2026-11-24&source=google', 'month=2026-11&asOf=2026-11-10&channel=Paid%20Search&channel=Paid%20Social', 'month=2026-11&asOf=2026-11-20&medium=cpc']) {
      const q = parsePacingQuery(new URLSearchParams(params), TODAY)
      const fromColumns = await pacing(counted, site, q)
      expect(fromColumns, params).toEqual(await pacing(scanned, site, q))
      expect(fromColumns.rows.some((r) => r.conversions > 0), params).toBe(true)
    }
    expect(columnReads).toBe(3)
  })
})
