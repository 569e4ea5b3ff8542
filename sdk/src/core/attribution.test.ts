import { describe, expect, it } from 'vitest'
import { addTouch, attributionOf, attributionValue, TOUCH_TTL_MS } from './attribution'

const ad = { utm_source: 'google', gclid: 'G1', time: 0 }
const mail = { utm_source: 'newsletter', time: 10 * 864e5 }

describe('addTouch', () => {
  it('keeps the first touch and moves the last one to each new touch', () => {
    const one = addTouch({}, ad, 0)
    expect(one).toEqual({ first: ad, last: ad })
    const two = addTouch(one, mail, mail.time)
    expect(two).toEqual({ first: ad, last: mail })
  })

  it('a direct revisit changes nothing', () => {
    expect(addTouch({ first: ad, last: mail }, undefined, mail.time + 1)).toEqual({ first: ad, last: mail })
  })

  it('forgets touches after 90 days', () => {
    expect(addTouch({ first: ad, last: mail }, undefined, TOUCH_TTL_MS + 1)).toEqual({ first: undefined, last: mail })
    expect(addTouch({ first: ad, last: ad }, mail, TOUCH_TTL_MS + 1)).toEqual({ first: mail, last: mail })
  })
})

describe('attributionOf', () => {
  it('shows click ids only with ads consent', () => {
    expect(attributionOf({ first: ad, last: mail }, true)).toEqual({ first: ad, last: mail, clickIds: { gclid: 'G1' } })
    expect(attributionOf({ first: ad, last: mail }, false)).toEqual({ first: { utm_source: 'google', time: 0 }, last: mail, clickIds: {} })
  })

  it('hands out copies, so a caller cannot change what is stored', () => {
    const a = attributionOf({ first: ad }, true)
    a.first!.utm_source = 'changed'
    expect(ad.utm_source).toBe('google')
  })
})

describe('attributionValue', () => {
  it('reads the last touch first, then the first touch', () => {
    const a = attributionOf({ first: ad, last: mail }, true)
    expect(attributionValue(a, 'utm_source')).toBe('newsletter')
    expect(attributionValue(a, 'gclid')).toBe('G1')
    expect(attributionValue(a, 'utm_campaign')).toBeUndefined()
  })
})
