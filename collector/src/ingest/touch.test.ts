import { describe, expect, it } from 'vitest'
import type { Touch } from '../model.ts'
import { CLICK_IDS, UTM_PARAMS, campaignKey, hasCampaign, parseUrl, touchFromUrl } from './touch.ts'

const HOST = 'shop.example'
const NONE: Touch = {
  source: null, medium: null, campaign: null, term: null, content: null, utmId: null,
  clickIdType: null, clickId: null, referrerHost: null,
}

describe('touchFromUrl: campaign parameters', () => {
  it('reads all six utm parameters; source and medium are lower-cased, the rest kept as written', () => {
    const url = 'https://shop.example/pricing?utm_source=Newsletter&utm_medium=Email&utm_campaign=Black%20Friday'
      + '&utm_term=Running+Shoes&utm_content=Hero-Banner&utm_id=cmp_42'
    expect(touchFromUrl(url, null, HOST, true)).toEqual({
      ...NONE,
      source: 'newsletter', medium: 'email', campaign: 'Black Friday', term: 'Running Shoes', content: 'Hero-Banner', utmId: 'cmp_42',
    })
  })

  it('lists exactly the utm parameters DESIGN.md names', () => {
    expect([...UTM_PARAMS]).toEqual(['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content', 'utm_id'])
  })

  it('trims values, treats blank ones as absent and caps long ones at 200 characters', () => {
    const long = 'x'.repeat(500)
    const t = touchFromUrl(`https://shop.example/?utm_source=%20google%20&utm_medium=&utm_campaign=${long}`, null, HOST, true)
    expect(t.source).toBe('google')
    expect(t.medium).toBeNull()
    expect(t.campaign).toHaveLength(200)
  })

  it('has no campaign for a plain URL', () => {
    expect(touchFromUrl('https://shop.example/', null, HOST, true)).toEqual(NONE)
  })
})

describe('touchFromUrl: click ids', () => {
  // The platform each click id implies: only Google's, as in GA4, which reads gclid,
  // gbraid, wbraid and dclid as Google Ads and ignores the other platforms' ids.
  const IMPLIED: Record<string, [string, string] | null> = {
    gclid: ['google', 'cpc'],
    gbraid: ['google', 'cpc'],
    wbraid: ['google', 'cpc'],
    dclid: ['google', 'display'],
    fbclid: null,
    msclkid: null,
    ttclid: null,
    li_fat_id: null,
    twclid: null,
    yclid: null,
    rdt_cid: null,
    epik: null,
  }

  it('knows exactly the twelve click ids of DESIGN.md', () => {
    expect(Object.keys(CLICK_IDS).sort()).toEqual(Object.keys(IMPLIED).sort())
  })

  for (const [id, implied] of Object.entries(IMPLIED)) {
    it(`${id}: kept with ads consent and implies ${implied ? implied.join(' / ') : 'no source or medium'}`, () => {
      const t = touchFromUrl(`https://shop.example/?${id}=Abc-123_x`, null, HOST, true)
      expect(t).toEqual({ ...NONE, source: implied?.[0] ?? null, medium: implied?.[1] ?? null, clickIdType: id, clickId: 'Abc-123_x' })
    })
  }

  it('without ads consent drops the click id but keeps the platform it implies', () => {
    const t = touchFromUrl('https://shop.example/?gclid=EAIaIQobChMI', 'https://www.google.com/', HOST, false)
    expect(t).toEqual({ ...NONE, source: 'google', medium: 'cpc', referrerHost: 'www.google.com' })
  })

  it('utm_source and utm_medium win over the implied platform', () => {
    const t = touchFromUrl('https://shop.example/?gclid=abc&utm_source=partner&utm_medium=affiliate', null, HOST, true)
    expect(t).toMatchObject({ source: 'partner', medium: 'affiliate', clickIdType: 'gclid', clickId: 'abc' })
  })

  it('implies the medium only when utm_source agrees with the click id', () => {
    expect(touchFromUrl('https://shop.example/?gclid=abc&utm_source=Google', null, HOST, true).medium).toBe('cpc')
    expect(touchFromUrl('https://shop.example/?gclid=abc&utm_source=newsletter', null, HOST, true).medium).toBeNull()
  })

  it('ignores an empty click id', () => {
    expect(touchFromUrl('https://shop.example/?gclid=', null, HOST, true)).toEqual(NONE)
  })
})

