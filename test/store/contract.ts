import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Store } from '../../collector/src/store/types.ts'
import type { EnrichedEvent } from '../../collector/src/model.ts'
import { uuidv7 } from '../../collector/src/ingest/uuid.ts'
import { Deriver } from '../../collector/src/derive/deriver.ts'

/** Opens a fresh, empty store; `rows` reads the stored events back in insertion order. */
export interface StoreFactory {
  open(): Promise<{ store: Store; sessions(site: string): Promise<{ id: string; pageviews: number; channel: string }[]>; eventSessions(site: string): Promise<(string | null)[]>; cleanup(): Promise<void> }>
}

const T0 = Date.parse('2026-11-20T12:00:00Z')

export function event(over: Partial<EnrichedEvent> = {}): EnrichedEvent {
  const ts = over.ts ?? T0
  return {
    id: uuidv7(ts), type: 'pageview', name: 'pageview', ts, received: ts, visitor: 'v1', userId: null,
    path: '/', url: 'https://shop.example/', referrer: null, title: null,
    touch: { source: null, medium: null, campaign: null, term: null, content: null, utmId: null, clickIdType: null, clickId: null, referrerHost: null },
    channel: 'Direct', device: 'desktop', browser: 'Chrome', country: null, lang: null, screen: null, value: null,
    currency: null, orderId: null, props: null, consent: 1, bot: false, origin: 'browser', ...over,
  }
}

/**
 * The behaviour every Store must show, run against each implementation so the embedded
 * and the networked store cannot disagree.
 */
