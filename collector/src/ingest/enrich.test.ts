import { describe, expect, it } from 'vitest'
import { CONSENT_ADS, CONSENT_ANALYTICS } from '../../../sdk/src/wire.ts'
import { enrich, type IncomingEvent, type RequestContext } from './enrich.ts'
import { anonymousVisitor } from './visitor.ts'

const TS = Date.UTC(2026, 10, 20, 10, 0, 0)
const SALT = 'f'.repeat(64)
const IP = '198.51.100.23'
const UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1'
const BOTH = CONSENT_ANALYTICS | CONSENT_ADS

const ctx = (over: Partial<RequestContext> = {}): RequestContext => ({
  site: 'shop', received: TS + 500, origin: 'browser', ip: IP, userAgent: UA, country: 'DE',
  webdriver: false, allowBots: false, salt: SALT, ...over,
})

const pageview = (over: Partial<IncomingEvent> = {}): IncomingEvent => ({
  type: 'pageview', name: 'pageview', ts: TS,
  url: 'https://shop.example/pricing?utm_source=google&utm_medium=cpc&utm_campaign=bf&gclid=EAIaIQ&email=ann%40mail.example#plans',
  referrer: 'https://www.google.com/search?q=shop&gclid=EAIaIQ',
  visitorId: 'v-4f6c', userId: 'u-9', consent: BOTH, ...over,
})

describe('enrich: visitor and user id follow analytics consent', () => {
  it('without consent the visitor is the daily hash, not the SDK id, and the user id is dropped', () => {
    const e = enrich(pageview({ consent: 0 }), ctx())
    expect(e.visitor).toMatch(/^h:[0-9a-f]{32}$/)
    expect(e.visitor).toBe(anonymousVisitor(SALT, 'shop', IP, UA))
    expect(e.visitor).not.toBe('v-4f6c')
    expect(e.userId).toBeNull()
  })

  it('with analytics consent the SDK visitor id and user id are kept', () => {
    const e = enrich(pageview({ consent: CONSENT_ANALYTICS }), ctx())
    expect(e.visitor).toBe('v-4f6c')
    expect(e.userId).toBe('u-9')
  })

  it('with analytics consent but no SDK id, the daily hash counts the visitor', () => {
    const e = enrich(pageview({ consent: CONSENT_ANALYTICS, visitorId: null }), ctx())
    expect(e.visitor).toBe(anonymousVisitor(SALT, 'shop', IP, UA))
  })

  it('ads consent alone does not allow the persistent visitor id', () => {
    const e = enrich(pageview({ consent: CONSENT_ADS }), ctx())
    expect(e.visitor).toBe(anonymousVisitor(SALT, 'shop', IP, UA))
    expect(e.userId).toBeNull()
  })

  it('the hash is per site', () => {
    expect(enrich(pageview({ consent: 0 }), ctx({ site: 'blog' })).visitor)
      .not.toBe(enrich(pageview({ consent: 0 }), ctx()).visitor)
  })

  it('has no visitor when there is neither IP nor user agent to hash', () => {
    expect(enrich(pageview({ consent: 0 }), ctx({ ip: null, userAgent: null })).visitor).toBeNull()
  })

  it('never stores the IP anywhere in the row', () => {
    expect(JSON.stringify(enrich(pageview({ consent: 0 }), ctx()))).not.toContain(IP)
    expect(JSON.stringify(enrich(pageview(), ctx()))).not.toContain(IP)
  })
})

