/**
 * Default channel grouping, after GA4's default channel group. The rules are a table
 * checked top to bottom; the first that matches names the channel. Each row has a test.
 */
export interface ChannelInput {
  source: string | null
  medium: string | null
  clickIdType: string | null
  referrerHost: string | null
}

export type Channel =
  | 'Direct' | 'Paid Search' | 'Paid Social' | 'Display' | 'Affiliate' | 'Email'
  | 'Organic Search' | 'Organic Social' | 'Referral' | 'Other'

const SEARCH = ['google', 'bing', 'yahoo', 'duckduckgo', 'baidu', 'yandex', 'ecosia', 'qwant', 'naver', 'startpage', 'ask', 'aol', 'seznam', 'search.brave.com', 'kagi']
const SOCIAL = ['facebook', 'fb', 'instagram', 'linkedin', 'lnkd.in', 'twitter', 't.co', 'x.com', 'tiktok', 'pinterest', 'reddit', 'youtube', 'snapchat', 'threads', 'mastodon', 'whatsapp', 'telegram', 'quora', 'tumblr', 'vk', 'weibo', 'bsky', 'bsky.app']
const SEARCH_CLICK_IDS = ['gclid', 'gbraid', 'wbraid', 'msclkid', 'yclid']
const SOCIAL_CLICK_IDS = ['fbclid', 'ttclid', 'li_fat_id', 'twclid', 'rdt_cid', 'epik']
const PAID_MEDIUM = /^(.*cp.*|ppc|retargeting|paid.*)$/
const DISPLAY_MEDIUM = /^(display|banner|expandable|interstitial|cpm)$/
const EMAIL = /^(email|e-mail|e_mail|e mail|newsletter)$/
// Webmail clients sit on search and portal domains; a click from an inbox is Email, not search.
const WEBMAIL = ['mail.google.com', 'outlook.live.com', 'outlook.office.com', 'mail.yahoo.com', 'mail.aol.com', 'mail.yandex.ru']
const SOCIAL_MEDIUM = /^(social|social-network|social-media|sm|social network|social media|organic_social)$/

/**
 * True when a source or referrer host names one of the sites: `google`, `google.com`,
 * `www.google.co.uk` all name google; `notgoogle.com` does not.
 */
export function namesSite(value: string | null, sites: string[]): boolean {
  if (!value) return false
  const v = value.toLowerCase()
  const labels = v.split('.')
  return sites.some((s) => (s.includes('.') ? v === s || v.endsWith(`.${s}`) : labels.slice(0, Math.max(1, labels.length - 1)).includes(s) || v === s))
}

const isSearch = (x: ChannelInput) => namesSite(x.source, SEARCH) || namesSite(x.referrerHost, SEARCH)
const isSocial = (x: ChannelInput) => namesSite(x.source, SOCIAL) || namesSite(x.referrerHost, SOCIAL)
const paidMedium = (x: ChannelInput) => Boolean(x.medium && PAID_MEDIUM.test(x.medium))
const noCampaign = (x: ChannelInput) => !x.source && !x.medium && !x.clickIdType

/** The rules table: channel and the test that puts a visit in it, in priority order. */
export const CHANNEL_RULES: ReadonlyArray<readonly [Channel, (x: ChannelInput) => boolean]> = [
  ['Direct', (x) => (x.source === '(direct)' || noCampaign(x)) && !x.referrerHost],
  ['Affiliate', (x) => x.medium === 'affiliate'],
  ['Display', (x) => Boolean(x.medium && DISPLAY_MEDIUM.test(x.medium)) || x.clickIdType === 'dclid'],
  ['Paid Social', (x) => (namesSite(x.source, SOCIAL) && paidMedium(x)) || x.medium === 'paid_social' || SOCIAL_CLICK_IDS.includes(x.clickIdType ?? '')],
  ['Paid Search', (x) => (namesSite(x.source, SEARCH) && paidMedium(x)) || SEARCH_CLICK_IDS.includes(x.clickIdType ?? '')],
  ['Email', (x) => Boolean((x.source && EMAIL.test(x.source)) || (x.medium && EMAIL.test(x.medium))) || (noCampaign(x) && namesSite(x.referrerHost, WEBMAIL))],
  ['Organic Social', (x) => Boolean(x.medium && SOCIAL_MEDIUM.test(x.medium)) || (!paidMedium(x) && isSocial(x))],
  ['Organic Search', (x) => x.medium === 'organic' || (!paidMedium(x) && isSearch(x))],
  ['Referral', (x) => ['referral', 'app', 'link'].includes(x.medium ?? '') || (noCampaign(x) && Boolean(x.referrerHost))],
]

/**
 * The channel of a visit.
 *
 * @example
 * channelOf({ source: 'google', medium: 'cpc', clickIdType: 'gclid', referrerHost: null }) // 'Paid Search'
 */
export function channelOf(x: ChannelInput): Channel {
  for (const [channel, test] of CHANNEL_RULES) if (test(x)) return channel
  return 'Other'
}
