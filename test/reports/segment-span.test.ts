/**
 * Segmented reports read the segment's sessions that can hold events of the range: those
 * started no earlier than the range start minus the longest session the site has had
 * (`session_span`, kept by derivation). A long session that began the day before, and a
 * late event that moves a session's start further back, must still count in full.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { TestClock, type TestApp } from '../helpers/app.ts'
import { eachStore } from '../helpers/stores.ts'
import type { Store } from '../../collector/src/store/types.ts'

const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36'
const NOW = Date.parse('2026-11-25T12:00:00Z')
const MIN = 60_000
const uid = (n: number) => `00000000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`

eachStore('segments over long sessions', (open) => {
  let t: TestApp<Store>
  let secret: string
  beforeAll(async () => {
    t = await open(new TestClock(NOW))
    secret = (await t.createSite('shop', { origins: ['https://shop.example'] })).secret
  })
  afterAll(() => t?.close())

  const pageviews = (from: number, n: number, first: number, url = 'https://shop.example/?utm_source=google&utm_medium=cpc&utm_campaign=brand') =>
    Array.from({ length: n }, (_, i) => ({
      id: uid(first + i), type: 'pageview', name: 'pageview', ts: new Date(from + i * 20 * MIN).toISOString(), visitorId: 'night-owl',
      url: i === 0 ? url : 'https://shop.example/pricing', userAgent: UA, ip: '198.51.100.9',
    }))
  const summary = async (q: string) =>
    (await t.app.request(`/api/sites/shop/summary?from=2026-11-24&to=2026-11-24&${q}`, { headers: { authorization: `Bearer ${t.adminToken}` } })).json()

  it('counts the range\'s part of a session that started long before it', async () => {
    // 23:00 on the 23rd to 10:40 on the 24th, a pageview every 20 minutes: one session.
    const r = await t.sendServerEvents(secret, pageviews(Date.parse('2026-11-23T23:00:00Z'), 36, 0))
    expect(r.body.accepted).toBe(36)
    await t.settle()
    const all = await summary('')
    expect(all.pageviews).toBe(33)
    expect((await summary('device=desktop')).pageviews).toBe(all.pageviews)
    expect((await summary('channel=Paid%20Search')).pageviews).toBe(all.pageviews)
    expect((await summary('channel=Direct')).pageviews).toBe(0)
  })

  it('follows a late event that moves a session\'s start further back', async () => {
    // Arrives last, lands first: the session now begins at 17:00 on the 23rd.
    const early = pageviews(Date.parse('2026-11-23T17:00:00Z'), 18, 100)
    const r = await t.sendServerEvents(secret, early.reverse())
    expect(r.body.accepted).toBe(18)
    await t.settle()
    const all = await summary('')
    expect(all.sessions).toBe(0)
    expect(all.pageviews).toBe(33)
    expect((await summary('channel=Paid%20Search')).pageviews).toBe(33)
    expect((await summary('visitor=new')).pageviews).toBe(33)
  })
})