export function storeContract(name: string, factory: StoreFactory): void {
  describe(`Store contract: ${name}`, () => {
    let h: Awaited<ReturnType<StoreFactory['open']>>
    beforeEach(async () => {
      const opened = await factory.open()
      // Sessions are derived after ingest answers: let derivation catch up before reading them.
      const derive = () => new Deriver(opened.store, { log: () => {} }).settle()
      h = {
        ...opened,
        sessions: async (site) => { await derive(); return opened.sessions(site) },
        eventSessions: async (site) => { await derive(); return opened.eventSessions(site) },
      }
    })
    afterEach(async () => { await h.cleanup() })

    it('creates a site once and reads it back', async () => {
      const site = { id: 'shop', origins: ['https://shop.example'], secretHash: 'ab'.repeat(32), currency: 'EUR', timezone: 'Europe/Berlin', created: T0 }
      expect(await h.store.createSite(site)).toBe(true)
      expect(await h.store.createSite({ ...site, currency: 'USD' })).toBe(false)
      expect(await h.store.getSite('shop')).toEqual({ ...site, consentRegions: null })
      expect(await h.store.getSite('nope')).toBeNull()
      await h.store.updateSite('shop', { origins: ['https://b.example'], timezone: 'UTC' })
      expect(await h.store.getSite('shop')).toMatchObject({ origins: ['https://b.example'], timezone: 'UTC', currency: 'EUR' })
    })

    it('keeps one salt per UTC day and destroys salts after 48 hours', async () => {
      const a = await h.store.dailySalt('2026-11-20', T0)
      expect(await h.store.dailySalt('2026-11-20', T0 + 3600_000)).toBe(a)
      const b = await h.store.dailySalt('2026-11-21', T0 + 86_400_000)
      expect(b).not.toBe(a)
      await h.store.dailySalt('2026-11-22', T0 + 48 * 3600_000 + 1)
      // The salt of the 20th is gone: asking again makes a new one.
      expect(await h.store.dailySalt('2026-11-20', T0 + 48 * 3600_000 + 2)).not.toBe(a)
    })

    it('stores an event id once per site, but the same id on another site', async () => {
      const e = event()
      expect(await h.store.insertEvents('shop', [e, e])).toEqual(['accepted', 'duplicate'])
      expect(await h.store.insertEvents('shop', [e])).toEqual(['duplicate'])
      expect(await h.store.insertEvents('blog', [e])).toEqual(['accepted'])
    })

    it('stores a conversion once per site, name and order id', async () => {
      const conv = (name: string, orderId: string | null) => event({ type: 'conversion', name, orderId, value: 10, currency: 'EUR' })
      expect(await h.store.insertEvents('shop', [conv('purchase', 'A-1'), conv('purchase', 'A-1'), conv('lead', 'A-1'), conv('purchase', null), conv('purchase', null)]))
        .toEqual(['accepted', 'duplicate', 'accepted', 'accepted', 'accepted'])
      // An event (not a conversion) with an order id is not deduplicated by it.
      expect(await h.store.insertEvents('shop', [event({ type: 'event', name: 'purchase', orderId: 'A-1' })])).toEqual(['accepted'])
    })

    it('keeps the id of a conversion whose order is taken free for a later copy', async () => {
      const conv = (id: string, orderId: string) => event({ id, type: 'conversion', name: 'purchase', orderId, value: 10, currency: 'EUR' })
      expect(await h.store.insertEvents('shop', [conv('c1', 'A-1')])).toEqual(['accepted'])
      // c2 names a stored order: a duplicate, and its id stays unclaimed, so its next copy
      // (another order) is accepted, within the same request or a later one.
      expect(await h.store.insertEvents('shop', [conv('c2', 'A-1'), conv('c2', 'A-2')])).toEqual(['duplicate', 'accepted'])
      expect(await h.store.insertEvents('shop', [conv('c3', 'A-1')])).toEqual(['duplicate'])
      expect(await h.store.insertEvents('shop', [conv('c3', 'A-3')])).toEqual(['accepted'])
      // A conversion that is a duplicate by its id does not take its order either.
      expect(await h.store.insertEvents('shop', [event({ id: 'e4' }), conv('e4', 'A-4')])).toEqual(['accepted', 'duplicate'])
      expect(await h.store.insertEvents('shop', [conv('c5', 'A-4')])).toEqual(['accepted'])
    })

    it('answers every concurrent caller after its events are stored', async () => {
      const batches = Array.from({ length: 25 }, (_, i) => [event({ visitor: `v${i}` }), event({ visitor: `v${i}` })])
      const results = await Promise.all(batches.map((b) => h.store.insertEvents('shop', b)))
      expect(results.flat().filter((r) => r === 'accepted')).toHaveLength(50)
      expect((await h.store.insertEvents('shop', batches.flat())).every((r) => r === 'duplicate')).toBe(true)
    })

    it('assigns sessions: 30 minutes idle or a new campaign start a new one; late events join theirs', async () => {
      const min = 60_000
      const google = { ...event().touch, source: 'google', medium: 'cpc' }
      await h.store.insertEvents('shop', [
        event({ ts: T0, touch: google, channel: 'Paid Search' }),
        event({ ts: T0 + 10 * min }),
        event({ ts: T0 + 45 * min }),
        event({ ts: T0 + 46 * min, touch: google, channel: 'Paid Search' }),
      ])
      // A late event that happened inside the first session.
      await h.store.insertEvents('shop', [event({ ts: T0 + 5 * min, type: 'event', name: 'click' })])
      const s = await h.eventSessions('shop')
      expect(s[0]).toBe(s[1])
      expect(s[2]).not.toBe(s[1])
      expect(s[3]).not.toBe(s[2])
      expect(s[4]).toBe(s[0])
      const sessions = await h.sessions('shop')
      expect(sessions.map((x) => [x.channel, x.pageviews])).toEqual([['Paid Search', 2], ['Direct', 1], ['Paid Search', 1]])
    })

    it('gives events without a visitor no session', async () => {
      await h.store.insertEvents('shop', [event({ visitor: null })])
      expect(await h.eventSessions('shop')).toEqual([null])
    })

    it('quarantines rejected input and counts it by reason', async () => {
      await h.store.quarantine([
        { site: 'shop', received: T0, origin: 'browser', reason: 'too_old', message: 'm', payload: '{}' },
        { site: 'shop', received: T0, origin: 'browser', reason: 'too_old', message: 'm', payload: '{}' },
        { site: 'shop', received: T0 - 1, origin: 'server', reason: 'invalid_field', message: 'm', payload: '{}' },
        { site: 'blog', received: T0, origin: 'browser', reason: 'too_old', message: 'm', payload: '{}' },
      ])
      expect(await h.store.reports.quarantineCounts('shop', T0)).toEqual({ too_old: 2 })
    })

    it('keeps spend campaign ids, lists and deletes spend by filter', async () => {
      const row = { source: 'google', medium: 'cpc', campaign: 'Brand', cost: 1.5, impressions: 10, clicks: 1, currency: 'EUR' }
      await h.store.reports.upsertSpend('shop', [
        { ...row, date: '2026-11-01', campaignId: '111' }, { ...row, date: '2026-11-02', campaignId: '111' },
        { ...row, date: '2026-11-02', source: 'facebook', medium: 'paid', campaign: 'Brand' },
      ])
      expect(await h.store.reports.listSpend('shop', { source: 'google' }, 10)).toEqual([
        { ...row, date: '2026-11-01', campaignId: '111' }, { ...row, date: '2026-11-02', campaignId: '111' },
      ])
      expect(await h.store.reports.spendTotals('shop', '2026-11-01', '2026-11-30')).toMatchObject([
        { source: 'facebook', campaignId: null, cost: 1.5 }, { source: 'google', campaignId: '111', cost: 3 },
      ])
      expect(await h.store.reports.listSpend('shop', {}, 1)).toHaveLength(1)
      expect(await h.store.reports.deleteSpend('shop', { from: '2026-11-02', to: '2026-11-02', campaign: 'Brand' })).toBe(2)
      expect(await h.store.reports.listSpend('shop', {}, 10)).toEqual([{ ...row, date: '2026-11-01', campaignId: '111' }])
    })

    it('finds each conversion\'s last click of a platform within the lookback, with ads consent only', async () => {
      const min = 60_000
      const click = (visitor: string, ts: number, clickIdType: string, clickId: string, consent = 3) =>
        event({ visitor, ts, consent, url: `https://shop.example/?${clickIdType}=${clickId}`, touch: { ...event().touch, clickIdType, clickId }, channel: 'Paid Search' })
      const conv = (visitor: string, ts: number, orderId: string, consent = 3) =>
        event({ visitor, ts, consent, type: 'conversion', name: 'purchase', value: 5, currency: 'EUR', orderId })
      await h.store.insertEvents('shop', [
        click('a', T0 - 20 * min, 'gclid', 'G-old'), click('a', T0 - 10 * min, 'gbraid', 'B-new'), click('a', T0 - 5 * min, 'fbclid', 'F'),
        conv('a', T0, 'A'),
        click('b', T0 - 100 * min, 'gclid', 'G-b'), conv('b', T0 + min, 'B'),
        click('c', T0 - 5 * min, 'gclid', 'G-c'), conv('c', T0 + 2 * min, 'C', 1),
        click('d', T0 + 3 * min, 'gclid', 'G-after'), conv('d', T0 + 2 * min, 'D'),
      ])
      await new Deriver(h.store, { log: () => {} }).settle()
      const found = await h.store.reports.conversionClicks('shop', {
        range: { start: T0 - 86_400_000, end: T0 + 86_400_000 }, conversion: 'purchase', clickIdTypes: ['gclid', 'gbraid', 'wbraid'],
        lookbackMs: 60 * min, consentMask: 2,
      })
      // a: the later gbraid; b: its click is 101 minutes back; c: no ads consent; d: the click came after
      expect(found.map((f) => [f.orderId, f.clickIdType, f.clickId, f.clickTs])).toEqual([['A', 'gbraid', 'B-new', T0 - 10 * min]])
      expect(found[0]).toMatchObject({ name: 'purchase', ts: T0, value: 5, currency: 'EUR', clickUrl: 'https://shop.example/?gbraid=B-new' })
    })

    it('keeps destinations and an outbox that queues each conversion once and tracks its delivery', async () => {
      const ads = h.store.reports.ads
      const d = { site: 'shop', platform: 'meta', config: { pixelId: '1' }, secret: 's3cret', conversion: 'purchase', created: T0 }
      await ads.putDestination(d)
      await ads.putDestination({ ...d, config: { pixelId: '2' } })
      expect(await ads.destinations('shop')).toEqual([{ ...d, config: { pixelId: '2' } }])
      expect(await ads.destinations()).toHaveLength(1)
      const conv = (n: number) => ({
        id: `e${n}`, name: 'purchase', ts: T0 + n, value: 5, currency: 'EUR', orderId: null, url: null,
        clickIdType: 'fbclid', clickId: `F${n}`, clickTs: T0, clickUrl: null,
      })
      expect(await ads.enqueue('shop', 'meta', [conv(1), conv(2)], T0)).toBe(2)
      expect(await ads.enqueue('shop', 'meta', [conv(1), conv(3)], T0)).toBe(1)
      expect((await ads.claim('shop', 'meta', T0, 60_000, 10)).map((i) => [i.eventId, i.attempts, i.conversion.clickId])).toEqual([['e1', 0, 'F1'], ['e2', 0, 'F2'], ['e3', 0, 'F3']])
      // claimed: not handed out again until the lease ends
      expect(await ads.claim('shop', 'meta', T0 + 1, 60_000, 10)).toEqual([])
      await ads.markSent('shop', 'meta', ['e1'], T0 + 5)
      await ads.markRetry('shop', 'meta', ['e2'], 'HTTP 503', T0 + 30_000, 8)
      await ads.markRetry('shop', 'meta', ['e3'], 'HTTP 400', T0 + 30_000, 0)
      expect(await ads.claim('shop', 'meta', T0 + 1000, 60_000, 10)).toEqual([])
      expect((await ads.claim('shop', 'meta', T0 + 30_000, 60_000, 10)).map((i) => [i.eventId, i.attempts])).toEqual([['e2', 1]])
      expect(await ads.deliveries('shop', 'meta', 10)).toEqual([
        { eventId: 'e3', name: 'purchase', ts: T0 + 3, status: 'failed', attempts: 1, lastError: 'HTTP 400', sentAt: null },
        { eventId: 'e2', name: 'purchase', ts: T0 + 2, status: 'pending', attempts: 1, lastError: 'HTTP 503', sentAt: null },
        { eventId: 'e1', name: 'purchase', ts: T0 + 1, status: 'sent', attempts: 1, lastError: null, sentAt: T0 + 5 },
      ])
      expect(await ads.deliveryCounts('shop')).toEqual([
        { platform: 'meta', status: 'failed', n: 1 }, { platform: 'meta', status: 'pending', n: 1 }, { platform: 'meta', status: 'sent', n: 1 },
      ])
      expect(await ads.deleteDestination('shop', 'meta')).toBe(true)
      expect(await ads.deliveryCounts('shop')).toEqual([])
      expect(await ads.deleteDestination('shop', 'meta')).toBe(false)
    })
  })
}
