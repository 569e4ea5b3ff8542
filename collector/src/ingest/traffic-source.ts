/**
 * A visit's source and medium the way GA4 names them ("session source / medium"), from
 * what the ingest stores: campaign parameters win; without them a referrer is
 * `<engine> / organic` for a search engine on Google's list and `<host> / referral` for
 * anything else; with neither the visit is `(direct) / (none)`.
 */
import { sourceCategory } from './source-categories.ts'

export const DIRECT_SOURCE = '(direct)'
export const NO_MEDIUM = '(none)'
export const NOT_SET = '(not set)'

/** What a touch says about where a visit came from (stored per session). */
export interface TouchSource {
  source: string | null
  medium: string | null
  referrerHost: string | null
}

export interface SourceMedium {
  source: string
  medium: string
}

// Second-level labels under which country domains register names (google.co.uk,
// google.com.br, yahoo.co.jp). A public suffix list would be exact; this covers every
// search engine domain on Google's list and keeps the rule readable.
const SECOND_LEVEL = new Set(['co', 'com', 'net', 'org', 'ac', 'gov', 'edu', 'ne', 'or', 'go', 'gob'])
// Leading labels under which engines serve their results pages (www.google.de,
// m.baidu.com, search.yahoo.com). Other subdomains are other services: accounts.google.com
// and mail.google.com are referrals, as in GA4.
const RESULT_PAGE_LABELS = new Set(['www', 'm', 'search'])

/** `google` for `google.de`, `google.co.uk` and `google.com.br`; null for deeper hosts. */
function brandOf(host: string): string | null {
  const labels = host.split('.')
  if (labels.length === 2) return labels[0]
  const [brand, second, top] = labels
  if (labels.length === 3 && SECOND_LEVEL.has(second) && top.length === 2) return brand
  return null
}

const isEngine = (name: string | null): name is string => name !== null && sourceCategory(name) === 'search'

/**
 * Engines that serve results on `<name>.<country or generic domain>`. Google's list has
 * bare names (`google`) but GA4 matches referrer hosts against its own, unpublished
 * engine list; this is the part of it we can state. Without it, every bare search name on
 * the list would claim its domain: `cnn`, `globo` and `terra` are on the list as search,
 * yet a link from cnn.com is a referral in GA4. Each name is checked to be on the list.
 */
export const COUNTRY_DOMAIN_ENGINES: ReadonlySet<string> = new Set([
  'google', 'bing', 'yahoo', 'yandex', 'baidu', 'duckduckgo', 'naver', 'seznam', 'qwant',
  'sogou', 'daum', 'ask', 'aol', 'lycos', 'dogpile', 'rambler',
])

/**
 * The search engine a referrer host belongs to, named as on Google's list, or null.
 * A host on the list as search is that engine (`de.search.yahoo.com` → `yahoo`, since
 * `yahoo` is on the list; `ecosia.org` → `ecosia.org`). Otherwise the host, after one
 * `www.`, `m.` or `search.` label, must be exactly `<engine>.<country or generic domain>`
 * for one of COUNTRY_DOMAIN_ENGINES: `www.google.de` → `google`, `accounts.google.com`,
 * `mail.google.com` and `cnn.com` → null.
 *
 * @example
 * searchEngineOf('www.google.co.uk') // 'google'
 * searchEngineOf('accounts.google.com') // null
 */
export function searchEngineOf(host: string): string | null {
  const h = stripWww(host)
  const parts = h.split('.')
  if (isEngine(h)) {
    // The engine's own name where it is on the list too; otherwise the listed host.
    for (let i = 1; i < parts.length - 1; i++) {
      const brand = brandOf(parts.slice(i).join('.'))
      if (isEngine(brand)) return brand
    }
    const own = brandOf(h)
    return isEngine(own) ? own : h
  }
  const bare = RESULT_PAGE_LABELS.has(parts[0]) && parts.length > 2 ? parts.slice(1).join('.') : h
  const brand = brandOf(bare)
  return brand && COUNTRY_DOMAIN_ENGINES.has(brand) ? brand : null
}

/** A referrer host as a source name: lower case, without a trailing dot or leading `www.`. */
export function stripWww(host: string): string {
  const h = host.toLowerCase().replace(/\.$/, '')
  return h.startsWith('www.') ? h.slice(4) : h
}

/**
 * GA4's session source and medium for a touch.
 *
 * @example
 * sourceMediumOf({ source: null, medium: null, referrerHost: 'www.google.de' }) // { source: 'google', medium: 'organic' }
 * sourceMediumOf({ source: null, medium: null, referrerHost: 'www.facebook.com' }) // { source: 'facebook.com', medium: 'referral' }
 * sourceMediumOf({ source: 'newsletter', medium: null, referrerHost: null }) // { source: 'newsletter', medium: '(not set)' }
 */
export function sourceMediumOf(t: TouchSource): SourceMedium {
  if (t.source || t.medium) return { source: t.source ?? NOT_SET, medium: t.medium ?? NOT_SET }
  if (t.referrerHost) {
    const engine = searchEngineOf(t.referrerHost)
    return engine ? { source: engine, medium: 'organic' } : { source: stripWww(t.referrerHost), medium: 'referral' }
  }
  return { source: DIRECT_SOURCE, medium: NO_MEDIUM }
}
