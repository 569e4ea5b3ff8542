/**
 * Segments (issue 11): a report over a segment is the report over the segment's sessions
 * and the events in them, as if nothing else had been recorded. The demo shop's traffic
 * goes into one collector; for each segment, the sessions it should keep are picked by
 * the reports' own labels (`dimensionValue`, the landing glob, first session, first
 * exposure) straight from the stored rows, and only their events are sent to a second,
 * fresh collector. Every report of the first with the segment must equal the same report
 * of the second without one. Then the HTTP surface: validation, echo, CSV, spend, pacing,
 * breakdowns by landing page and new vs returning, and the dashboard.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTestApp, signIn, TestClock, type TestApp } from '../helpers/app.ts'
import { generateSeed, SEED_ORIGIN, type SeedEvent } from '../../demo-site/seed-data.ts'
import {
  createReports, parseAttributionQuery, parseCampaignsQuery, parseChannelsQuery, parseExperimentQuery, parseFunnelQuery, parseSummaryQuery,
} from '../../collector/src/reports/service.ts'
import { parseTimeseriesQuery, timeseries } from '../../collector/src/reports/timeseries-service.ts'
import { dimensionValue } from '../../collector/src/reports/dimensions.ts'
import { matchPath } from '../../collector/src/reports/steps.ts'
import { parseSegment, SEGMENT_DIMENSIONS } from '../../collector/src/reports/segment.ts'
import type { SegmentFilters } from '../../collector/src/reports/types.ts'
import type { Site } from '../../collector/src/model.ts'
import type { SessionRow } from '../helpers/session-row.ts'

const NOW = Date.parse('2026-11-25T12:00:00Z')
const TODAY = '2026-11-25'
const RANGE = 'from=2026-11-12&to=2026-11-25'
const FUNNEL = 'step=pageview:/pricing&step=event:plan_select&step=conversion:lead&step=conversion:purchase'

async function load(t: TestApp, events: SeedEvent[]): Promise<string> {
  const { secret } = await t.createSite('demo', { origins: [SEED_ORIGIN], currency: 'EUR', timezone: 'Europe/Berlin' })
  for (let i = 0; i < events.length; i += 100) {
    const r = await t.sendServerEvents(secret, events.slice(i, i + 100))
    expect(r.body.rejected).toEqual([])
  }
  await t.settle()
  return secret
}

/** Every report the service makes, for one store, with the query string's segment. */
async function allReports(t: TestApp, segment: string): Promise<Record<string, unknown>> {
  const reports = createReports(t.store.reports)
  const site = (await t.store.getSite('demo')) as Site
  const p = (q: string) => new URLSearchParams(`${RANGE}&${q}&${segment}`)
  const out: Record<string, unknown> = {}
  out.summary = await reports.summary(site, parseSummaryQuery(p(''), TODAY))
  for (const extra of ['', 'mode=strict', 'unit=session', 'breakdown=channel', 'mode=strict&unit=session&breakdown=device']) {
    out[`funnel ${extra}`] = await reports.funnel(site, parseFunnelQuery(p(`${FUNNEL}&${extra}`), TODAY))
  }
  out.channels = await reports.channels(site, parseChannelsQuery(p('model=linear'), TODAY))
  out.campaigns = await reports.campaigns(site, parseCampaignsQuery(p('model=position&conversion=purchase'), TODAY))
  for (const model of ['last_non_direct', 'data_driven']) {
    out[`attribution ${model}`] = await reports.attribution(site, parseAttributionQuery(p(`model=${model}&dimension=source&conversion=purchase`), TODAY))
  }
  out.experiment = await reports.experiment(site, 'checkout_button', parseExperimentQuery(p('conversion=purchase'), TODAY))
  out.trends = await timeseries(t.store.reports, site, parseTimeseriesQuery(p('conversion=purchase'), TODAY))
  // The segment's own echo is the only difference allowed. Anonymous visitors hash with
  // each store's own salt, so visitors reach the maths in another order and float sums
  // (data-driven removal effects) may differ in the last bits: 12 significant digits count.
  return JSON.parse(JSON.stringify(out, (k, v) => (k === 'segment' || k === 'spendNote' ? undefined
    : typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(12)) : v)))
}


