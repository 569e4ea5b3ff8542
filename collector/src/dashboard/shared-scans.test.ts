/**
 * The shared scans on a real SQLite store: reports through them equal the plain service,
 * and a repeated scan is answered from the first one's rows (shown by writing new data
 * in between: the shared store, made for one page, does not see it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeShopApp, type TestApp } from '../../../test/helpers/app.ts'
import { createReports, parseAttributionQuery, parseCampaignsQuery, parseChannelsQuery } from '../reports/service.ts'
import { dayRange } from '../reports/dates.ts'
import type { Site } from '../model.ts'
import type { AttributionScan } from '../store/report-types.ts'
import { sharedScans } from './shared-scans.ts'

const TODAY = '2026-11-24'
let t: TestApp
let site: Site
let secret: string

const visit = (visitorId: string, ts: string, query: string) => ({ type: 'pageview', name: 'pageview', ts, visitorId, url: `https://shop.example/?${query}` })
const buy = (visitorId: string, ts: string, value: number, orderId: string) => ({ type: 'conversion', name: 'purchase', ts, visitorId, value, currency: 'EUR', orderId })

beforeAll(async () => {
  ;({ t, secret, site } = await makeShopApp(TODAY))
  const res = await t.sendServerEvents(secret, [
    visit('a', '2026-11-02T10:00:00Z', 'utm_source=google&utm_medium=cpc&utm_campaign=brand&gclid=x'),
    visit('a', '2026-11-09T10:00:00Z', 'utm_source=newsletter&utm_medium=email&utm_campaign=nov'),
    buy('a', '2026-11-09T10:05:00Z', 80, 'A1'),
    visit('b', '2026-11-12T10:00:00Z', 'utm_source=facebook&utm_medium=paid_social&utm_campaign=retarget&fbclid=y'),
    buy('b', '2026-11-12T10:05:00Z', 40, 'B1'),
    visit('c', '2026-11-13T10:00:00Z', 'utm_source=google&utm_medium=cpc&utm_campaign=generic'),
  ])
  expect(res.body.accepted).toBe(6)
  await t.store.reports.upsertSpend('shop', [{ date: '2026-11-10', source: 'google', medium: 'cpc', campaign: 'brand', cost: 50, impressions: 1000, clicks: 20, currency: 'EUR' }])
})
afterAll(async () => { await t.close() })

describe('sharedScans', () => {
  const params = new URLSearchParams('from=2026-11-01&to=2026-11-24&model=linear&conversion=purchase')

  it('gives the same channels, campaigns and attribution as the plain service', async () => {
    const plain = createReports(t.store.reports)
    const shared = createReports(sharedScans(t.store.reports))
    const [ch, ca, at] = await Promise.all([
      shared.channels(site, parseChannelsQuery(params, TODAY)),
      shared.campaigns(site, parseCampaignsQuery(params, TODAY)),
      shared.attribution(site, parseAttributionQuery(params, TODAY)),
    ])
    expect(ch).toEqual(await plain.channels(site, parseChannelsQuery(params, TODAY)))
    expect(ca).toEqual(await plain.campaigns(site, parseCampaignsQuery(params, TODAY)))
    expect(at).toEqual(await plain.attribution(site, parseAttributionQuery(params, TODAY)))
    expect(ch.rows.find((r) => r.channel === 'Email')?.conversions).toBe(0.5)
  })

  it('answers a repeated scan from the first one and a different scan from the store', async () => {
    const rs = sharedScans(t.store.reports)
    const scan: AttributionScan = { range: dayRange('2026-11-01', '2026-11-24', 'UTC'), lookbackMs: 30 * 86_400_000, conversion: 'purchase' }
    const collect = async (q: AttributionScan) => {
      const out: number[] = []
      await rs.scanAttribution('shop', q, (touches, conversions) => {
        touches.length = 0 // a careless caller cannot spoil the kept rows for the next one
        out.push(conversions.length)
      })
      return out
    }
    const groups = await rs.sessionGroups('shop', scan.range)
    expect(await collect(scan)).toEqual([1, 1])
    // Data written after the first scan: the page's shared store keeps what it read.
    await t.sendServerEvents(secret, [buy('c', '2026-11-13T10:05:00Z', 20, 'C1'), visit('d', '2026-11-14T10:00:00Z', 'utm_source=x')])
    expect(await collect(scan)).toEqual([1, 1])
    expect(await rs.sessionGroups('shop', scan.range)).toBe(groups)
    expect(await collect({ ...scan, conversion: null })).toEqual([1, 1, 1])
    let touches = 0
    await rs.scanAttribution('shop', scan, (ts) => { touches += ts.length })
    expect(touches).toBe(3)
  })

  it('shares a segment\'s attribution columns: the same answers, a repeated read from the first one\'s copy', async () => {
    // The columns answer once built (with most days waiting, the scan answers).
    while ((await t.store.refreshFunnel(1000, 0)) > 0);
    const segmented = new URLSearchParams(`${params}&medium=cpc&medium=email&medium=paid_social`)
    const plain = createReports(t.store.reports)
    const shared = createReports(sharedScans(t.store.reports))
    const [ch, ca] = await Promise.all([shared.channels(site, parseChannelsQuery(segmented, TODAY)), shared.campaigns(site, parseCampaignsQuery(segmented, TODAY))])
    expect(ch).toEqual(await plain.channels(site, parseChannelsQuery(segmented, TODAY)))
    expect(ca).toEqual(await plain.campaigns(site, parseCampaignsQuery(segmented, TODAY)))
    expect(ch.rows.find((r) => r.channel === 'Email')?.conversions).toBeGreaterThan(0)

    const rs = sharedScans(t.store.reports)
    const scan: AttributionScan = { range: dayRange('2026-11-01', '2026-11-24', 'UTC'), lookbackMs: 30 * 86_400_000, conversion: null, segment: { col: 'medium', eq: 'cpc' } }
    const read = async (store: typeof rs, q: AttributionScan) => {
      let got: number[] = []
      expect(await store.attributionColumns!('shop', q, (j) => { got = [...j.convTs.subarray(0, j.convStart[j.visitors])] })).toBe(true)
      return got
    }
    const first = await read(rs, scan)
    // Another read of the store itself writes over its arrays, and new data comes in: the page's copy stands.
    await read(t.store.reports, { ...scan, segment: null })
    await t.sendServerEvents(secret, [visit('e', '2026-11-15T10:00:00Z', 'utm_source=google&utm_medium=cpc'), buy('e', '2026-11-15T10:05:00Z', 10, 'E1')])
    await t.settle()
    expect(await read(rs, scan)).toEqual(first)
    expect((await read(t.store.reports, scan)).length).toBe(first.length + 1)
  })

  it('sums the credit rollups of a range once for every rule model, and gives each caller its own', async () => {
    const rs = sharedScans(t.store.reports)
    const q = { range: dayRange('2026-11-01', '2026-11-24', 'UTC'), conversion: 'purchase' }
    const linear = await rs.creditTotals!('shop', { ...q, models: ['linear'] })
    expect(linear?.length).toBeGreaterThan(0)
    expect(new Set(linear!.map((c) => c.model))).toEqual(new Set(['linear']))
    // A conversion written after the first sum: the page's shared store keeps what it read, for every model.
    await t.sendServerEvents(secret, [buy('b', '2026-11-20T10:05:00Z', 60, 'B2')])
    await t.settle()
    const both = await rs.creditTotals!('shop', { ...q, models: ['first', 'linear'] })
    expect(both!.filter((c) => c.model === 'linear')).toEqual(linear)
    const fresh = await t.store.reports.creditTotals!('shop', { ...q, models: ['first', 'linear'] })
    const sum = (rows: typeof both) => rows!.reduce((a, c) => a + c.units, 0)
    expect(sum(fresh)).toBe(sum(both) + 2e9)
  })
})
