import { describe, expect, it } from 'vitest'
import { CHANNEL_RULES, channelOf, type Channel } from './channel.ts'
import { parseSourceCategories, SOURCE_CATEGORIES, sourceCategory, type SourceCategory } from './source-categories.ts'
import { COUNTRY_DOMAIN_ENGINES, searchEngineOf, sourceMediumOf } from './traffic-source.ts'
import { touchFromUrl } from './touch.ts'

const SHOP = 'https://shop.example/landing'

/** A visit as the collector sees it: landing URL and referrer, with ads consent unless told. */
interface Visit {
  what: string
  url: string
  referrer?: string
  ads?: boolean
}

const touchOf = (v: Visit) => touchFromUrl(v.url, v.referrer ?? null, 'shop.example', v.ads ?? true)
const channelOfVisit = (v: Visit) => channelOf(touchOf(v))

// One or more realistic visits per row of CHANNEL_RULES (GA4's table, in its order),
// plus the Other (GA4: Unassigned) fallback. Typed as Record<Channel, …> so a new
// channel cannot be added without a case here.
const CASES: Record<Channel, Visit[]> = {
  'Direct': [
    { what: 'typed-in URL, no referrer, no campaign', url: SHOP },
    { what: 'utm_source=(direct) even with a referrer (utm wins)', url: `${SHOP}?utm_source=(direct)`, referrer: 'https://blog.example.org/' },
    { what: 'utm_campaign alone names no source or medium', url: `${SHOP}?utm_campaign=spring` },
    { what: 'an fbclid with no referrer and no utm: GA4 ignores fbclid', url: `${SHOP}?fbclid=IwAR2xYz` },
    { what: 'an msclkid with no referrer and no utm', url: `${SHOP}?msclkid=5f3a` },
  ],
  'Cross-network': [
    { what: 'campaign name contains cross-network', url: `${SHOP}?utm_source=google&utm_medium=cpc&utm_campaign=pmax_cross-network_eu` },
  ],
  'Paid Shopping': [
    { what: 'shopping source with a paid medium', url: `${SHOP}?utm_source=amazon&utm_medium=cpc` },
    { what: 'google / cpc with a shopping campaign name', url: `${SHOP}?utm_source=google&utm_medium=cpc&utm_campaign=Shopping_EU` },
  ],
  'Paid Search': [
    { what: 'google / cpc with gclid', url: `${SHOP}?utm_source=google&utm_medium=cpc&gclid=EAIaIQobChMI` },
    { what: 'gclid alone (auto-tagging) implies google / cpc', url: `${SHOP}?gclid=EAIaIQobChMI`, referrer: 'https://www.google.com/' },
    { what: 'gbraid alone', url: `${SHOP}?gbraid=0AAAAA` },
    { what: 'wbraid alone', url: `${SHOP}?wbraid=Cj0KCQ` },
    { what: 'gclid without ads consent: the id goes, the platform stays', url: `${SHOP}?gclid=EAIaIQobChMI`, ads: false },
    { what: 'bing / ppc', url: `${SHOP}?utm_source=bing&utm_medium=ppc` },
    { what: 'yahoo / paidsearch', url: `${SHOP}?utm_source=yahoo&utm_medium=paidsearch` },
  ],
  'Paid Social': [
    { what: 'facebook / paid_social', url: `${SHOP}?utm_source=facebook&utm_medium=paid_social&utm_campaign=bf` },
    { what: 'linkedin / cpc', url: `${SHOP}?utm_source=linkedin&utm_medium=cpc` },
    { what: 'l.facebook.com / retargeting', url: `${SHOP}?utm_source=l.facebook.com&utm_medium=retargeting` },
  ],
  'Paid Video': [
    { what: 'youtube / cpc', url: `${SHOP}?utm_source=youtube&utm_medium=cpc` },
    { what: 'vimeo / paid', url: `${SHOP}?utm_source=vimeo&utm_medium=paid` },
  ],
  'Display': [
    { what: 'google / display', url: `${SHOP}?utm_source=google&utm_medium=display&utm_campaign=remarketing` },
    { what: 'banner on an ad network', url: `${SHOP}?utm_source=criteo&utm_medium=banner` },
    { what: 'cpm buy (cpm is also "paid"; Display is checked first for unlisted sources)', url: `${SHOP}?utm_source=adroll&utm_medium=cpm` },
    { what: 'dclid auto-tagging (Campaign Manager) implies google / display', url: `${SHOP}?dclid=CJ3u8aXq` },
  ],
  'Paid Other': [
    { what: 'a paid medium with a source on no list', url: `${SHOP}?utm_source=podcastnetwork&utm_medium=cpc` },
    { what: 'paid_social with no source', url: `${SHOP}?utm_medium=paid_social` },
    { what: 'google.com is not on the list (google is): google.com / cpc', url: `${SHOP}?utm_source=google.com&utm_medium=cpc` },
  ],
  'Organic Shopping': [
    { what: 'a link from an eBay listing', url: SHOP, referrer: 'https://www.ebay.de/itm/123' },
    { what: 'shopping campaign name with an unlisted source', url: `${SHOP}?utm_source=partner&utm_medium=feed&utm_campaign=summer-shop` },
  ],
  'Organic Social': [
    { what: 'l.facebook.com referrer, no utm', url: SHOP, referrer: 'https://l.facebook.com/' },
    { what: 'a Facebook link with fbclid but no paid medium (GA4: Organic Social)', url: `${SHOP}?fbclid=IwAR2xYz`, referrer: 'https://l.facebook.com/' },
    { what: 'www.linkedin.com referrer (www. dropped: linkedin.com is listed)', url: SHOP, referrer: 'https://www.linkedin.com/feed/' },
    { what: 't.co referrer (X / Twitter)', url: SHOP, referrer: 'https://t.co/AbC123' },
    { what: 'twitter / social', url: `${SHOP}?utm_source=twitter&utm_medium=social` },
    { what: 'medium social-media with an unknown source', url: `${SHOP}?utm_source=community&utm_medium=social-media` },
  ],
  'Organic Video': [
    { what: 'www.youtube.com referrer', url: SHOP, referrer: 'https://www.youtube.com/' },
    { what: 'medium containing video', url: `${SHOP}?utm_source=partner&utm_medium=video_embed` },
  ],
  'Organic Search': [
    { what: 'www.google.co.uk referrer, no utm', url: SHOP, referrer: 'https://www.google.co.uk/' },
    { what: 'google.de referrer', url: SHOP, referrer: 'https://google.de/' },
    { what: 'duckduckgo.com referrer', url: SHOP, referrer: 'https://duckduckgo.com/' },
    { what: 'ecosia.org referrer (listed as a host)', url: SHOP, referrer: 'https://www.ecosia.org/search?q=shop' },
    { what: 'de.search.yahoo.com referrer', url: SHOP, referrer: 'https://de.search.yahoo.com/' },
    { what: 'medium organic', url: `${SHOP}?utm_source=newsengine&utm_medium=organic` },
    { what: 'google with no medium', url: `${SHOP}?utm_source=google` },
  ],
  'Referral': [
    { what: 'a blog links to the shop', url: SHOP, referrer: 'https://blog.example.org/best-tools-2026' },
    { what: 'accounts.google.com is not search (exact host matching)', url: SHOP, referrer: 'https://accounts.google.com/' },
    { what: 'a click from Gmail on the web (mail.google.com is on no list, as in GA4)', url: SHOP, referrer: 'https://mail.google.com/' },
    { what: 'notgoogle.com is a referral, not a search engine', url: SHOP, referrer: 'https://notgoogle.com/' },
    { what: 'cnn.com: "cnn" is on the list as search, but cnn.com is not an engine', url: SHOP, referrer: 'https://www.cnn.com/' },
    { what: 'search.brave.com is not on Google\'s list', url: SHOP, referrer: 'https://search.brave.com/search?q=shop' },
    { what: 'medium referral', url: `${SHOP}?utm_source=partner.example&utm_medium=referral` },
    { what: 'medium app', url: `${SHOP}?utm_source=someapp&utm_medium=app` },
  ],
  'Email': [
    { what: 'newsletter / email', url: `${SHOP}?utm_source=newsletter&utm_medium=email&utm_campaign=nov` },
    { what: 'mailchimp / e-mail', url: `${SHOP}?utm_source=mailchimp&utm_medium=e-mail` },
    { what: 'source email, any medium', url: `${SHOP}?utm_source=email&utm_medium=footer` },
  ],
  'Affiliate': [
    { what: 'partner network with medium affiliate', url: `${SHOP}?utm_source=awin&utm_medium=affiliate&utm_campaign=spring` },
    { what: 'medium affiliate wins over a partner referrer', url: `${SHOP}?utm_source=partner&utm_medium=Affiliate`, referrer: 'https://deals.example.net/' },
  ],
  'Audio': [
    { what: 'podcast / audio', url: `${SHOP}?utm_source=podcast&utm_medium=audio` },
  ],
  'SMS': [
    { what: 'source sms', url: `${SHOP}?utm_source=sms&utm_medium=text` },
    { what: 'medium sms', url: `${SHOP}?utm_source=twilio&utm_medium=sms` },
  ],
  'Mobile Push Notifications': [
    { what: 'medium ending in push', url: `${SHOP}?utm_source=app&utm_medium=web-push` },
    { what: 'medium containing notification', url: `${SHOP}?utm_source=app&utm_medium=notification` },
    { what: 'source firebase', url: `${SHOP}?utm_source=firebase&utm_medium=inapp` },
  ],
  'Other': [
    { what: 'utm_source=foo&utm_medium=bar', url: `${SHOP}?utm_source=foo&utm_medium=bar` },
    { what: 'utm tags win over a search referrer', url: `${SHOP}?utm_source=foo&utm_medium=bar`, referrer: 'https://www.google.com/' },
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

  it('checks the rules in GA4\'s published order', () => {
    expect(CHANNEL_RULES.map(([name]) => name)).toEqual([
      'Direct', 'Cross-network', 'Paid Shopping', 'Paid Search', 'Paid Social', 'Paid Video', 'Display', 'Paid Other',
      'Organic Shopping', 'Organic Social', 'Organic Video', 'Organic Search', 'Referral', 'Email', 'Affiliate', 'Audio',
      'SMS', 'Mobile Push Notifications',
    ])
  })

  it('a same-site referrer does not make a visit a referral', () => {
    expect(channelOfVisit({ what: '', url: SHOP, referrer: 'https://shop.example/pricing' })).toBe('Direct')
  })

  it('classifies spend rows from source, medium and campaign alone', () => {
    expect(channelOf({ source: 'google', medium: 'cpc', referrerHost: null })).toBe('Paid Search')
    expect(channelOf({ source: 'facebook', medium: 'cpc', referrerHost: null })).toBe('Paid Social')
    expect(channelOf({ source: 'newsletter', medium: 'email', referrerHost: null })).toBe('Email')
    expect(channelOf({ source: 'google', medium: 'cpc', campaign: 'PMax Cross-Network', referrerHost: null })).toBe('Cross-network')
  })
})

