/**
 * Runs a built SDK (dist/esm/index.js or the script-tag dist/funnelbeam.js) inside a fresh
 * happy-dom window per test, so trackers from earlier tests cannot hear later events.
 * The SDK's free globals (window, document, fetch, timers, …) are bound to that window;
 * fetch and sendBeacon record what the SDK sends and answer like the collector would.
 */
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Window } from 'happy-dom'
import type { WireBatch, WireEvent } from '../src/wire'
import type { Api, Options } from '../src/browser/tracker'

export type Build = 'esm' | 'script'
export const BUILDS: Build[] = ['esm', 'script']
export const ENDPOINT = 'https://collect.example'

// Path strings, not URL objects: under happy-dom the global URL is the DOM's.
const dist = (f: string) => readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../../dist', f), 'utf8')

export interface Answer {
  status: number
  headers?: Record<string, string>
}

export interface PageOptions extends Partial<Options> {
  url?: string
  referrer?: string
  title?: string
  html?: string
  /** localStorage content before the SDK loads (e.g. from an earlier page). */
  storage?: Record<string, string>
  gpc?: boolean
  dnt?: boolean
  webdriver?: boolean
  /** The collector's answer to the n-th POST (0-based); 'network' makes fetch reject. */
  respond?: (batch: WireBatch, n: number) => Answer | 'network'
  /** The collector endpoint as a site would configure it (data-endpoint, or init's endpoint). */
  configuredEndpoint?: string
  /** Calls queued before the SDK is ready: the stub's queue (script tag) or calls before init() (ESM). */
  queue?: unknown[][]
  /** Code the collector serves before the script-tag build (`/funnelbeam.js?site=`'s consent default). */
  scriptPrefix?: string
}

export interface Post {
  url: string
  batch: WireBatch
  keepalive: boolean
  method: string
  bodyIsString: boolean
}

export interface TestPage {
  build: Build
  window: Window
  fb: Api
  posts: Post[]
  beacons: { url: string; batch: WireBatch }[]
  /** Delays the SDK asked its timers for (they run at once, so retries finish quickly). */
  delays: number[]
  logs: string[]
  /** Events of every POST, in send order. */
  events(): WireEvent[]
  /** Events the collector accepted (answered 2xx). */
  delivered(): WireEvent[]
  /** Everything the browser keeps: localStorage, sessionStorage and cookies. */
  kept(): { local: Record<string, string>; session: string[]; cookie: string }
  /** Lets timers and pending requests run. */
  settle(): Promise<void>
  close(): void
}

let sites = 0

/**
 * Opens a page with the SDK loaded from a build.
 *
 * @example
 * const p = await openPage('script', { url: 'https://shop.example/?utm_source=x' })
 * p.fb.track('cta'); await p.fb.flush(); p.events()
 */
