import type { Touch } from '../model.ts'

/** Campaign parameters we read from a landing URL, in the order DESIGN.md lists them. */
export const UTM_PARAMS = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content', 'utm_id'] as const

/**
 * Ad click ids we keep (for conversion uploads), each with the source and medium it
 * implies when utm_source is missing. Only Google's imply anything: GA4 reads gclid,
 * gbraid, wbraid and dclid as Google Ads, and ignores the others, so a Facebook link
 * with an fbclid but no utm tags is a referral from facebook.com, not a paid click.
 */
export const CLICK_IDS: Record<string, { source: string; medium: string } | null> = {
  gclid: { source: 'google', medium: 'cpc' },
  gbraid: { source: 'google', medium: 'cpc' },
  wbraid: { source: 'google', medium: 'cpc' },
  dclid: { source: 'google', medium: 'display' },
  fbclid: null,
  msclkid: null,
  ttclid: null,
  li_fat_id: null,
  twclid: null,
  yclid: null,
  rdt_cid: null,
  epik: null,
}

const MAX_PARAM = 200

/**
 * Parses a URL, or returns null for anything that is not an absolute http(s) URL. An
 * already parsed URL is passed through, so the ingest parses each URL once.
 */
export function parseUrl(raw: string | URL | null | undefined): URL | null {
  if (!raw) return null
  if (raw instanceof URL) return raw.protocol === 'http:' || raw.protocol === 'https:' ? raw : null
  try {
    const u = new URL(raw)
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : null
  } catch {
    return null
  }
}

/**
 * The touch a page URL and its referrer describe: campaign parameters, the first ad
 * click id, and the referring host when it is another site. Click ids are left out
 * without ads consent. A Google click id without utm_source implies google / cpc (dclid:
 * google / display), so auto-tagged ads are not reported as organic.
 *
 * @example
 * touchFromUrl('https://shop.example/?gclid=abc', 'https://www.google.com/', 'shop.example', true)
 * // { source: 'google', medium: 'cpc', clickIdType: 'gclid', clickId: 'abc', referrerHost: 'www.google.com', … }
 */
export function touchFromUrl(url: string | URL | null, referrer: string | URL | null, ownHost: string | null, adsConsent: boolean): Touch {
  const u = parseUrl(url)
  const q = u?.searchParams
  const get = (k: string) => {
    const v = q?.get(k)?.trim()
    return v ? v.slice(0, MAX_PARAM) : null
  }
  let clickIdType: string | null = null
  let clickId: string | null = null
  for (const k of Object.keys(CLICK_IDS)) {
    const v = get(k)
    if (v) { clickIdType = k; clickId = v; break }
  }
  const ref = parseUrl(referrer)
  const host = ownHost ?? u?.hostname ?? null
  const referrerHost = ref && ref.hostname !== host ? ref.hostname.toLowerCase() : null
  const implied = clickIdType ? CLICK_IDS[clickIdType] : null
  const source = get('utm_source')?.toLowerCase() ?? implied?.source ?? null
  const medium = get('utm_medium')?.toLowerCase() ?? (source && implied?.source === source ? implied.medium : null)
  return {
    source,
    medium,
    campaign: get('utm_campaign'),
    term: get('utm_term'),
    content: get('utm_content'),
    utmId: get('utm_id'),
    // Without ads consent the click id is dropped, but the platform it implied stays:
    // "a visit from a Google ad" is not personal data, the id is.
    clickIdType: adsConsent ? clickIdType : null,
    clickId: adsConsent ? clickId : null,
    referrerHost,
  }
}

/** True when the touch names a campaign or click id (a new one starts a new session). */
export function hasCampaign(t: Touch): boolean {
  return Boolean(t.source || t.medium || t.campaign || t.clickId || t.clickIdType)
}

/** A key that changes when a different campaign arrives. */
export function campaignKey(t: Touch): string | null {
  if (!hasCampaign(t)) return null
  // JSON keeps the fields apart: a '|' inside a utm value cannot make two campaigns equal.
  return JSON.stringify([t.source, t.medium, t.campaign, t.term, t.content, t.clickId])
}
