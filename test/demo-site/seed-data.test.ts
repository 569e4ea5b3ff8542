import { describe, expect, it } from 'vitest'
import { generateSeed, prng, hashSeed, seededUuidV7, brokenTagEvents, SEED_EXPERIMENT } from '../../demo-site/seed-data.ts'

const NOW = Date.parse('2026-11-24T15:30:00Z')
const seed = generateSeed({ now: NOW, days: 28, visitorsPerDay: 110 })

describe('demo seed generator', () => {
  it('is deterministic, so a second run only produces duplicates', () => {
    const again = generateSeed({ now: NOW, days: 28, visitorsPerDay: 110 })
    expect(again.events.map((e) => e.id)).toEqual(seed.events.map((e) => e.id))
    expect(again).toEqual(seed)
  })

  it('keeps a day identical when run on a later day, and adds the new day', () => {
    const later = generateSeed({ now: NOW + 86_400_000, days: 29, visitorsPerDay: 110 })
    const ids = new Set(later.events.map((e) => e.id))
    const yesterday = seed.events.filter((e) => e.ts < '2026-11-24')
    expect(yesterday.every((e) => ids.has(e.id))).toBe(true)
    expect(later.events.some((e) => e.ts.startsWith('2026-11-25'))).toBe(true)
  })

  it('makes unique time-ordered UUIDv7 ids', () => {
    const ids = seed.events.map((e) => e.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids.slice(0, 200)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    const e = seed.events[10]
    expect(parseInt(e.id.replace(/-/g, '').slice(0, 12), 16)).toBe(Date.parse(e.ts))
  })

  it('stays inside the window the server API accepts: not in the future, at most 90 days back', () => {
    const times = seed.events.map((e) => Date.parse(e.ts))
    expect(Math.max(...times)).toBeLessThanOrEqual(NOW)
    expect(Math.min(...times)).toBeGreaterThan(NOW - 29 * 86_400_000)
  })

  it('has a few thousand visitors from every channel the dashboard shows', () => {
    const urls = seed.events.filter((e) => e.type === 'pageview').map((e) => e.url + ' ' + (e.referrer ?? ''))
    for (const marker of ['utm_medium=cpc', 'gclid=', 'utm_medium=paid_social', 'fbclid=', 'utm_medium=email', 'https://www.google.com/', 'g2.com']) {
      expect(urls.some((u) => u.includes(marker)), marker).toBe(true)
    }
    const visitors = new Set(seed.events.map((e) => e.visitorId ?? e.ip + e.userAgent + e.ts.slice(0, 10)))
    expect(visitors.size).toBeGreaterThan(2000)
    expect(visitors.size).toBeLessThan(6000)
  })

  it('walks the funnel in order: fewer buyers than leads, fewer leads than pricing views', () => {
    const count = (f: (e: (typeof seed.events)[number]) => boolean) => new Set(seed.events.filter(f).map((e) => e.visitorId)).size
    const pricing = count((e) => e.type === 'pageview' && new URL(e.url).pathname === '/pricing')
    const leads = count((e) => e.type === 'conversion' && e.name === 'lead')
    const buyers = count((e) => e.type === 'conversion' && e.name === 'purchase')
    expect(pricing).toBeGreaterThan(leads)
    expect(leads).toBeGreaterThan(buyers)
    expect(buyers).toBeGreaterThan(50)
    const purchases = seed.events.filter((e) => e.name === 'purchase')
    expect(new Set(purchases.map((e) => e.orderId)).size).toBe(purchases.length)
    expect(purchases.every((e) => e.currency === 'EUR' && [19, 49, 99].includes(e.value!))).toBe(true)
  })

  it('runs the checkout_button experiment with both variants and a winning green button', () => {
    const exposures = seed.events.filter((e) => e.type === 'exposure')
    expect(exposures.every((e) => e.name === SEED_EXPERIMENT.name)).toBe(true)
    const byVariant = (v: string) => exposures.filter((e) => e.props?.variant === v).length
    expect(byVariant('control')).toBeGreaterThan(50)
    expect(byVariant('green')).toBeGreaterThan(50)
  })

  it('has spend for every paid campaign on every day, and none for organic traffic', () => {
    expect(seed.spend).toHaveLength(28 * 4)
    expect(new Set(seed.spend.map((s) => s.source))).toEqual(new Set(['google', 'facebook']))
    expect(seed.spend.every((s) => s.cost >= 0 && s.currency === 'EUR' && s.clicks <= s.impressions)).toBe(true)
  })

  it('withholds visitor ids from visitors who did not grant analytics', () => {
    const anonymous = seed.events.filter((e) => !e.consent.analytics)
    expect(anonymous.length).toBeGreaterThan(0)
    expect(anonymous.every((e) => e.visitorId === undefined)).toBe(true)
  })

  it('includes broken-tag events that the collector must reject', () => {
    expect(brokenTagEvents(NOW)).toHaveLength(3)
  })
})

describe('seeded helpers', () => {
  it('prng repeats for a seed and differs across seeds', () => {
    const a = prng(hashSeed('x')), b = prng(hashSeed('x')), c = prng(hashSeed('y'))
    const sa = [a(), a(), a()]
    expect([b(), b(), b()]).toEqual(sa)
    expect([c(), c(), c()]).not.toEqual(sa)
    expect(sa.every((x) => x >= 0 && x < 1)).toBe(true)
  })
  it('seededUuidV7 puts the time first', () => {
    expect(seededUuidV7(0x0123456789ab, prng(1)).slice(0, 13)).toBe('01234567-89ab')
  })
})