/** The ids of the events in the sessions a segment keeps, by the definitions alone. */
function eventsOfSegment(t: TestApp, f: SegmentFilters): { events: Set<string>; sessions: number; of: number } {
  const db = t.store.db
  const sessions = db.prepare('SELECT * FROM sessions WHERE site = ?').all('demo') as SessionRow[]
  const firstStart = new Map<string, number>()
  for (const s of sessions) firstStart.set(s.visitor, Math.min(firstStart.get(s.visitor) ?? Infinity, s.started))
  const exposures = db.prepare(`SELECT visitor, name, ts, CAST(json_extract(props, '$.variant') AS TEXT) AS variant FROM events
    WHERE site = 'demo' AND type = 'exposure' AND bot = 0 ORDER BY ts, rowid`).all() as { visitor: string; name: string; ts: number; variant: string | null }[]
  const first = new Map<string, { ts: number; variant: string }>()
  for (const x of exposures) if (!first.has(`${x.visitor}\n${x.name}`)) first.set(`${x.visitor}\n${x.name}`, { ts: x.ts, variant: x.variant ?? '(none)' })
  const keeps = (s: SessionRow) => {
    const attrs = { channel: s.channel, source: s.source, medium: s.medium, campaign: s.campaign, clickIdType: s.click_id_type,
      referrerHost: s.referrer_host, device: s.device, browser: s.browser, country: s.country }
    for (const d of SEGMENT_DIMENSIONS) {
      const vs = f[d]
      if (!vs) continue
      if (d === 'landing') { if (!vs.some((v) => s.landing_path !== null && matchPath(v, s.landing_path))) return false } else if (!vs.includes(dimensionValue(d, attrs))) return false
    }
    if (f.visitor && (firstStart.get(s.visitor) === s.started) !== (f.visitor === 'new')) return false
    if (f.variant && !f.variant.some((v) => {
      const x = first.get(`${s.visitor}\n${v.experiment}`)
      return x !== undefined && x.ts <= s.last_ts && x.variant === v.variant
    })) return false
    return true
  }
  const kept = new Set(sessions.filter(keeps).map((s) => s.id))
  const rows = db.prepare(`SELECT id, session_id FROM events WHERE site = 'demo'`).all() as { id: string; session_id: string | null }[]
  return { events: new Set(rows.filter((r) => r.session_id !== null && kept.has(r.session_id)).map((r) => r.id)), sessions: kept.size, of: sessions.length }
}

const SEGMENTS = [
  'channel=Paid Search',
  'source=google',
  'medium=referral',
  'campaign=(direct)',
  'device=mobile',
  'device=mobile&device=tablet',
  'landing=/pricing',
  'visitor=new',
  'visitor=returning',
  'variant=checkout_button:green',
  'source=google&device=desktop&visitor=new',
]

