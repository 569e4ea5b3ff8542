/**
 * GA4's default channel group: the published rules
 * (https://support.google.com/analytics/answer/9756891, "Channels for manual traffic"),
 * in their order, over GA4's session source and medium (see traffic-source.ts) and
 * Google's list of search, social, video and shopping sources (collector/data/).
 * The first rule that matches names the channel; each row has a test.
 *
 * Names: DESIGN.md's ten channels keep DESIGN.md's names, which are GA4's except
 * `Affiliate` (GA4: Affiliates) and `Other` (GA4: Unassigned). GA4's other channels keep
 * GA4's names rather than being folded into ours, so a youtube / cpc visit is Paid Video
 * in both tools: Cross-network, Paid Shopping, Paid Video, Paid Other, Organic Shopping,
 * Organic Video, Audio, SMS and Mobile Push Notifications. No report or dashboard lists
 * channels by name, so they show as rows like any other.
 *
 * Click ids: GA4 reads only Google's. gclid, gbraid and wbraid imply google / cpc (Paid
 * Search) and dclid google / display (Display), both in touch.ts, and only when
 * utm_source is absent. fbclid, msclkid, ttclid and the rest are kept for conversion
 * uploads but say nothing about the channel: a Facebook link with an fbclid and no
 * utm_medium is `facebook.com / referral`, Organic Social, as in GA4.
 *
 * Where we differ from GA4, knowingly: GA4 can refine Google Ads traffic by the Ads
 * campaign's network (Display, YouTube, Shopping, Performance Max) through the Ads link;
 * we see only the URL, so an auto-tagged Google ad is Paid Search. GA4's conditions are
 * matched on lower-cased values (the ingest lower-cases source and medium; campaign is
 * compared lower-cased here).
 */
import { sourceCategory, type SourceCategory } from './source-categories.ts'
import { DIRECT_SOURCE, NO_MEDIUM, NOT_SET, sourceMediumOf, type TouchSource } from './traffic-source.ts'

export interface ChannelInput extends TouchSource {
  campaign?: string | null
}

export type Channel =
  | 'Direct' | 'Cross-network' | 'Paid Shopping' | 'Paid Search' | 'Paid Social' | 'Paid Video'
  | 'Display' | 'Paid Other' | 'Organic Shopping' | 'Organic Social' | 'Organic Video'
  | 'Organic Search' | 'Referral' | 'Email' | 'Affiliate' | 'Audio' | 'SMS'
  | 'Mobile Push Notifications' | 'Other'

/** What the rules read: GA4's session source, medium and campaign, and the source's category. */
export interface ChannelFacts {
  source: string
  medium: string
  campaign: string
  category: SourceCategory | null
}

const PAID_MEDIUM = /^(.*cp.*|ppc|retargeting|paid.*)$/
const SHOPPING_CAMPAIGN = /^(.*(([^a-df-z]|^)shop|shopping).*)$/
const DISPLAY_MEDIUMS = ['display', 'banner', 'expandable', 'interstitial', 'cpm']
const SOCIAL_MEDIUMS = ['social', 'social-network', 'social-media', 'sm', 'social network', 'social media']
const EMAIL_VALUES = ['email', 'e-mail', 'e_mail', 'e mail']

const paid = (x: ChannelFacts) => PAID_MEDIUM.test(x.medium)
const shopping = (x: ChannelFacts) => x.category === 'shopping' || SHOPPING_CAMPAIGN.test(x.campaign)

/** The rules table, in GA4's order: channel and the condition that puts a visit in it. */
export const CHANNEL_RULES: ReadonlyArray<readonly [Channel, (x: ChannelFacts) => boolean]> = [
  ['Direct', (x) => x.source === DIRECT_SOURCE && (x.medium === NOT_SET || x.medium === NO_MEDIUM)],
  ['Cross-network', (x) => x.campaign.includes('cross-network')],
  ['Paid Shopping', (x) => shopping(x) && paid(x)],
  ['Paid Search', (x) => x.category === 'search' && paid(x)],
  ['Paid Social', (x) => x.category === 'social' && paid(x)],
  ['Paid Video', (x) => x.category === 'video' && paid(x)],
  ['Display', (x) => DISPLAY_MEDIUMS.includes(x.medium)],
  ['Paid Other', (x) => paid(x)],
  ['Organic Shopping', (x) => shopping(x)],
  ['Organic Social', (x) => x.category === 'social' || SOCIAL_MEDIUMS.includes(x.medium)],
  ['Organic Video', (x) => x.category === 'video' || x.medium.includes('video')],
  ['Organic Search', (x) => x.category === 'search' || x.medium === 'organic'],
  ['Referral', (x) => ['referral', 'app', 'link'].includes(x.medium)],
  ['Email', (x) => EMAIL_VALUES.includes(x.source) || EMAIL_VALUES.includes(x.medium)],
  ['Affiliate', (x) => x.medium === 'affiliate'],
  ['Audio', (x) => x.medium === 'audio'],
  ['SMS', (x) => x.source === 'sms' || x.medium === 'sms'],
  ['Mobile Push Notifications', (x) => x.medium.endsWith('push') || x.medium.includes('mobile') || x.medium.includes('notification') || x.source === 'firebase'],
]

/** The facts the rules read for a touch (or a spend row's source and medium). */
export function channelFacts(x: ChannelInput): ChannelFacts {
  const { source, medium } = sourceMediumOf(x)
  return { source, medium, campaign: (x.campaign ?? '').toLowerCase(), category: sourceCategory(source) }
}

/**
 * The channel of a visit: the first rule of CHANNEL_RULES that matches, else Other.
 *
 * @example
 * channelOf({ source: 'google', medium: 'cpc', referrerHost: null }) // 'Paid Search'
 * channelOf({ source: null, medium: null, referrerHost: 'l.facebook.com' }) // 'Organic Social'
 */
export function channelOf(x: ChannelInput): Channel {
  const facts = channelFacts(x)
  for (const [channel, test] of CHANNEL_RULES) if (test(facts)) return channel
  return 'Other'
}
