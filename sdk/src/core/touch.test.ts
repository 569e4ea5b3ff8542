import { describe, expect, it } from 'vitest'
import { CAMPAIGN, CAMPAIGN_KEYS, CLICK_ID, CLICK_IDS, stripClickIds, touchFrom } from './touch'

describe('touchFrom', () => {
  it('captures every campaign parameter and every click id DESIGN.md lists', () => {
    const keys = [...CAMPAIGN_KEYS, ...CLICK_IDS]
    const url = 'https://shop.example/?' + keys.map((k) => `${k}=v-${k}`).join('&') + '&utm_other=x&plan=pro'
    const t = touchFrom(url, '', 5)!
    expect(t).toEqual({ ...Object.fromEntries(keys.map((k) => [k, `v-${k}`])), time: 5 })
  })

  it('keeps the regexes and the documented lists in step', () => {
    for (const k of CLICK_IDS) expect(CLICK_ID.test(k), k).toBe(true)
    for (const k of CAMPAIGN_KEYS) expect(CAMPAIGN.test(k), k).toBe(true)
    for (const k of ['utm_sourcex', 'gclidx', 'xgclid', 'fbclid_', 'utm_', 'clid']) {
      expect(CLICK_ID.test(k) || CAMPAIGN.test(k), k).toBe(false)
    }
  })

  it('counts a referrer from another host as a touch, and ignores internal ones', () => {
    expect(touchFrom('https://shop.example/a', 'https://www.google.com/', 1)).toEqual({ referrer: 'https://www.google.com/', time: 1 })
    expect(touchFrom('https://shop.example/a', 'https://shop.example/b', 1)).toBeUndefined()
  })

  it('is undefined for a direct visit or empty parameters', () => {
    expect(touchFrom('https://shop.example/?utm_source=&plan=pro', '', 1)).toBeUndefined()
  })
})

describe('stripClickIds', () => {
  it('removes every click id and keeps the rest of the URL', () => {
    expect(stripClickIds('https://a.example/p?gclid=1&utm_source=g&fbclid=2&li_fat_id=3#top')).toBe('https://a.example/p?utm_source=g#top')
  })

  it('leaves URLs without click ids, undefined and garbage alone', () => {
    expect(stripClickIds('https://a.example/p?q=a%20b')).toBe('https://a.example/p?q=a%20b')
    expect(stripClickIds(undefined)).toBeUndefined()
    expect(stripClickIds('not a url')).toBe('not a url')
  })
})
