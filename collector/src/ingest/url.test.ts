import { describe, expect, it } from 'vitest'
import { pathOf, storableUrl } from './url.ts'

describe('storableUrl', () => {
  it('keeps origin, path and campaign parameters; drops e-mails, tokens and the fragment', () => {
    const raw = 'https://shop.example/signup/done?email=ann%40mail.example&token=s3cr3t&utm_source=news&utm_campaign=nov&sid=9#top'
    expect(storableUrl(raw, true)).toBe('https://shop.example/signup/done?utm_source=news&utm_campaign=nov')
  })

  it('keeps click ids with ads consent', () => {
    expect(storableUrl('https://shop.example/?gclid=EAIa&utm_source=google&fbclid=IwAR', true))
      .toBe('https://shop.example/?gclid=EAIa&utm_source=google&fbclid=IwAR')
  })

  it('drops every click id without ads consent, keeps the utm parameters', () => {
    const raw = 'https://shop.example/p?gclid=a&gbraid=b&wbraid=c&dclid=d&fbclid=e&msclkid=f&ttclid=g&li_fat_id=h'
      + '&twclid=i&yclid=j&rdt_cid=k&epik=l&utm_medium=cpc'
    expect(storableUrl(raw, false)).toBe('https://shop.example/p?utm_medium=cpc')
  })

  it('has no "?" when nothing is kept', () => {
    expect(storableUrl('https://shop.example/thanks?order=A-1001&email=x%40y.z', true)).toBe('https://shop.example/thanks')
    expect(storableUrl('https://shop.example/?gclid=abc', false)).toBe('https://shop.example/')
  })

  it('keeps a non-default port, drops user info', () => {
    expect(storableUrl('http://ann:pw@localhost:5173/a?x=1', true)).toBe('http://localhost:5173/a')
  })

  it('is null for anything that is not an absolute http(s) URL', () => {
    for (const bad of [null, undefined, '', '/relative', 'mailto:ann@mail.example', 'javascript:alert(1)', 'not a url']) {
      expect(storableUrl(bad, true)).toBeNull()
    }
  })
})

describe('pathOf', () => {
  it('is the path without query or anchor', () => {
    expect(pathOf('https://shop.example/pricing?utm_source=x#plans')).toBe('/pricing')
    expect(pathOf('https://shop.example')).toBe('/')
  })

  it('takes a hash route as the path: /#/pricing is /pricing', () => {
    expect(pathOf('https://shop.example/#/pricing')).toBe('/pricing')
    expect(pathOf('https://shop.example/#!/pricing')).toBe('/pricing')
    expect(pathOf('https://shop.example/#/')).toBe('/')
  })

  it('joins a hash route to a sub-path without doubling the slash', () => {
    expect(pathOf('https://shop.example/app/#/cart')).toBe('/app/cart')
    expect(pathOf('https://shop.example/app#/cart')).toBe('/app/cart')
  })

  it('drops the query of a hash route', () => {
    expect(pathOf('https://shop.example/#/checkout?step=2')).toBe('/checkout')
  })

  it('a plain anchor is not a route', () => {
    expect(pathOf('https://shop.example/docs#install')).toBe('/docs')
  })

  it('caps the path at 500 characters', () => {
    expect(pathOf(`https://shop.example/${'a'.repeat(600)}`)).toHaveLength(500)
  })

  it('is null for an invalid URL', () => {
    expect(pathOf('pricing')).toBeNull()
    expect(pathOf(null)).toBeNull()
  })
})