describe('Google\'s source list, one check per category through real lookups', () => {
  const entries = (cat: SourceCategory) => [...SOURCE_CATEGORIES].filter(([, c]) => c === cat).map(([name]) => name)
  const PAID: Record<SourceCategory, Channel> = { search: 'Paid Search', social: 'Paid Social', video: 'Paid Video', shopping: 'Paid Shopping' }
  const ORGANIC: Record<SourceCategory, Channel> = { search: 'Organic Search', social: 'Organic Social', video: 'Organic Video', shopping: 'Organic Shopping' }

  it('holds Google\'s four categories with the published counts', () => {
    expect(SOURCE_CATEGORIES.size).toBe(819)
    expect({ search: entries('search').length, social: entries('social').length, video: entries('video').length, shopping: entries('shopping').length })
      .toEqual({ search: 129, social: 592, video: 46, shopping: 52 })
  })

  for (const cat of ['search', 'social', 'video', 'shopping'] as const) {
    it(`every ${cat} source is ${PAID[cat]} with a paid medium and ${ORGANIC[cat]} without, as utm_source and as a referrer host`, () => {
      const wrong: string[] = []
      for (const name of entries(cat)) {
        const q = encodeURIComponent(name)
        const paid = channelOfVisit({ what: '', url: `${SHOP}?utm_source=${q}&utm_medium=cpc` })
        const organic = channelOfVisit({ what: '', url: `${SHOP}?utm_source=${q}&utm_medium=referral` })
        if (paid !== PAID[cat]) wrong.push(`${name} / cpc: ${paid}`)
        if (organic !== ORGANIC[cat]) wrong.push(`${name} / referral: ${organic}`)
        // A listed host is also recognised as a referrer, with or without www.
        if (/^[a-z0-9.-]+\.[a-z]{2,}$/.test(name)) {
          for (const host of [name, `www.${name}`]) {
            const ch = channelOfVisit({ what: '', url: SHOP, referrer: `https://${host}/` })
            if (ch !== ORGANIC[cat]) wrong.push(`referrer ${host}: ${ch}`)
          }
        }
      }
      expect(wrong).toEqual([])
    })
  }

  it('matches names exactly, not by substring, and ignores case', () => {
    expect(sourceCategory('google')).toBe('search')
    expect(sourceCategory('Google')).toBe('search')
    expect(sourceCategory('igshopping')).toBe('shopping')
    expect(sourceCategory('accounts.google.com')).toBeNull()
    expect(sourceCategory('googleads.example')).toBeNull()
    expect(sourceCategory('facebook.com.evil.example')).toBeNull()
    expect(sourceCategory(null)).toBeNull()
  })

  it('refuses a data file it cannot read, naming the line', () => {
    expect(() => parseSourceCategories('source,category\n')).toThrow(/line 1/)
    expect(() => parseSourceCategories('source,source_category\ngoogle,SOURCE_CATEGORY_SEARCH\nbing,SEARCH\n')).toThrow(/line 3.*bing,SEARCH/)
    expect(() => parseSourceCategories('source,source_category\na,SOURCE_CATEGORY_VIDEO,x\n')).toThrow(/line 2/)
  })
})

