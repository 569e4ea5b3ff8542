import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTestApp, TestClock, type TestApp } from '../../../test/helpers/app.ts'
import { consentShares, eventNames, eventsPerHour, lastReceived } from './sqlite-health.ts'

const NOW = Date.parse('2026-11-24T12:30:00Z')
let t: TestApp

beforeAll(async () => {
  t = await makeTestApp({ clock: new TestClock(NOW) })
  const { secret } = await t.createSite('shop')
  const ev = (ts: string, extra: object) => ({ type: 'pageview', name: 'pageview', ts, url: 'https://shop.example/pricing', ip: '198.51.100.7', userAgent: 'Mozilla/5.0 (Windows NT 10.0) Chrome/130', ...extra })
  const res = await t.sendServerEvents(secret, [
    ev('2026-11-24T12:05:00Z', { visitorId: 'a', consent: { analytics: true, ads: true } }),
    ev('2026-11-24T12:10:00Z', { visitorId: 'a', consent: { analytics: true, ads: true }, type: 'conversion', name: 'purchase' }),
    ev('2026-11-24T09:00:00Z', { visitorId: 'b', consent: { analytics: true, ads: false }, type: 'exposure', name: 'hero', props: { variant: 'x' } }),
    ev('2026-11-24T09:30:00Z', { consent: { analytics: false, ads: false } }),
    ev('2026-11-20T09:30:00Z', { visitorId: 'old', consent: { analytics: true, ads: true } }),
  ])
  expect(res.body.accepted).toBe(5)
})
afterAll(async () => { await t.close() })

describe('tracking-health queries', () => {
  it('counts events per hour over the last 24 hours, with empty hours as zero', () => {
    const hours = eventsPerHour(t.store.db, 'shop', NOW)
    expect(hours).toHaveLength(24)
    expect(hours[23]).toEqual({ hour: Date.parse('2026-11-24T12:00:00Z'), events: 2 })
    expect(hours[20]).toEqual({ hour: Date.parse('2026-11-24T09:00:00Z'), events: 2 })
    expect(hours.reduce((s, h) => s + h.events, 0)).toBe(4)
  })

  it('counts visitors per consent state', () => {
    const shares = consentShares(t.store.db, 'shop', NOW - 86_400_000)
    expect(shares).toEqual([{ consent: 3, visitors: 1 }, { consent: 1, visitors: 1 }, { consent: 0, visitors: 1 }])
  })

  it('lists experiments, conversions and top paths, and when the last event arrived', () => {
    expect(eventNames(t.store.db, 'shop', 0)).toEqual({ experiments: ['hero'], conversions: ['purchase'], events: [], paths: ['/pricing'] })
    expect(lastReceived(t.store.db, 'shop')).toBe(NOW)
    expect(lastReceived(t.store.db, 'nosuchsite')).toBeNull()
  })
})