describe('enrich: click ids follow ads consent', () => {
  it('with ads consent the click id is kept in the touch, URL and referrer', () => {
    const e = enrich(pageview({ consent: BOTH }), ctx())
    expect(e.touch.clickIdType).toBe('gclid')
    expect(e.touch.clickId).toBe('EAIaIQ')
    expect(e.url).toBe('https://shop.example/pricing?utm_source=google&utm_medium=cpc&utm_campaign=bf&gclid=EAIaIQ')
    expect(e.referrer).toBe('https://www.google.com/search?gclid=EAIaIQ')
  })

  it('with analytics only (consent 1) no click id survives in touch, URL or referrer', () => {
    const e = enrich(pageview({ consent: CONSENT_ANALYTICS }), ctx())
    expect(e.touch.clickIdType).toBeNull()
    expect(e.touch.clickId).toBeNull()
    expect(e.url).toBe('https://shop.example/pricing?utm_source=google&utm_medium=cpc&utm_campaign=bf')
    expect(e.referrer).toBe('https://www.google.com/search')
    expect(JSON.stringify(e)).not.toContain('EAIaIQ')
  })

  it('without ads consent an auto-tagged ad still counts as Paid Search', () => {
    const e = enrich(pageview({ url: 'https://shop.example/?gclid=EAIaIQ', referrer: null, consent: 0 }), ctx())
    expect(e.channel).toBe('Paid Search')
    expect(JSON.stringify(e)).not.toContain('EAIaIQ')
  })
})

describe('enrich: consent bits', () => {
  it('stores only the two known consent bits', () => {
    expect(enrich(pageview({ consent: 0xff }), ctx()).consent).toBe(BOTH)
    expect(enrich(pageview({ consent: 4 }), ctx()).consent).toBe(0)
    expect(enrich(pageview({ consent: 4 | CONSENT_ADS }), ctx()).consent).toBe(CONSENT_ADS)
  })

  it('unknown bits grant nothing', () => {
    const e = enrich(pageview({ consent: 4 | 8 }), ctx())
    expect(e.visitor).not.toBe('v-4f6c')
    expect(e.touch.clickId).toBeNull()
  })
})

describe('enrich: derived fields', () => {
  it('computes channel, path, device, browser and keeps the request country', () => {
    const e = enrich(pageview(), ctx())
    expect(e.channel).toBe('Paid Search')
    expect(e.path).toBe('/pricing')
    expect(e.touch).toMatchObject({ source: 'google', medium: 'cpc', campaign: 'bf', referrerHost: 'www.google.com' })
    expect(e.device).toBe('mobile')
    expect(e.browser).toBe('Safari')
    expect(e.country).toBe('DE')
    expect(e.bot).toBe(false)
  })

  it('a referral from a blog is Referral; internal navigation is Direct', () => {
    expect(enrich(pageview({ url: 'https://shop.example/', referrer: 'https://blog.example.org/post' }), ctx()).channel).toBe('Referral')
    expect(enrich(pageview({ url: 'https://shop.example/cart', referrer: 'https://shop.example/' }), ctx()).channel).toBe('Direct')
  })

  it('an empty props object is stored as null, real props as given', () => {
    expect(enrich(pageview({ props: {} }), ctx()).props).toBeNull()
    expect(enrich(pageview({ props: null }), ctx()).props).toBeNull()
    expect(enrich(pageview({ props: { plan: 'pro', seats: 3 } }), ctx()).props).toEqual({ plan: 'pro', seats: 3 })
  })

  it('keeps the event id, or makes a version 7 id from the event time', () => {
    expect(enrich(pageview({ id: '0193a1b2-0000-7000-8000-000000000001' }), ctx()).id).toBe('0193a1b2-0000-7000-8000-000000000001')
    const id = enrich(pageview(), ctx()).id
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(TS)
  })

  it('rounds the time to whole milliseconds and records the receive time', () => {
    const e = enrich(pageview({ ts: TS + 0.6 }), ctx())
    expect(e.ts).toBe(TS + 1)
    expect(e.received).toBe(TS + 500)
  })

  it('keeps conversion value, currency and order id', () => {
    const e = enrich({ type: 'conversion', name: 'purchase', ts: TS, value: 49.9, currency: 'EUR', orderId: 'A-1001', consent: 0 }, ctx())
    expect(e).toMatchObject({ type: 'conversion', name: 'purchase', value: 49.9, currency: 'EUR', orderId: 'A-1001', url: null, path: null })
  })

  it('marks bot traffic, unless bots are allowed', () => {
    const headless = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 Safari/537.36'
    expect(enrich(pageview(), ctx({ userAgent: headless })).bot).toBe(true)
    expect(enrich(pageview(), ctx({ webdriver: true })).bot).toBe(true)
    expect(enrich(pageview(), ctx({ userAgent: headless, allowBots: true })).bot).toBe(false)
  })
})
