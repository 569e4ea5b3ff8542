import type { WireEvent, WireProps, WireType } from '../wire.js'
import { uuidv7 } from '../core/uuid.js'
import { stripClickIds, touchFrom } from '../core/touch.js'
import { addTouch, attributionOf, attributionValue, type Attribution, type Touches } from '../core/attribution.js'
import { consentBits, DROP, HOLD, sendPolicy, type ConsentChoice, type ConsentMode } from '../core/consent.js'
import { assignVariant } from '../core/experiment.js'
import { pageKey } from '../core/page.js'
import { batchSize, MAX_QUEUE } from '../core/batch.js'
import { backoff, DONE, RETRY, verdict } from '../core/retry.js'
import { cleanProps } from '../core/props.js'
import { CHOICE_KEY, load, save, STATE_KEY } from './storage.js'
import { post } from './transport.js'
import { autocapture } from './autocapture.js'

export interface Options {
  /** Site id registered with the collector. */
  site: string
  /** Collector base URL, e.g. `https://collect.example.com`. */
  endpoint: string
  /** Consent mode; `anonymous` by default. */
  consent?: ConsentMode
  /** Pageviews on history and hash navigation; on by default. */
  spa?: boolean
  /** Tagged clicks, outbound links, downloads and `data-fb-convert` forms; on by default. */
  autocapture?: boolean
  /** Do Not Track denies everything: no events at all. */
  respectDnt?: boolean
  /** Logs to the console why an event was ignored or dropped. */
  debug?: boolean
}

/** Event props: strings, finite numbers and booleans. */
export type Props = WireProps

export interface ConvertOptions {
  /** Conversion value, e.g. the order total. */
  value?: number
  /** ISO 4217 code, e.g. `EUR`. */
  currency?: string
  /** Order id; the collector stores one conversion per name and order id. */
  orderId?: string
  props?: Props
}

/** The tracker API; every method swallows its own errors. */
export interface Api {
  track(name: string, props?: Props): string | undefined
  page(url?: string): string | undefined
  convert(name: string, options?: ConvertOptions): string | undefined
  consent(choice: ConsentChoice): void
  identify(userId: string): void
  experiment(name: string, variants: readonly string[], weights?: readonly number[]): string | undefined
  attribution(): Attribution
  flush(): Promise<void>
}

interface State {
  /** Visitor id. */
  v?: string
  /** User id from identify(). */
  d?: string
  /** First and last touch. */
  a?: Touches
  /** Experiment name to variant, once exposed. */
  x?: Record<string, string>
  /** Outbox: undelivered events. */
  o?: WireEvent[]
}

/**
 * Starts tracking in this page and returns the API. Browser glue only: every decision is
 * a pure function in `../core`.
 *
 * @example
 * const fb = createTracker({ site: 'shop', endpoint: 'https://collect.example.com' })
 * fb.track('cta_click', { plan: 'pro' })
 */
