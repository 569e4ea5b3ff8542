import { CONSENT_ADS, CONSENT_ANALYTICS } from '../../../sdk/src/wire.ts'
import type { EnrichedEvent, EventOrigin, EventType, Props } from '../model.ts'
import { channelOf } from './channel.ts'
import { browserOf, deviceOf, isBotTraffic } from './device.ts'
import { pathOf, storableUrl } from './url.ts'
import { parseUrl, touchFromUrl } from './touch.ts'
import { anonymousVisitor } from './visitor.ts'
import { uuidv7 } from './uuid.ts'

/** One event from any door (browser batch, pixel, server API), validated, before enrichment. */
export interface IncomingEvent {
  id?: string
  type: EventType
  name: string
  /** Event time already corrected for client delay. */
  ts: number
  url?: string | null
  referrer?: string | null
  title?: string | null
  screen?: number | null
  lang?: string | null
  visitorId?: string | null
  userId?: string | null
  props?: Props | null
  value?: number | null
  currency?: string | null
  orderId?: string | null
  consent: number
}

/** What the request around the event tells: who sent it and from where. */
export interface RequestContext {
  site: string
  received: number
  origin: EventOrigin
  ip: string | null
  userAgent: string | null
  country: string | null
  webdriver: boolean
  allowBots: boolean
  /** Today's visitor salt; hashes visitors without analytics consent. */
  salt: string
}

/**
 * What every event of one request shares, worked out once per request: the user agent's
 * browser and bot verdict, and the cookieless visitor hash (a batch of 100 events parsed
 * the same user agent 100 times).
 */
export interface RequestFacts {
  browser: string | null
  bot: boolean
  anonymous: string | null
  /** Device by screen width (the user agent usually decides alone). */
  device(screen: number | null): 'mobile' | 'tablet' | 'desktop' | null
}

/**
 * @example
 * const facts = requestFacts(ctx)
 * const rows = events.map((e) => enrich(e, ctx, facts))
 */
export function requestFacts(ctx: RequestContext): RequestFacts {
  const uaDevice = deviceOf(ctx.userAgent, null)
  return {
    browser: browserOf(ctx.userAgent),
    bot: isBotTraffic(ctx.userAgent, ctx.webdriver, ctx.allowBots),
    anonymous: ctx.ip || ctx.userAgent ? anonymousVisitor(ctx.salt, ctx.site, ctx.ip ?? '', ctx.userAgent ?? '') : null,
    device: (screen) => uaDevice ?? deviceOf(null, screen),
  }
}

/**
 * Turns a validated event into the row we store, applying consent: without analytics
 * consent the visitor is the daily hash and no user id is kept; without ads consent no
 * click id survives in the touch, URL or referrer.
 *
 * @example
 * enrich({ type: 'pageview', name: 'pageview', ts, url: 'https://shop.example/?gclid=x', consent: 3, visitorId: 'v1' }, ctx)
 */
export function enrich(ev: IncomingEvent, ctx: RequestContext, facts: RequestFacts = requestFacts(ctx)): EnrichedEvent {
  const analytics = (ev.consent & CONSENT_ANALYTICS) !== 0
  const ads = (ev.consent & CONSENT_ADS) !== 0
  // Parsed once here; touch, path and stored URL all read the same URL object.
  const url = parseUrl(ev.url)
  const referrer = parseUrl(ev.referrer)
  const touch = touchFromUrl(url, referrer, url?.hostname ?? null, ads)
  const visitor = analytics && ev.visitorId ? ev.visitorId : facts.anonymous
  return {
    id: ev.id ?? uuidv7(ev.ts),
    type: ev.type,
    name: ev.name,
    ts: Math.round(ev.ts),
    received: ctx.received,
    visitor,
    userId: analytics ? ev.userId ?? null : null,
    path: pathOf(url),
    url: storableUrl(url, ads),
    referrer: storableUrl(referrer, ads),
    title: ev.title ?? null,
    touch,
    channel: channelOf(touch),
    device: facts.device(ev.screen ?? null),
    browser: facts.browser,
    country: ctx.country,
    lang: ev.lang ?? null,
    screen: ev.screen ?? null,
    value: ev.value ?? null,
    currency: ev.currency ?? null,
    orderId: ev.orderId ?? null,
    props: ev.props && Object.keys(ev.props).length ? ev.props : null,
    consent: ev.consent & (CONSENT_ANALYTICS | CONSENT_ADS),
    bot: facts.bot,
    origin: ctx.origin,
  }
}
