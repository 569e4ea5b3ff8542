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
export function storableUrl(raw: string | null | undefined, adsConsent: boolean): string | null {
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
 * The path a pageview step matches. Hash-routed sites (`/#/pricing`) keep the route
 * in the fragment, so a fragment that starts with `/` becomes part of the path.
 */
export function pathOf(raw: string | null | undefined): string | null {
  const u = parseUrl(raw)
  if (!u) return null
  const hashRoute = u.hash.startsWith('#/') ? u.hash.slice(1) : ''
  return (u.pathname + (hashRoute ? hashRoute.split('?')[0] : '')).slice(0, 500)
}