export function createTracker(o: Options): Api {
  const d = document
  const nav = navigator as Navigator & { globalPrivacyControl?: boolean }
  const now = Date.now
  // One place explains every ignored or dropped event, like Plausible's tracker.
  const log = (why: string): undefined => void (o.debug && console.warn('[funnelbeam] ' + why))
  const gpc = nav.globalPrivacyControl
  const dnt = o.respectDnt && nav.doNotTrack == '1'
  let choice = load<ConsentChoice>(CHOICE_KEY)
  const bits = () => consentBits(o.consent, choice, gpc, dnt)
  const policy = () => sendPolicy(o.consent, choice, dnt)
  // Nothing is read back unless analytics was granted.
  let st: State = (bits() & 1 && load<State>(STATE_KEY)) || {}
  let q: WireEvent[] = st.o || []
  const flying = new Set<WireEvent>()
  let timer: ReturnType<typeof setTimeout> | 0 = 0
  let attempt = 0
  let lastUrl: string | undefined
  const url = o.endpoint.replace(/\/$/, '') + '/collect'
  const landing = location.href
  const uuid = () => uuidv7(now(), Math.random)
  const vid = () => (st.v ||= uuid())
  const attribution = () => attributionOf(st.a || {}, bits() > 1)

  // Consent is stamped when an event leaves memory (for the collector or the outbox), so a
  // choice made while it waited applies, and without ads consent no click id ever leaves.
  const stamp = (e: WireEvent): WireEvent => {
    const c = bits()
    // The collector rejects URLs over 2048 characters rather than cutting them: cut here.
    const keep = (u?: string) => (c & 2 ? u : stripClickIds(u))?.slice(0, 2048)
    return { ...e, c, u: keep(e.u)!, r: keep(e.r), ...(c & 1 && { v: vid(), d: st.d }) }
  }

  const persist = () => {
    if (bits() & 1) save(STATE_KEY, { ...st, a: attribution(), o: q.map(stamp) })
  }

  // Under opt-in, events made before the choice wait in `q` (memory only: no consent, no
  // storage) and flush() holds them back until analytics is granted.
  const emit = (y: WireType, n: string, x: Partial<WireEvent>): string | undefined => {
    if (!n || policy() == DROP) return log(n ? 'no consent' : 'no name')
    const e = { i: uuid(), y, n, t: now(), u: location.href, ...x } as WireEvent
    if (q.push(e) > MAX_QUEUE) q.shift()
    persist()
    timer ||= setTimeout(flush, 1e3)
    return e.i
  }

  // `t` is set at send time: the collector corrects each event's time by the batch's delay.
  const body = (e: WireEvent[]) => JSON.stringify({ s: o.site, t: now(), b: nav.webdriver ? 1 : undefined, e: e.map(stamp) })

  // One batch at a time, then the next; events already in flight are not sent again, and
  // a request outlives the page (keepalive), so pagehide only has to start it: the code up
  // to the first await runs at once. (A timer still pending after an early flush only
  // finds less to send.)
  const flush = async (): Promise<void> => {
    timer = 0
    const rest = policy() == HOLD ? [] : q.filter((e) => !flying.has(e))
    const evs = rest.slice(0, batchSize(rest, body))
    if (!evs[0]) return
    evs.forEach((e) => flying.add(e))
    const [status, retryAfter] = await post(url, body(evs))
    evs.forEach((e) => flying.delete(e))
    const v = verdict(status)
    // Retrying is safe: the collector deduplicates by event id.
    if (v == RETRY) return void (timer ||= setTimeout(flush, backoff(attempt++, Math.random(), retryAfter)))
    attempt = 0
    if (v != DONE) log('rejected ' + status)
    q = q.filter((e) => !evs.includes(e))
    persist()
    return flush()
  }

  const fill = (root: ParentNode) =>
    root.querySelectorAll?.<HTMLInputElement>('input[data-fb-attribution]').forEach((i) => {
      const v = attributionValue(attribution(), i.getAttribute('data-fb-attribution')!)
      i.value = (v ?? i.value) as string
    })

  const page = (href?: string) => {
    const u = href ? new URL(href, location.href).href : location.href
    if (pageKey(u) == pageKey(lastUrl || '')) return log('same url')
    // An empty referrer is a direct visit; the collector reads '' as none.
    const r = lastUrl || d.referrer
    lastUrl = u
    st.a = addTouch(st.a || {}, touchFrom(u, r, now()), now())
    fill(d)
    return emit('p', 'pageview', { u, r, h: d.title.slice(0, 300), w: screen.width, l: nav.language })
  }

  const api: Api = {
    track: (name, props) => emit('e', name, { p: cleanProps(props) }),
    page,
    convert: (name, c = {}) => {
      // The collector checks value and currency; an invalid conversion is quarantined there, not lost.
      return emit('c', name, {
        a: c.value,
        m: c.currency?.toUpperCase(),
        o: c.orderId,
        p: cleanProps(c.props),
      })
    },
    consent: (c) => {
      const before = bits()
      // A category the new choice leaves out keeps its value.
      choice = { ...choice, ...c }
      save(CHOICE_KEY, choice)
      if (before & 1 && !(bits() & 1)) {
        // Revoked: forget the visitor and everything queued for them.
        save(STATE_KEY)
        st = {}
        q = []
      }
      // Granted in anonymous mode: the landing pageview already went out without an id, so a
      // `consent` event at the landing URL and referrer ties the visit's campaign to the new
      // visitor id. (Under opt-in the held pageview itself goes out with the id.)
      if (!(before & 1) && bits() & 1 && o.consent != 'opt-in') emit('e', 'consent', { u: landing, r: d.referrer })
      // Opt-in denied: what waited for the choice is dropped; granted: it is sent now.
      if (policy() == DROP) q = []
      persist()
      flush()
    },
    // The user id is only sent and stored with analytics consent (see stamp and persist).
    identify: (id) => {
      st.d = id + ''
      persist()
    },
    experiment: (name, variants, weights) => {
      if (!variants?.[0]) return log('no variants')
      const x = (st.x ||= {})
      if (!variants.includes(x[name])) {
        x[name] = assignVariant(vid(), name, variants, weights)
        emit('x', name, { p: { variant: x[name] } })
        persist()
      }
      return x[name]
    },
    attribution,
    flush,
  }
  // The host page must never see an exception from the SDK.
  for (const k in api) {
    const f = api[k as keyof Api] as (...a: unknown[]) => unknown
    ;(api as unknown as Record<string, unknown>)[k] = (...a: unknown[]) => {
      try {
        return f(...a)
      } catch (e) {
        log(e as string)
      }
    }
  }

  // The first pageview's batch timer also sends the outbox of an earlier page.
  const onNav = () => void api.page()
  if (o.spa != false) {
    for (const m of ['pushState', 'replaceState'] as const) {
      const orig = history[m]
      history[m] = function (this: History, ...a: Parameters<History['pushState']>) {
        orig.apply(this, a)
        onNav()
      }
    }
    // Browsers fire popstate for back/forward and for hash changes (location.hash = '#/cart').
    addEventListener('popstate', onNav)
  }
  // A back/forward-cache restore is a new view of the same URL.
  addEventListener('pageshow', (e) => void (e.persisted && ((lastUrl = ''), onNav())))
  addEventListener('pagehide', api.flush)
  d.addEventListener('visibilitychange', () => void (d.hidden && api.flush()))
  if (o.autocapture != false) autocapture({ ...api, fill })
  onNav()
  return api
}
