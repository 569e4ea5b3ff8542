import { CLICK_IDS, UTM_PARAMS, parseUrl } from './touch.ts'

const KEEP = new Set<string>([...UTM_PARAMS, ...Object.keys(CLICK_IDS)])

/**
 * The URL as stored: origin, path and campaign parameters only. Other query strings
 * and fragments are dropped because they leak e-mails, tokens and session ids. Click
 * ids are dropped too without ads consent.
 *
 * @example
 * storableUrl('https://shop.example/a?email=x@y.z&utm_source=news#top', true)
 * // 'https://shop.example/a?utm_source=news'
 */
export function storableUrl(raw: string | URL | null | undefined, adsConsent: boolean): string | null {
  const u = parseUrl(raw)
  if (!u) return null
  const kept = new URLSearchParams()
  for (const [k, v] of u.searchParams) {
    if (!KEEP.has(k)) continue
    if (!adsConsent && k in CLICK_IDS) continue
    kept.append(k, v)
  }
  const qs = kept.toString()
  return `${u.origin}${u.pathname}${qs ? `?${qs}` : ''}`
}

/**
 * The path a pageview step matches. Hash-routed sites (`/#/pricing`, `/#!/pricing`) keep
 * the route in the fragment, so such a fragment becomes the rest of the path:
 * `/#/pricing` is `/pricing` and `/app/#/cart` is `/app/cart`. A plain anchor (`#faq`)
 * is not a route. The SDK's `pageKey` treats the same two forms as a new page.
 */
export function pathOf(raw: string | URL | null | undefined): string | null {
  const u = parseUrl(raw)
  if (!u) return null
  const route = /^#!?\//.test(u.hash) ? u.hash.slice(u.hash.indexOf('/')).split(/[?#]/)[0] : ''
  // Join without doubling the slash: '/' + '/pricing' must not give '//pricing'.
  const path = route ? u.pathname.replace(/\/+$/, '') + route : u.pathname
  return path.slice(0, 500)
}
