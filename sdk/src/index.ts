/**
 * Funnelbeam's module API for apps and SPAs: `npm install funnelbeam`, call `init` once,
 * then `track` / `convert` anywhere. Route changes are pageviews without extra code.
 *
 * @example
 * import { init, track, convert } from 'funnelbeam'
 * init({ site: 'shop', endpoint: 'https://collect.example.com' })
 * track('cta_click', { plan: 'pro' })
 * convert('purchase', { value: 49.9, currency: 'EUR', orderId: 'A-1001' })
 */
import { createTracker, type Api, type ConvertOptions, type Options, type Props } from './browser/tracker.js'
import type { Attribution } from './core/attribution.js'
import type { ConsentChoice } from './core/consent.js'

export type { Api, ConvertOptions, Options, Props } from './browser/tracker.js'
export type { Attribution, Touches } from './core/attribution.js'
export type { Touch } from './core/touch.js'
export type { ConsentChoice, ConsentMode } from './core/consent.js'

let api: Api | undefined
// Calls made before init() wait here and are replayed in order, like the script tag's stub queue.
const early: [keyof Api, unknown[]][] = []

function call<K extends keyof Api>(k: K, args: unknown[], fallback?: ReturnType<Api[K]>): ReturnType<Api[K]> {
  if (api) return (api[k] as (...a: unknown[]) => ReturnType<Api[K]>)(...args)
  // Without a browser (server-side rendering) nothing will ever init: keep nothing. Bounded
  // like the outbox, in case init never comes.
  if (typeof window != 'undefined' && early.length < 200) early.push([k, args])
  return fallback as ReturnType<Api[K]>
}

/**
 * Starts tracking: a pageview now and on every route change. Later calls are ignored;
 * without a browser (server-side rendering) it does nothing.
 *
 * @example
 * init({ site: 'shop', endpoint: 'https://collect.example.com', consent: 'opt-in' })
 */
export function init(options: Options): void {
  if (api || typeof window == 'undefined') return
  try {
    api = createTracker(options)
  } catch (e) {
    if (options?.debug) console.warn('[funnelbeam] init failed: ' + e)
    return
  }
  for (const [k, a] of early.splice(0)) (api[k] as (...x: unknown[]) => unknown)(...a)
}

/**
 * A custom event; answers its event id.
 *
 * @example
 * track('cta_click', { plan: 'pro' })
 */
export const track = (name: string, props?: Props): string | undefined => call('track', [name, props])

/**
 * A manual pageview (automatic on load and on SPA navigation).
 *
 * @example
 * page('/virtual/step-2')
 */
export const page = (url?: string): string | undefined => call('page', [url])

/**
 * A conversion; answers its event id, which a backend may reuse so a server-side copy
 * (CRM, ad platform API) is deduplicated against it.
 *
 * @example
 * const id = convert('purchase', { value: 49.9, currency: 'EUR', orderId: 'A-1001' })
 */
export const convert = (name: string, options?: ConvertOptions): string | undefined => call('convert', [name, options])

/**
 * Records the visitor's consent choice; remembered, and sent with every event.
 * Revoking analytics deletes what the SDK stored.
 *
 * @example
 * consent({ analytics: true, ads: false })
 */
export const consent = (choice: ConsentChoice): void => call('consent', [choice])

/**
 * Attaches a user id to later events; needs analytics consent.
 *
 * @example
 * identify('u-9')
 */
export const identify = (userId: string): void => call('identify', [userId])

/**
 * The visitor's sticky variant of an experiment; the first call sends one exposure event.
 * Before `init` it answers undefined.
 *
 * @example
 * const variant = experiment('hero', ['control', 'bold'], [50, 50])
 */
export const experiment = (name: string, variants: readonly string[], weights?: readonly number[]): string | undefined =>
  api ? api.experiment(name, variants, weights) : undefined

/**
 * The first and last marketing touch and their click ids, for forms and CRMs.
 *
 * @example
 * attribution().last?.utm_campaign // 'spring_sale'
 */
export const attribution = (): Attribution => (api ? api.attribution() : { clickIds: {} })

/**
 * Sends what is queued now; resolves when the collector answered (or the attempt failed).
 *
 * @example
 * await flush()
 */
export const flush = (): Promise<void> => (api ? api.flush() : Promise.resolve())
