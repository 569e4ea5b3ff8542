import { describe, expect, it } from 'vitest'
import { CHANNEL_RULES, channelOf, namesSite, type Channel } from './channel.ts'
import { touchFromUrl } from './touch.ts'

const SHOP = 'https://shop.example/landing'

/** A visit as the collector sees it: landing URL and referrer, with ads consent unless told. */
interface Visit {
  what: string
  url: string
  referrer?: string
  ads?: boolean
}

const channelOfVisit = (v: Visit) => channelOf(touchFromUrl(v.url, v.referrer ?? null, 'shop.example', v.ads ?? true))

// One or more realistic visits per row of CHANNEL_RULES, plus the 'Other' fallback.
// Typed as Record<Channel, …> so a new channel cannot be added without a case here.
const CASES: Record<Channel, Visit[]> = {
  'Direct': [
    { what: 'typed-in URL, no referrer, no campaign', url: SHOP },
    { what: 'utm_source=(direct) without a referrer', url: `${SHOP}?utm_source=(direct)` },
    { what: 'utm_campaign alone names no source or medium', url: `${SHOP}?utm_campaign=spring` },
  ],
  'Affiliate': [
    { what: 'partner network with medium affiliate', url: `${SHOP}?utm_source=awin&utm_medium=affiliate&utm_campaign=spring` },
    { what: 'medium affiliate wins over a partner referrer', url: `${SHOP}?utm_source=partner&utm_medium=Affiliate`, referrer: 'https://deals.example.net/' },
  ],
  'Display': [
    { what: 'google / display', url: `${SHOP}?utm_source=google&utm_medium=display&utm_campaign=remarketing` },
    { what: 'banner on an ad network', url: `${SHOP}?utm_source=criteo&utm_medium=banner` },
    { what: 'cpm buy', url: `${SHOP}?utm_source=adroll&utm_medium=cpm` },
    { what: 'dclid auto-tagging (Campaign Manager)', url: `${SHOP}?dclid=CJ3u8aXq` },
  ],
  'Paid Social': [
    { what: 'facebook / paid_social', url: `${SHOP}?utm_source=facebook&utm_medium=paid_social&utm_campaign=bf` },
    { what: 'fbclid from a facebook ad', url: `${SHOP}?fbclid=IwAR2xYz`, referrer: 'https://l.facebook.com/' },
    { what: 'linkedin / cpc', url: `${SHOP}?utm_source=linkedin&utm_medium=cpc` },
    { what: 'ttclid (TikTok ads)', url: `${SHOP}?ttclid=E.C.P.abc` },
    { what: 'paid_social with no source', url: `${SHOP}?utm_medium=paid_social` },
  ],
  'Paid Search': [
    { what: 'google / cpc with gclid', url: `${SHOP}?utm_source=google&utm_medium=cpc&gclid=EAIaIQobChMI` },
    { what: 'gclid alone (auto-tagging)', url: `${SHOP}?gclid=EAIaIQobChMI`, referrer: 'https://www.google.com/' },
    { what: 'gclid without ads consent: the id goes, the platform stays', url: `${SHOP}?gclid=EAIaIQobChMI`, ads: false },
    { what: 'msclkid (Microsoft Ads)', url: `${SHOP}?msclkid=5f3a` },
    { what: 'bing / ppc', url: `${SHOP}?utm_source=bing&utm_medium=ppc` },
  ],
  'Email': [
    { what: 'newsletter / email', url: `${SHOP}?utm_source=newsletter&utm_medium=email&utm_campaign=nov` },
    { what: 'mailchimp / e-mail', url: `${SHOP}?utm_source=mailchimp&utm_medium=e-mail` },
    { what: 'source email, any medium', url: `${SHOP}?utm_source=email&utm_medium=footer` },
    { what: 'a click from Gmail on the web, not Google search', url: SHOP, referrer: 'https://mail.google.com/' },
  ],
  'Organic Social': [
    { what: 'l.facebook.com referrer, no utm', url: SHOP, referrer: 'https://l.facebook.com/' },
    { what: 't.co referrer (X / Twitter)', url: SHOP, referrer: 'https://t.co/AbC123' },
    { what: 'twitter / social', url: `${SHOP}?utm_source=twitter&utm_medium=social` },
    { what: 'medium social-media with an unknown source', url: `${SHOP}?utm_source=community&utm_medium=social-media` },
  ],
  'Organic Search': [
    { what: 'www.google.co.uk referrer, no utm', url: SHOP, referrer: 'https://www.google.co.uk/' },
    { what: 'duckduckgo referrer', url: SHOP, referrer: 'https://duckduckgo.com/' },
    { what: 'search.brave.com referrer', url: SHOP, referrer: 'https://search.brave.com/search?q=shop' },
    { what: 'medium organic', url: `${SHOP}?utm_source=google&utm_medium=organic` },
  ],
  'Referral': [
    { what: 'a blog links to the shop', url: SHOP, referrer: 'https://blog.example.org/best-tools-2026' },
    { what: 'notgoogle.com is a referral, not a search engine', url: SHOP, referrer: 'https://notgoogle.com/' },
    { what: 'medium referral', url: `${SHOP}?utm_source=partner.example&utm_medium=referral` },
  ],
  'Other': [
    { what: 'utm_source=foo&utm_medium=bar', url: `${SHOP}?utm_source=foo&utm_medium=bar` },
    { what: 'unknown medium with an unknown source', url: `${SHOP}?utm_source=podcast&utm_medium=audio` },
  ],
}

