import { describe, expect, it } from 'vitest'
import { pageKey } from './page'

describe('pageKey', () => {
  it('treats an anchor as the same page', () => {
    expect(pageKey('https://a.example/p?x=1#faq')).toBe('https://a.example/p?x=1')
    expect(pageKey('https://a.example/p')).toBe('https://a.example/p')
  })

  it('treats a hash route as its own page', () => {
    expect(pageKey('https://a.example/#/cart')).toBe('https://a.example/#/cart')
    expect(pageKey('https://a.example/#!/cart')).toBe('https://a.example/#!/cart')
  })
})
