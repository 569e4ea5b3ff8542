/** Campaign parameters captured from landing URLs (DESIGN.md, What it captures). */
export const CAMPAIGN_KEYS = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content', 'utm_id']

/** Ad click ids; they need `ads` consent to be stored or sent. */
export const CLICK_IDS = ['gclid', 'gbraid', 'wbraid', 'dclid', 'fbclid', 'msclkid', 'ttclid', 'li_fat_id', 'twclid', 'yclid', 'rdt_cid', 'epik']

// Regexes rather than list lookups: shorter in the script-tag build. A test checks they match the lists.
/** Matches a click id parameter name. */
export const CLICK_ID = /^(gclid|[gw]braid|dclid|fbclid|msclkid|ttclid|li_fat_id|twclid|yclid|rdt_cid|epik)$/
/** Matches a campaign parameter name. */
export const CAMPAIGN = /^utm_(source|medium|campaign|term|content|id)$/

/**
 * One marketing touch: the campaign parameters and click ids of a landing URL, the external
 * referrer, and `time` (ms since the epoch). Keys are the URL parameter names, so
 * `data-fb-attribution="gclid"` or `"utm_source"` reads them directly.
 */
export type Touch = { time: number } & { [key: string]: string | number }

/**
 * The touch a page view represents, or undefined for a direct or internal visit.
 * A referrer counts only when it comes from another host.
 *
 * @example
 * touchFrom('https://shop.example/?utm_source=google&gclid=abc', 'https://www.google.com/', 0)
 * // { utm_source: 'google', gclid: 'abc', referrer: 'https://www.google.com/', time: 0 }
 */
export function touchFrom(href: string, referrer: string | undefined, now: number): Touch | undefined {
  const url = new URL(href)
  const t = {} as Touch
  for (const [k, v] of url.searchParams) if (v && (CAMPAIGN.test(k) || CLICK_ID.test(k))) t[k] = v
  // Referrers come from document.referrer or the previous URL: always absolute URLs.
  if (referrer && new URL(referrer).host != url.host) t.referrer = referrer
  return Object.keys(t)[0] ? ((t.time = now), t) : undefined
}

/**
 * Removes every ad click id from a URL, for visitors without `ads` consent.
 * Other parameters are kept; undefined and unparsable input is returned as is.
 *
 * @example
 * stripClickIds('https://a.example/p?gclid=x&utm_source=g') // 'https://a.example/p?utm_source=g'
 */
export function stripClickIds(href: string): string
export function stripClickIds(href: string | undefined): string | undefined
export function stripClickIds(href: string | undefined): string | undefined {
  try {
    const url = new URL(href!)
    // Only a deletion reserializes the query; browser-made URLs come back unchanged.
    for (const k of [...url.searchParams.keys()]) if (CLICK_ID.test(k)) url.searchParams.delete(k)
    return url.href
  } catch {
    return href
  }
}