describe('referrer hosts as GA4 sources', () => {
  it('names the engine for its result pages on any country domain', () => {
    for (const host of ['www.google.com', 'google.de', 'www.google.co.uk', 'www.google.com.br', 'GOOGLE.FR.']) expect(searchEngineOf(host)).toBe('google')
    expect(searchEngineOf('www.bing.com')).toBe('bing')
    expect(searchEngineOf('cn.bing.com')).toBe('bing')
    expect(searchEngineOf('search.yahoo.com')).toBe('yahoo')
    expect(searchEngineOf('de.search.yahoo.com')).toBe('yahoo')
    expect(searchEngineOf('yandex.ru')).toBe('yandex')
    expect(searchEngineOf('m.baidu.com')).toBe('baidu')
    expect(searchEngineOf('www.ecosia.org')).toBe('ecosia.org')
  })

  it('does not take other services on an engine\'s domain, or look-alikes, for search', () => {
    for (const host of ['accounts.google.com', 'mail.google.com', 'docs.google.com', 'notgoogle.com', 'google.evil.example', 'www.cnn.com', 'globo.com', 'blog.example.org']) {
      expect(searchEngineOf(host)).toBeNull()
    }
  })

  it('lists only country-domain engines that are search engines on Google\'s list', () => {
    expect([...COUNTRY_DOMAIN_ENGINES].filter((e) => sourceCategory(e) !== 'search')).toEqual([])
  })

  it('gives source / medium as GA4 shows them: <engine> / organic, <host> / referral, (direct) / (none)', () => {
    const sm = (v: Visit) => sourceMediumOf(touchOf(v))
    expect(sm({ what: '', url: SHOP, referrer: 'https://www.google.com/' })).toEqual({ source: 'google', medium: 'organic' })
    expect(sm({ what: '', url: SHOP, referrer: 'https://www.facebook.com/' })).toEqual({ source: 'facebook.com', medium: 'referral' })
    expect(sm({ what: '', url: `${SHOP}?fbclid=x`, referrer: 'https://l.facebook.com/' })).toEqual({ source: 'l.facebook.com', medium: 'referral' })
    expect(sm({ what: '', url: SHOP, referrer: 'https://accounts.google.com/' })).toEqual({ source: 'accounts.google.com', medium: 'referral' })
    expect(sm({ what: '', url: `${SHOP}?gclid=x` })).toEqual({ source: 'google', medium: 'cpc' })
    expect(sm({ what: '', url: `${SHOP}?utm_source=newsletter` })).toEqual({ source: 'newsletter', medium: '(not set)' })
    expect(sm({ what: '', url: SHOP })).toEqual({ source: '(direct)', medium: '(none)' })
  })
})