export async function openPage(build: Build, o: PageOptions = {}): Promise<TestPage> {
  const w = new Window({ url: o.url ?? 'https://shop.example/landing' })
  const doc = w.document
  doc.title = o.title ?? 'Landing'
  if (o.html) doc.body.innerHTML = o.html
  for (const [k, v] of Object.entries(o.storage ?? {})) w.localStorage.setItem(k, v)
  Object.defineProperty(doc, 'referrer', { value: o.referrer ?? '', configurable: true })
  const nav = w.navigator as unknown as Record<string, unknown>
  Object.defineProperty(nav, 'webdriver', { value: o.webdriver ?? false, configurable: true })
  Object.defineProperty(nav, 'doNotTrack', { value: o.dnt ? '1' : null, configurable: true })
  Object.defineProperty(nav, 'globalPrivacyControl', { value: !!o.gpc, configurable: true })
  // The host page navigates nowhere in these tests: links and forms are cancelled after the SDK saw them.
  // (On window, in the bubble phase: after the SDK's capture listener and after click() looked.)
  for (const type of ['click', 'auxclick', 'submit']) w.addEventListener(type, (e) => e.preventDefault())

  const posts: Post[] = []
  const beacons: TestPage['beacons'] = []
  const answered: { batch: WireBatch; ok: boolean }[] = []
  const delays: number[] = []
  const logs: string[] = []
  const fetch = async (url: string, init: RequestInit) => {
    const batch = JSON.parse(init.body as string) as WireBatch
    const n = posts.push({ url, batch, keepalive: !!init.keepalive, method: init.method ?? 'GET', bodyIsString: typeof init.body == 'string' }) - 1
    await new Promise((r) => setTimeout(r, 1))
    const a = o.respond?.(batch, n) ?? { status: 200 }
    if (a == 'network') throw new TypeError('Failed to fetch')
    answered.push({ batch, ok: a.status < 300 })
    return new Response(JSON.stringify({ accepted: batch.e.length, duplicates: 0, rejected: [] }), { status: a.status, headers: a.headers })
  }
  nav.sendBeacon = (url: string, body: string) => (beacons.push({ url, batch: JSON.parse(body) }), true)
  const globals: Record<string, unknown> = {
    window: w, self: w, document: doc, navigator: nav, location: w.location, history: w.history, screen: w.screen,
    localStorage: w.localStorage, sessionStorage: w.sessionStorage,
    addEventListener: w.addEventListener.bind(w), fetch,
    setTimeout: (f: () => void, ms = 0) => (delays.push(ms), w.setTimeout(f, Math.min(ms, 2))),
    clearTimeout: (id: never) => w.clearTimeout(id),
    console: { ...console, warn: (...a: unknown[]) => logs.push(a.join(' ')) },
    crypto: globalThis.crypto,
  }
  const run = (code: string) => new Function(...Object.keys(globals), code)(...Object.values(globals))

  const site = o.site ?? `site${++sites}`
  let fb: Api
  if (build == 'script') {
    const stub = function (...a: unknown[]) { (stub.q ||= []).push(a) } as ((...a: unknown[]) => void) & { q?: unknown[][] }
    for (const call of o.queue ?? []) stub(...call)
    ;(w as unknown as Record<string, unknown>).funnelbeam = stub
    const el = doc.createElement('script')
    el.setAttribute('src', `${o.endpoint ?? ENDPOINT}/funnelbeam.js`)
    el.setAttribute('data-site', site)
    if (o.configuredEndpoint) el.setAttribute('data-endpoint', o.configuredEndpoint)
    if (o.consent) el.setAttribute('data-consent', o.consent)
    if (o.spa === false) el.setAttribute('data-spa', 'false')
    if (o.autocapture === false) el.setAttribute('data-autocapture', 'false')
    if (o.respectDnt) el.setAttribute('data-respect-dnt', '')
    if (o.debug) el.setAttribute('data-debug', '')
    doc.head.appendChild(el)
    Object.defineProperty(doc, 'currentScript', { get: () => el, configurable: true })
    run((o.scriptPrefix ?? '') + dist('funnelbeam.js'))
    Object.defineProperty(doc, 'currentScript', { get: () => null, configurable: true })
    fb = (w as unknown as { funnelbeam: Api }).funnelbeam
  } else {
    const mod = run(dist('esm/index.js').replace(/export\s*\{([^}]*)\};?\s*$/, 'return {$1}')) as Api & { init(o: Options): void }
    for (const [k, ...args] of o.queue ?? []) (mod as unknown as Record<string, (...a: unknown[]) => unknown>)[k as string]?.(...args)
    mod.init({ site, endpoint: o.configuredEndpoint ?? o.endpoint ?? ENDPOINT, consent: o.consent, spa: o.spa, autocapture: o.autocapture, respectDnt: o.respectDnt, debug: o.debug })
    fb = mod
  }

  const page: TestPage = {
    build, window: w, fb, posts, beacons, delays, logs,
    events: () => posts.flatMap((p) => p.batch.e),
    delivered: () => answered.filter((a) => a.ok).flatMap((a) => a.batch.e),
    kept: () => {
      const local: Record<string, string> = {}
      for (let i = 0; i < w.localStorage.length; i++) local[w.localStorage.key(i)!] = w.localStorage.getItem(w.localStorage.key(i)!)!
      const session = Array.from({ length: w.sessionStorage.length }, (_, i) => w.sessionStorage.key(i)!)
      return { local, session, cookie: doc.cookie }
    },
    settle: async () => { for (let i = 0; i < 15; i++) await new Promise((r) => setTimeout(r, 3)) },
    close: () => void w.happyDOM.abort().then(() => w.happyDOM.close()),
  }
  return page
}

/** Dispatches a click as a browser would, and tells whether anything cancelled it before the page's own handler. */
export function click(p: TestPage, el: Element, init: MouseEventInit = {}): { prevented: boolean } {
  const w = p.window
  let prevented = false
  const seen = (e: Event) => { prevented = e.defaultPrevented }
  el.ownerDocument.addEventListener(init.button == 1 ? 'auxclick' : 'click', seen, { capture: false, once: true })
  el.dispatchEvent(new w.MouseEvent(init.button == 1 ? 'auxclick' : 'click', { bubbles: true, cancelable: true, button: 0, ...init } as never) as unknown as Event)
  return { prevented }
}
