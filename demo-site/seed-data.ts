/**
 * The demo history as pure data: visitors arriving from several channels, walking the
 * shop's funnel, seeing the checkout experiment and buying, plus daily ad spend. Every
 * day has its own seeded random stream, so regenerating a day yields the same events
 * with the same ids (the collector then ignores them as duplicates), and a later run
 * simply adds the days that are new.
 */

import { hashSeed, pick, prng, seededUuidV7 } from './seeded-random.ts'
import type { SpendRow } from '../collector/src/store/report-types.ts'

export { hashSeed, prng, seededUuidV7 }

/** A server-side event in the `POST /api/events` shape of DESIGN.md. */
export interface SeedEvent {
  id: string
  type: 'pageview' | 'event' | 'conversion' | 'exposure'
  name: string
  ts: string
  visitorId?: string
  url: string
  referrer?: string
  title?: string
  value?: number
  currency?: string
  orderId?: string
  props?: Record<string, string | number | boolean>
  consent: { analytics: boolean; ads: boolean }
  userAgent: string
  ip: string
}

/** A spend row in the `PUT /api/sites/:site/spend` JSON shape: the collector's stored row. */
export type SeedSpend = SpendRow

/** How a visit arrives and how likely it is to move down the funnel. */
interface Arrival {
  weight: number
  params?: Record<string, string>
  clickId?: 'gclid' | 'fbclid'
  referrer?: string
  landing: string
  /** Chances of pricing after landing, signup after pricing, purchase after signup. */
  funnel: [number, number, number]
}

export const SEED_ORIGIN = 'http://localhost:8787'

const ARRIVALS: Arrival[] = [
  { weight: 14, params: { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'brand_search', utm_term: 'brightdesk' }, clickId: 'gclid', landing: '/', funnel: [0.7, 0.45, 0.42] },
  { weight: 16, params: { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'generic_helpdesk', utm_term: 'helpdesk software' }, clickId: 'gclid', landing: '/pricing', funnel: [1, 0.3, 0.3] },
  { weight: 14, params: { utm_source: 'facebook', utm_medium: 'paid_social', utm_campaign: 'retargeting_q4' }, clickId: 'fbclid', landing: '/', funnel: [0.45, 0.3, 0.3] },
  { weight: 12, params: { utm_source: 'facebook', utm_medium: 'paid_social', utm_campaign: 'lookalike_saas' }, clickId: 'fbclid', landing: '/', funnel: [0.3, 0.2, 0.2] },
  { weight: 8, params: { utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'november_digest' }, landing: '/pricing', funnel: [1, 0.35, 0.45] },
  { weight: 18, referrer: 'https://www.google.com/', landing: '/', funnel: [0.5, 0.3, 0.35] },
  { weight: 12, landing: '/', funnel: [0.6, 0.35, 0.45] },
  { weight: 6, referrer: 'https://www.g2.com/products/brightdesk/reviews', landing: '/', funnel: [0.65, 0.4, 0.4] },
]

/** Paid campaigns: the average daily budget behind the arrivals above. */
const PAID = [
  { source: 'google', medium: 'cpc', campaign: 'brand_search', budget: 45, cpm: 9 },
  { source: 'google', medium: 'cpc', campaign: 'generic_helpdesk', budget: 85, cpm: 14 },
  { source: 'facebook', medium: 'paid_social', campaign: 'retargeting_q4', budget: 60, cpm: 7 },
  { source: 'facebook', medium: 'paid_social', campaign: 'lookalike_saas', budget: 55, cpm: 5 },
]

const PLANS = [
  { id: 'starter', price: 19, weight: 3 },
  { id: 'pro', price: 49, weight: 5 },
  { id: 'team', price: 99, weight: 2 },
]