describe('touchFromUrl: referrer', () => {
  it('keeps the host of another site, lower-cased', () => {
    expect(touchFromUrl('https://shop.example/', 'https://WWW.Google.CO.UK/search?q=x', HOST, true).referrerHost).toBe('www.google.co.uk')
  })

  it('a same-host referrer is not a referrer (internal navigation)', () => {
    expect(touchFromUrl('https://shop.example/checkout', 'https://shop.example/cart', HOST, true).referrerHost).toBeNull()
  })

  it('takes the own host from the page URL when none is given', () => {
    expect(touchFromUrl('https://shop.example/checkout', 'https://shop.example/cart', null, true).referrerHost).toBeNull()
    expect(touchFromUrl('https://shop.example/checkout', 'https://blog.example/', null, true).referrerHost).toBe('blog.example')
  })
})

describe('touchFromUrl: invalid input', () => {
  it('reads nothing from a URL that is not absolute http(s)', () => {
    for (const bad of ['not a url', '/pricing?utm_source=google', 'javascript:alert(1)?utm_source=x', 'ftp://shop.example/?gclid=x', '', null]) {
      expect(touchFromUrl(bad, null, HOST, true)).toEqual(NONE)
    }
  })

  it('ignores a referrer that is not an http(s) URL', () => {
    expect(touchFromUrl('https://shop.example/', 'android-app://com.google.android.gm', HOST, true).referrerHost).toBeNull()
    expect(touchFromUrl('https://shop.example/', 'garbage', HOST, true).referrerHost).toBeNull()
  })

  it('parseUrl accepts http and https only', () => {
    expect(parseUrl('https://a.example/x')?.pathname).toBe('/x')
    expect(parseUrl('http://a.example')?.hostname).toBe('a.example')
    expect(parseUrl('data:text/plain,hi')).toBeNull()
    expect(parseUrl(undefined)).toBeNull()
  })
})

describe('hasCampaign / campaignKey', () => {
  it('keeps fields apart: a separator inside a value cannot make two campaigns one', () => {
    const a = touchFromUrl('https://shop.example/?utm_source=a%7Cb', null, 'shop.example', true)
    const b = touchFromUrl('https://shop.example/?utm_source=a&utm_medium=b', null, 'shop.example', true)
    expect(campaignKey(a)).not.toBe(campaignKey(b))
  })

  const touch = (url: string, referrer: string | null = null, ads = true) => touchFromUrl(url, referrer, HOST, ads)

  it('a referrer alone is not a campaign', () => {
    const t = touch('https://shop.example/', 'https://blog.example/')
    expect(hasCampaign(t)).toBe(false)
    expect(campaignKey(t)).toBeNull()
  })

  it('utm parameters or a click id are a campaign', () => {
    expect(hasCampaign(touch('https://shop.example/?utm_campaign=spring'))).toBe(true)
    expect(hasCampaign(touch('https://shop.example/?fbclid=x'))).toBe(true)
    // Without ads consent the implied platform is still a campaign.
    expect(hasCampaign(touch('https://shop.example/?gclid=x', null, false))).toBe(true)
  })

  it('the same campaign gives the same key, whatever the referrer or other params', () => {
    const a = touch('https://shop.example/?utm_source=google&utm_medium=cpc&utm_campaign=bf', 'https://www.google.com/')
    const b = touch('https://shop.example/pricing?utm_source=google&utm_medium=cpc&utm_campaign=bf&ref=x', null)
    expect(campaignKey(a)).not.toBeNull()
    expect(campaignKey(a)).toBe(campaignKey(b))
  })

  it('a different campaign, term, content, source or click gives a different key', () => {
    const base = 'https://shop.example/?utm_source=google&utm_medium=cpc&utm_campaign=bf'
    const key = campaignKey(touch(base))
    for (const other of [
      'https://shop.example/?utm_source=google&utm_medium=cpc&utm_campaign=cm',
      `${base}&utm_term=shoes`,
      `${base}&utm_content=b`,
      'https://shop.example/?utm_source=bing&utm_medium=cpc&utm_campaign=bf',
      `${base}&gclid=second-click`,
    ]) expect(campaignKey(touch(other))).not.toBe(key)
  })
})