describe('channelOf', () => {
  for (const [channel, visits] of Object.entries(CASES)) {
    describe(channel, () => {
      for (const v of visits) {
        it(v.what, () => {
          expect(channelOfVisit(v)).toBe(channel)
        })
      }
    })
  }

  it('has a test case for every row of CHANNEL_RULES and for the Other fallback', () => {
    const names = [...CHANNEL_RULES.map(([name]) => name), 'Other']
    const untested = names.filter((n) => !(CASES as Record<string, Visit[]>)[n]?.length)
    expect(untested).toEqual([])
  })

  it('a same-site referrer does not make a visit a referral', () => {
    expect(channelOfVisit({ what: '', url: SHOP, referrer: 'https://shop.example/pricing' })).toBe('Direct')
  })

  it('classifies spend rows from source and medium alone', () => {
    expect(channelOf({ source: 'google', medium: 'cpc', clickIdType: null, referrerHost: null })).toBe('Paid Search')
    expect(channelOf({ source: 'facebook', medium: 'cpc', clickIdType: null, referrerHost: null })).toBe('Paid Social')
    expect(channelOf({ source: 'newsletter', medium: 'email', clickIdType: null, referrerHost: null })).toBe('Email')
  })
})

describe('namesSite', () => {
  const search = ['google', 'bing', 'search.brave.com']

  it('matches the bare name, the domain and subdomains with any country suffix', () => {
    expect(namesSite('google', search)).toBe(true)
    expect(namesSite('google.com', search)).toBe(true)
    expect(namesSite('www.google.co.uk', search)).toBe(true)
    expect(namesSite('WWW.Bing.COM', search)).toBe(true)
  })

  it('does not match a name that merely contains the site', () => {
    expect(namesSite('notgoogle.com', search)).toBe(false)
    expect(namesSite('googleads.example', search)).toBe(false)
  })

  it('does not match the site name when it is only the top-level label', () => {
    // 'bing' as a TLD is not Bing.
    expect(namesSite('shop.bing', search)).toBe(false)
  })

  it('matches dotted entries exactly or as a parent domain only', () => {
    expect(namesSite('search.brave.com', search)).toBe(true)
    expect(namesSite('eu.search.brave.com', search)).toBe(true)
    expect(namesSite('brave.com', search)).toBe(false)
    expect(namesSite('notsearch.brave.com', search)).toBe(false)
  })

  it('is false for no value', () => {
    expect(namesSite(null, search)).toBe(false)
    expect(namesSite('', search)).toBe(false)
  })
})