const AGENTS = [
  { weight: 5, ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36' },
  { weight: 3, ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15' },
  { weight: 4, ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1' },
  { weight: 3, ua: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36' },
  { weight: 1, ua: 'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0' },
]

const TITLES: Record<string, string> = {
  '/': 'Brightdesk · The helpdesk your customers will thank you for',
  '/pricing': 'Pricing · Brightdesk', '/signup': 'Start your free trial · Brightdesk',
  '/checkout': 'Checkout · Brightdesk', '/thanks': 'Thank you · Brightdesk',
  '/app': 'Tour · Brightdesk', '/app/inbox': 'Shared inbox · Brightdesk', '/app/reports': 'Reports · Brightdesk',
}

/** The experiment the seed runs, and how much the green button helps. */
export const SEED_EXPERIMENT = { name: 'checkout_button', variants: ['control', 'green'], greenLift: 1.3 }

const DAY_MS = 86_400_000

/** YYYY-MM-DD of a UTC time. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

export interface SeedOptions {
  /** Generation stops at this time: nothing is made in the future. */
  now: number
  days: number
  /** Average visitors per day; weekdays get more, weekends fewer. */
  visitorsPerDay: number
}

export interface SeedData {
  events: SeedEvent[]
  spend: SeedSpend[]
}

/**
 * Generates `days` days of history ending at `now`.
 *
 * @example
 * const { events, spend } = generateSeed({ now: Date.now(), days: 28, visitorsPerDay: 110 })
 */
export function generateSeed(opts: SeedOptions): SeedData {
  const out: SeedData = { events: [], spend: [] }
  const today = Date.parse(utcDay(opts.now))
  for (let d = opts.days - 1; d >= 0; d--) {
    const dayStart = today - d * DAY_MS
    const day = generateDay(dayStart, opts)
    out.events.push(...day.events)
    out.spend.push(...day.spend)
  }
  out.events.sort((a, b) => a.ts.localeCompare(b.ts))
  return out
}

function generateDay(dayStart: number, opts: SeedOptions): SeedData {
  const date = utcDay(dayStart)
  const rand = prng(hashSeed(`funnelbeam-demo-v1:${date}`))
  const weekday = new Date(dayStart).getUTCDay()
  const season = weekday === 0 || weekday === 6 ? 0.7 : 1.1
  // A slow wave over the calendar (not relative to today, so a day never changes on a
  // later run) keeps the charts from looking flat.
  const trend = 1 + 0.15 * Math.sin(dayStart / DAY_MS / 9)
  const visitors = Math.round(opts.visitorsPerDay * season * trend * (0.9 + rand() * 0.2))
  const events: SeedEvent[] = []
  const clicks = new Map<string, number>()

  for (let v = 0; v < visitors; v++) {
    const visit = simulateVisitor(dayStart, rand, date, v)
    for (const e of visit.events) if (Date.parse(e.ts) <= opts.now - 60_000) events.push(e)
    if (visit.paidKey) clicks.set(visit.paidKey, (clicks.get(visit.paidKey) ?? 0) + 1)
  }

  const spend: SeedSpend[] = []
  // Today is only partly over: its spend so far grows with the day (the upsert replaces it).
  const elapsed = Math.min(1, (opts.now - dayStart) / DAY_MS)
  for (const c of PAID) {
    const key = `${c.source}/${c.medium}/${c.campaign}`
    // Ad platforms count more clicks than arrive as sessions (bounces before the tag).
    const adClicks = Math.round((clicks.get(key) ?? 0) * (1.08 + rand() * 0.1))
    // Budgets are set for 110 visitors a day; a smaller seed buys proportionally less.
    const cost = Math.round(c.budget * (opts.visitorsPerDay / 110) * season * elapsed * (0.85 + rand() * 0.3) * 100) / 100
    const impressions = Math.round((cost / c.cpm) * 1000)
    spend.push({ date, source: c.source, medium: c.medium, campaign: c.campaign, cost, impressions, clicks: adClicks, currency: 'EUR' })
  }
  return { events, spend }
}

interface Visit {
  events: SeedEvent[]
  paidKey: string | null
}

function simulateVisitor(dayStart: number, rand: () => number, date: string, index: number): Visit {
  const arrival = pick(ARRIVALS, rand)
  const agent = pick(AGENTS, rand).ua
  const consentRoll = rand()
  // Most visitors accept, some allow analytics only, some never decide (anonymous).
  const consent = consentRoll < 0.68 ? { analytics: true, ads: true } : consentRoll < 0.85 ? { analytics: true, ads: false } : { analytics: false, ads: false }
  const visitorId = `v-${date}-${index.toString(36)}-${Math.floor(rand() * 1e9).toString(36)}`
  const ip = `198.51.100.${1 + Math.floor(rand() * 250)}`
  // Traffic follows the working day: most visits between 08:00 and 22:00 UTC.
  const hour = rand() < 0.85 ? 8 + rand() * 14 : rand() * 24
  let ts = dayStart + Math.floor(hour * 3_600_000)
  const events: SeedEvent[] = []
  const base = { consent, userAgent: agent, ip, ...(consent.analytics ? { visitorId } : {}) }
  let previous: string | undefined = arrival.referrer

  const push = (type: SeedEvent['type'], name: string, path: string, extra: Partial<SeedEvent> = {}, query = '') => {
    ts += 8_000 + Math.floor(rand() * 90_000)
    const url = `${SEED_ORIGIN}${path}${query}`
    events.push({ id: seededUuidV7(ts, rand), type, name, ts: new Date(ts).toISOString(), url, ...(previous ? { referrer: previous } : {}), ...base, ...extra })
    if (type === 'pageview') previous = url
  }
  const pageview = (path: string, query = '') => push('pageview', 'pageview', path, { title: TITLES[path] }, query)

  const params = new URLSearchParams(arrival.params)
  if (arrival.clickId) params.set(arrival.clickId, `${arrival.clickId === 'gclid' ? 'Cj0KCQ' : 'IwAR'}${Math.floor(rand() * 1e12).toString(36)}`)
  const query = params.size ? `?${params}` : ''
  const paidKey = arrival.clickId ? `${arrival.params!.utm_source}/${arrival.params!.utm_medium}/${arrival.params!.utm_campaign}` : null

  pageview(arrival.landing, query)
  // Anonymous visitors are counted by the collector's daily hash; keep them to one visit.
  if (!consent.analytics) {
    if (rand() < 0.4) pageview('/pricing')
    return { events, paidKey }
  }
  if (rand() < 0.25) {
    pageview('/app')
    pageview(rand() < 0.5 ? '/app/inbox' : '/app/reports')
  }
  const [toPricing, toSignup, toPurchase] = arrival.funnel
  if (arrival.landing !== '/pricing') {
    if (rand() >= toPricing) return { events, paidKey }
    pageview('/pricing')
  }
  if (rand() >= toSignup) return { events, paidKey }
  const plan = pick(PLANS, rand)
  push('event', 'plan_select', '/pricing', { props: { plan: plan.id } })
  pageview('/signup', `?plan=${plan.id}`)
  push('conversion', 'lead', '/signup', { props: { plan: plan.id } }, `?plan=${plan.id}`)

  // A share of buyers come back days later, directly or from the newsletter, so the
  // first-touch and last-touch models credit different channels.
  const returns = rand() < 0.3
  if (returns) {
    ts += (1 + Math.floor(rand() * 5)) * DAY_MS
    previous = undefined
    const back = rand() < 0.5 ? '?utm_source=newsletter&utm_medium=email&utm_campaign=november_digest' : ''
    pageview('/', back)
  }
  pageview('/checkout', `?plan=${plan.id}`)
  const variant = SEED_EXPERIMENT.variants[rand() < 0.5 ? 0 : 1]
  push('exposure', SEED_EXPERIMENT.name, '/checkout', { props: { variant } }, `?plan=${plan.id}`)
  const lift = variant === 'green' ? SEED_EXPERIMENT.greenLift : 1
  if (rand() >= Math.min(0.95, toPurchase * lift * 1.15)) return { events, paidKey }
  const orderId = `BD-${date.replaceAll('-', '')}-${index.toString().padStart(4, '0')}`
  pageview('/thanks', `?plan=${plan.id}&order=${orderId}`)
  push('conversion', 'purchase', '/thanks', { value: plan.price, currency: 'EUR', orderId, props: { plan: plan.id } }, `?plan=${plan.id}&order=${orderId}`)
  return { events, paidKey }
}

/**
 * A few events a broken tag would send, so the tracking-health panel has something to
 * show: they are rejected and quarantined with a reason, never silently dropped.
 */
export function brokenTagEvents(now: number): unknown[] {
  const rand = prng(hashSeed(`funnelbeam-demo-broken:${utcDay(now)}`))
  const ts = new Date(now - 3_600_000).toISOString()
  return [
    { id: seededUuidV7(now - 3_600_000, rand), type: 'conversion', name: 'purchase', ts, value: 49, currency: 'euro', orderId: 'BROKEN-1' },
    { id: seededUuidV7(now - 3_500_000, rand), type: 'exposure', name: 'checkout_button', ts },
    { id: seededUuidV7(now - 3_400_000, rand), type: 'pageview', name: 'pageview', ts, url: `${SEED_ORIGIN}/`, colour: 'blue' },
  ]
}
