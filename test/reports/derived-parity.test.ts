/**
 * The fast path (ingest into the inbox, background derivation, reports over derived
 * tables) against a plain scan over the raw events, on generated traffic with duplicates,
 * late and shuffled arrival, order-id repeats and consent changes.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { makeTestApp, TestClock, type TestApp } from '../helpers/app.ts'
import { prng as random } from '../../demo-site/seeded-random.ts'

const NOW = Date.parse('2026-11-24T23:00:00Z')
const DAY = 86_400_000
const MIN = 60_000
const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36'

interface Raw {
  id: string
  type: 'pageview' | 'conversion'
  name: string
  ts: number
  visitorId?: string
  path: string
  utm: 'google' | 'newsletter' | null
  value?: number
  orderId?: string
  analytics: boolean
  ip: string
}


const uid = (n: number) => `00000000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`

function generate(seed: number): Raw[] {
  const rnd = random(seed)
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]
  const out: Raw[] = []
  let n = 0
  for (let v = 0; v < 40; v++) {
    // Some visitors browse before granting analytics: those events count under a daily hash.
    const grantsAt = rnd() < 0.25 ? 1 + Math.floor(rnd() * 3) : 0
    let t = NOW - 3 * DAY + Math.floor(rnd() * 2 * DAY)
    let k = 0
    for (let visit = 0; visit < 1 + Math.floor(rnd() * 3); visit++) {
      const utm = pick(['google', 'newsletter', null, null] as const)
      for (let p = 0; p < 1 + Math.floor(rnd() * 4); p++) {
        const analytics = k++ >= grantsAt
        out.push({ id: uid(n++), type: 'pageview', name: 'pageview', ts: t, visitorId: analytics ? `v${v}` : undefined, path: p === 0 ? '/' : pick(['/pricing', '/signup', '/pricing']), utm: p === 0 ? utm : null, analytics, ip: `198.51.100.${v}` })
        // Mostly short gaps, some right around the 30-minute idle limit.
        t += Math.floor(rnd() < 0.2 ? 25 * MIN + rnd() * 10 * MIN : rnd() * 12 * MIN) + 1000
      }
      if (rnd() < 0.3) {
        out.push({ id: uid(n++), type: 'conversion', name: 'purchase', ts: t, visitorId: `v${v}`, path: '/thanks', utm: null, value: 10 + Math.floor(rnd() * 90), orderId: `o-${v}-${visit}`, analytics: true, ip: `198.51.100.${v}` })
      }
      t += Math.floor(rnd() * (rnd() < 0.5 ? 60 : 300) * MIN)
    }
  }
  return out
}

function wire(e: Raw) {
  const q = e.utm === 'google' ? '?utm_source=google&utm_medium=cpc&utm_campaign=brand' : e.utm === 'newsletter' ? '?utm_source=newsletter&utm_medium=email' : ''
  return {
    id: e.id, type: e.type, name: e.name, ts: new Date(e.ts).toISOString(), visitorId: e.visitorId, url: `https://shop.example${e.path}${q}`,
    value: e.value, currency: e.value === undefined ? undefined : 'EUR', orderId: e.orderId,
    consent: { analytics: e.analytics, ads: true }, userAgent: UA, ip: e.ip,
  }
}

/** The plain scan: every number straight from the raw events, by the definitions in DESIGN.md. */
function plainScan(events: Raw[], from: number, to: number) {
  const key = (e: Raw) => (e.analytics ? e.visitorId! : `anon:${e.ip}`)
  const inRange = (ts: number) => ts >= from && ts < to
  const byVisitor = new Map<string, Raw[]>()
  for (const e of events) byVisitor.set(key(e), [...(byVisitor.get(key(e)) ?? []), e])
  const channelOf = (e: Raw) => (e.utm === 'google' ? 'Paid Search' : e.utm === 'newsletter' ? 'Email' : 'Direct')
  const channels: Record<string, number> = {}
  let sessions = 0
  let funnelEntered = 0
  let funnelConverted = 0
  for (const list of byVisitor.values()) {
    list.sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : 1))
    let last = -Infinity
    let campaign: string | null = null
    for (const e of list) {
      if (e.ts - last > 30 * MIN || (e.utm !== null && e.utm !== campaign)) {
        campaign = e.utm
        if (inRange(e.ts)) {
          sessions++
          channels[channelOf(e)] = (channels[channelOf(e)] ?? 0) + 1
        }
      }
      last = e.ts
    }
    const entries = list.filter((e) => e.path === '/pricing' && e.type === 'pageview' && inRange(e.ts))
    if (entries.length) {
      funnelEntered++
      if (entries.some((s) => list.some((c) => c.type === 'conversion' && c.ts > s.ts && c.ts - s.ts <= 7 * DAY))) funnelConverted++
    }
  }
  const ranged = events.filter((e) => inRange(e.ts))
  return {
    summary: {
      visitors: new Set(ranged.map(key)).size, sessions, pageviews: ranged.filter((e) => e.type === 'pageview').length,
      conversions: ranged.filter((e) => e.type === 'conversion').length,
      revenue: { EUR: ranged.reduce((s, e) => s + (e.value ?? 0), 0) },
    },
    channels,
    funnel: [funnelEntered, funnelConverted],
  }
}

