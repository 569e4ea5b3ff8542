/**
 * The values reports group by, derived the same way everywhere from a session's entry
 * attributes, so the campaigns table, attribution and funnel breakdowns agree.
 *
 * - A session is a *touch* when it carries a campaign parameter, a click id or an
 *   external referrer and its channel is not Direct.
 * - Direct (no touch at all) is `Direct` as a channel and `(direct)` as source, medium
 *   and campaign.
 * - Source and medium are GA4's session source / medium (ingest/traffic-source.ts), the
 *   same the channel rules read: utm values; else `<engine> / organic` for a search
 *   engine referrer and `<host> / referral` for another site; a missing one is
 *   `(not set)`. A campaign-less touch has campaign `(not set)`.
 */
import type { SessionAttrs, TouchAttrs } from '../store/report-types.ts'
import { DIRECT_SOURCE as DIRECT_VALUE, NOT_SET, sourceMediumOf } from '../ingest/traffic-source.ts'
import type { BreakdownDimension } from './types.ts'

export const DIRECT_CHANNEL = 'Direct'
export { DIRECT_VALUE, NOT_SET }
/** The label of a device, browser, country or landing page the collector does not know. */
export const UNKNOWN = '(unknown)'

/** Whether a session can take attribution credit. */
export function isTouch(s: TouchAttrs): boolean {
  return s.channel !== DIRECT_CHANNEL &&
    (s.source !== null || s.medium !== null || s.campaign !== null || s.clickIdType !== null || s.referrerHost !== null)
}

/**
 * The value of a dimension for a session, or for no session at all (null: direct).
 *
 * @example
 * dimensionValue('source', { channel: 'Organic Search', referrerHost: 'www.google.com', source: null, … }) // 'google'
 * dimensionValue('channel', null) // 'Direct'
 */
export function dimensionValue(dim: Exclude<BreakdownDimension, 'experiment'>, s: (TouchAttrs & Partial<SessionAttrs>) | null): string {
  if (dim === 'device' || dim === 'browser' || dim === 'country') return s?.[dim] ?? UNKNOWN
  if (dim === 'landing') return s?.landingPath ?? UNKNOWN
  if (dim === 'visitor') return s?.firstSession === undefined ? UNKNOWN : s.firstSession ? 'new' : 'returning'
  if (!s || !isTouch(s)) return dim === 'channel' ? (s?.channel ?? DIRECT_CHANNEL) : DIRECT_VALUE
  switch (dim) {
    case 'channel': return s.channel
    case 'source': return sourceMediumOf(s).source
    case 'medium': return sourceMediumOf(s).medium
    case 'campaign': return s.campaign ?? NOT_SET
  }
}

/** A stable key for a (source, medium, campaign) triple. */
function campaignTriple(source: string, medium: string, campaign: string): string {
  return JSON.stringify([source, medium, campaign])
}

/**
 * The key attribution credits by for a dimension. A campaign is (source, medium,
 * campaign), so Google's and Meta's "brand" campaigns stay apart.
 *
 * @example
 * attributionKey('campaign')(session) // '["google","cpc","brand"]'
 */
export function attributionKey(dim: Exclude<BreakdownDimension, 'experiment' | 'landing' | 'visitor'>): (t: TouchAttrs | null) => string {
  if (dim !== 'campaign') return (t) => dimensionValue(dim, t)
  return (t) => campaignTriple(dimensionValue('source', t), dimensionValue('medium', t), dimensionValue('campaign', t))
}

/** Rows keyed by `attributionKey`, readable: a campaign row's value is `google / cpc / brand` and it carries the parts. */
export function readableRows<R extends { value: string }>(dim: string, rows: R[]): (R & { source?: string; medium?: string; campaign?: string })[] {
  if (dim !== 'campaign') return rows
  return rows.map((r) => {
    const [source, medium, campaign] = JSON.parse(r.value) as [string, string, string]
    return { ...r, value: `${source} / ${medium} / ${campaign}`, source, medium, campaign }
  })
}

/** Removal effects keyed by `attributionKey`, with the same readable keys as the rows. */
export function readableEffects(dim: string, effects: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...effects].map(([k, v]) => [readableRows(dim, [{ value: k }])[0].value, v]))
}
