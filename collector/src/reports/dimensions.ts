/**
 * The values reports group by, derived the same way everywhere from a session's entry
 * attributes, so the campaigns table, attribution and funnel breakdowns agree.
 *
 * - A session is a *touch* when it carries a campaign parameter, a click id or an
 *   external referrer and its channel is not Direct.
 * - Direct (no touch at all) is `Direct` as a channel and `(direct)` as source, medium
 *   and campaign.
 * - A touch without a source takes it from its click id (gclid → google) or the
 *   referrer's host; without a medium, `cpc` for click ids and `referral` for referrers;
 *   without a campaign, `(not set)`.
 */
import type { SessionAttrs, TouchAttrs } from '../store/report-types.ts'
import type { BreakdownDimension } from './types.ts'

export const DIRECT_CHANNEL = 'Direct'
export const DIRECT_VALUE = '(direct)'
export const NOT_SET = '(not set)'

/** The ad platform behind each click id parameter. */
const CLICK_ID_SOURCE: Record<string, string> = {
  gclid: 'google', gbraid: 'google', wbraid: 'google', dclid: 'google', fbclid: 'facebook',
  msclkid: 'bing', ttclid: 'tiktok', li_fat_id: 'linkedin', twclid: 'twitter', yclid: 'yandex',
  rdt_cid: 'reddit', epik: 'pinterest',
}

/** Whether a session can take attribution credit. */
export function isTouch(s: TouchAttrs): boolean {
  return s.channel !== DIRECT_CHANNEL &&
    (s.source !== null || s.medium !== null || s.campaign !== null || s.clickIdType !== null || s.referrerHost !== null)
}

/**
 * The value of a dimension for a session, or for no session at all (null: direct).
 *
 * @example
 * dimensionValue('source', { channel: 'Organic Search', referrerHost: 'www.google.com', source: null, … }) // 'www.google.com'
 * dimensionValue('channel', null) // 'Direct'
 */
export function dimensionValue(dim: Exclude<BreakdownDimension, 'experiment'>, s: (TouchAttrs & Partial<SessionAttrs>) | null): string {
  if (dim === 'device' || dim === 'browser' || dim === 'country') return s?.[dim] ?? '(unknown)'
  if (!s || !isTouch(s)) return dim === 'channel' ? (s?.channel ?? DIRECT_CHANNEL) : DIRECT_VALUE
  switch (dim) {
    case 'channel': return s.channel
    case 'source': return s.source ?? (s.clickIdType ? CLICK_ID_SOURCE[s.clickIdType] : undefined) ?? s.referrerHost ?? NOT_SET
    case 'medium': return s.medium ?? (s.clickIdType ? 'cpc' : s.referrerHost ? 'referral' : NOT_SET)
    case 'campaign': return s.campaign ?? NOT_SET
  }
}