const apps: TestApp[] = []
afterEach(async () => { for (const t of apps.splice(0)) await t.close() })

async function reportsOf(t: TestApp, q: string) {
  const get = async (path: string) => (await t.app.request(`/api/sites/shop/${path}${path.includes('?') ? '&' : '?'}${q}`, { headers: { authorization: `Bearer ${t.adminToken}` } })).json()
  return {
    summary: await get('summary'),
    channels: await get('channels'),
    campaigns: await get('campaigns'),
    funnel: await get('funnel?step=pageview:/pricing&step=conversion:purchase'),
    attribution: await get('attribution?conversion=purchase&model=linear'),
  }
}

describe('derived reports equal a plain scan of the raw events', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: in time order, and shuffled with duplicates, late events and repeated orders`, async () => {
      const events = generate(seed)
      const rnd = random(seed + 100)
      // Arrival: time order for one collector; for the other shuffled, with one in ten events
      // sent twice, and repeated orders (another event id, the same order id) that must not count.
      const inOrder = [...events].sort((a, b) => a.ts - b.ts)
      const orders = events.filter((e) => e.orderId)
      const shuffled = [...events, ...events.filter(() => rnd() < 0.1), ...orders.map((o) => ({ ...o, id: uid(100_000 + Number.parseInt(o.id.slice(-12), 16)) }))]
        .map((e) => ({ e, k: rnd() })).sort((a, b) => a.k - b.k).map((x) => x.e)
      const results = []
      for (const arrival of [inOrder, shuffled]) {
        const t = await makeTestApp({ clock: new TestClock(NOW) })
        apps.push(t)
        const { secret } = await t.createSite('shop', { timezone: 'UTC' })
        let accepted = 0
        let duplicates = 0
        for (let i = 0; i < arrival.length; i += 17) {
          const { status, body } = await t.sendServerEvents(secret, arrival.slice(i, i + 17).map(wire))
          expect(status, JSON.stringify(body).slice(0, 300)).toBe(200)
          expect(body.rejected, JSON.stringify(body.rejected).slice(0, 300)).toEqual([])
          accepted += body.accepted
          duplicates += body.duplicates
        }
        expect(accepted).toBe(events.length)
        expect(duplicates).toBe(arrival.length - events.length)
        results.push(await reportsOf(t, 'from=2026-11-21&to=2026-11-24'))
      }
      const [a, b] = results
      expect(b).toEqual(a)
      const plain = plainScan(events, Date.parse('2026-11-21T00:00:00Z'), Date.parse('2026-11-25T00:00:00Z'))
      expect(a.summary).toMatchObject(plain.summary)
      expect(Object.fromEntries(a.channels.rows.map((r: { channel: string; sessions: number }) => [r.channel, r.sessions]))).toEqual(plain.channels)
      expect(a.funnel.steps.map((s: { visitors: number }) => s.visitors)).toEqual(plain.funnel)
      expect(plain.summary.conversions).toBeGreaterThan(0)
    })
  }
})