describe('a segmented report is the report over only the segment\'s sessions', () => {
  let all: TestApp
  let events: SeedEvent[]
  beforeAll(async () => {
    events = generateSeed({ now: NOW, days: 14, visitorsPerDay: 45 }).events
    all = await makeTestApp({ clock: new TestClock(NOW) })
    await load(all, events)
  }, 60_000)
  afterAll(() => all?.close())

  for (const segment of SEGMENTS) {
    it(segment, async () => {
      const f = parseSegment(new URLSearchParams(segment))!
      const kept = eventsOfSegment(all, f)
      // Not vacuous: the segment keeps some sessions and drops others.
      expect(kept.sessions).toBeGreaterThan(5)
      expect(kept.sessions).toBeLessThan(kept.of)
      const only = await makeTestApp({ clock: new TestClock(NOW) })
      try {
        await load(only, events.filter((e) => kept.events.has(e.id)))
        const [segmented, alone] = [await allReports(all, segment), await allReports(only, '')]
        for (const key of Object.keys(alone)) expect(segmented[key], key).toEqual(alone[key])
        expect((segmented.summary as { sessions: number }).sessions).toBeGreaterThan(0)
      } finally {
        await only.close()
      }
    }, 60_000)
  }

  it('answers over HTTP with the segment echoed, as JSON and CSV', async () => {
    const auth = { authorization: `Bearer ${all.adminToken}` }
    const plain = await (await all.app.request(`/api/sites/demo/summary?${RANGE}`, { headers: auth })).json()
    const res = await all.app.request(`/api/sites/demo/summary?${RANGE}&device=mobile&visitor=new`, { headers: auth })
    expect(res.status).toBe(200)
    const mobileNew = await res.json()
    expect(mobileNew.segment).toEqual({ device: ['mobile'], visitor: 'new' })
    // The summary shows no spend, so it has nothing to explain about it.
    expect(mobileNew.spendNote).toBeUndefined()
    expect(mobileNew.sessions).toBeGreaterThan(0)
    expect(mobileNew.sessions).toBeLessThan(plain.sessions)
    expect(plain.segment).toBeUndefined()
    const csv = await (await all.app.request(`/api/sites/demo/summary?${RANGE}&device=mobile&visitor=new&format=csv`, { headers: auth })).text()
    expect(csv.split('\n')[1]).toContain(String(mobileNew.sessions))
    const channels = await (await all.app.request(`/api/sites/demo/channels?${RANGE}&channel=Paid%20Search&channel=Paid%20Social`, { headers: auth })).json()
    expect(channels.rows.map((r: { channel: string }) => r.channel).sort()).toEqual(['Paid Search', 'Paid Social'])
  })

  it('names the bad filter in a 400', async () => {
    const auth = { authorization: `Bearer ${all.adminToken}` }
    for (const [q, path] of [['visitor=old', 'visitor'], ['variant=no-colon', 'variant.0'], ['landing=pricing', 'landing.0'], [`device=${'x'.repeat(201)}`, 'device.0']]) {
      const res = await all.app.request(`/api/sites/demo/channels?${q}`, { headers: auth })
      expect(res.status, q).toBe(400)
      const body = await res.json()
      expect(JSON.stringify(body), q).toContain(`"path":"${path}"`)
    }
  })

  it('keeps spend only where a segment can split it', async () => {
    const auth = { authorization: `Bearer ${all.adminToken}`, 'content-type': 'application/json' }
    const spend = [
      { date: '2026-11-20', source: 'google', medium: 'cpc', campaign: 'brand_search', cost: 40, impressions: 1000, clicks: 50, currency: 'EUR' },
      { date: '2026-11-20', source: 'facebook', medium: 'paid_social', campaign: 'retargeting_q4', cost: 30, impressions: 2000, clicks: 40, currency: 'EUR' },
    ]
    expect((await all.app.request('/api/sites/demo/spend', { method: 'PUT', headers: auth, body: JSON.stringify(spend) })).status).toBe(200)
    const get = async (q: string) => (await all.app.request(`/api/sites/demo/${q}`, { headers: auth })).json()
    const paid = await get(`channels?${RANGE}&channel=Paid%20Search`)
    expect(paid.rows).toHaveLength(1)
    expect(paid.rows[0].cost).toEqual({ EUR: 40 })
    expect(paid.spendNote).toBeUndefined()
    const campaigns = await get(`campaigns?${RANGE}&source=facebook`)
    expect(campaigns.rows.find((r: { campaign: string }) => r.campaign === 'retargeting_q4').cost).toEqual({ EUR: 30 })
    expect(campaigns.rows.every((r: { source: string }) => r.source === 'facebook')).toBe(true)
    const mobile = await get(`channels?${RANGE}&device=mobile`)
    expect(mobile.rows.every((r: { cost: object }) => Object.keys(r.cost).length === 0)).toBe(true)
    expect(mobile.spendNote).toMatch(/device/)
    const trends = await get(`timeseries?${RANGE}&channel=Paid%20Search`)
    expect(trends.totals.current.spend).toEqual({ EUR: 40 })
    const mobileTrends = await get(`timeseries?${RANGE}&device=mobile`)
    expect(mobileTrends.totals.current.spend).toEqual({})
    expect(mobileTrends.spendNote).toMatch(/device/)
    const pacing = await all.app.request(`/api/sites/demo/pacing?month=2026-11&device=mobile`, { headers: auth })
    expect(pacing.status).toBe(400)
    expect(JSON.stringify(await pacing.json())).toContain('"path":"device"')
    expect((await all.app.request(`/api/sites/demo/pacing?month=2026-11&channel=Paid%20Search`, { headers: auth })).status).toBe(200)
  })

  it('breaks funnels down by landing page and new vs returning, agreeing with the segments', async () => {
    const auth = { authorization: `Bearer ${all.adminToken}` }
    const get = async (q: string) => (await all.app.request(`/api/sites/demo/funnel?${RANGE}&${FUNNEL}&unit=session&${q}`, { headers: auth })).json()
    for (const [breakdown, values] of [['visitor', ['new', 'returning']], ['landing', ['/', '/pricing']]] as const) {
      const r = await get(`breakdown=${breakdown}`)
      expect(Object.keys(r.breakdown).sort()).toEqual(expect.arrayContaining([...values]))
      const entries = Object.values(r.breakdown as Record<string, { visitors: number }[]>).reduce((a, rows) => a + rows[0].visitors, 0)
      expect(entries).toBe(r.steps[0].visitors)
      // In session funnels a session's entry is the session itself: the breakdown's row is the segment's funnel.
      for (const v of values) {
        const seg = await get(`${breakdown}=${encodeURIComponent(v)}`)
        expect(r.breakdown[v], `${breakdown}=${v}`).toEqual(seg.steps)
      }
    }
  })

  it('filters the dashboard, shows the active filters and carries them into every link', async () => {
    const cookie = await signIn((path, init) => all.app.request(path, init), all.adminToken)
    const page = async (q: string) => (await all.app.request(`/dashboard/demo?from=2026-11-12&to=2026-11-25${q}`, { headers: { cookie } })).text()
    const plain = await page('')
    const mobile = await page('&device=mobile&channel=Paid%20Search')
    const sessions = (html: string) => Number(/data-metric="sessions"[^>]*>([\d,]+)</.exec(html)?.[1].replace(/,/g, ''))
    expect(sessions(mobile)).toBeGreaterThan(0)
    expect(sessions(mobile)).toBeLessThan(sessions(plain))
    expect(mobile).toContain('Device: mobile')
    expect(mobile).toContain('Channel: Paid Search')
    // A channel row narrows the page to that channel.
    expect(plain).toMatch(/href="\/dashboard\/demo\?[^"]*channel=Paid\+Search[^"]*" class="filter-link"/)
    // CSV links and date presets keep the segment.
    expect(mobile).toMatch(/\/api\/sites\/demo\/summary\?[^"]*device=mobile/)
    expect(mobile).toMatch(/href="\/dashboard\/demo\?[^"]*device=mobile[^"]*"[^>]*>7 days/)
    // A bad filter fails as a notice, not an error page.
    const bad = await all.app.request('/dashboard/demo?visitor=old', { headers: { cookie } })
    expect(bad.status).toBe(200)
    expect(await bad.text()).toMatch(/visitor/)
  })
})
