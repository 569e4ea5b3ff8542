import { describe, expect, it } from 'vitest'
import { decodeGroup, encodeGroup } from './inbox-codec.ts'
import { event } from '../../../test/store/contract.ts'

describe('inbox rows', () => {
  it('give back every field of every event, and take well under half the bytes of plain JSON', () => {
    const events = [
      event(),
      event({ id: 'c1', type: 'conversion', name: 'purchase', value: 49.9, currency: 'EUR', orderId: 'A-1', props: { plan: 'pro', n: 2, ok: true }, bot: true,
        touch: { source: 'google', medium: 'cpc', campaign: 'brand', term: 't', content: 'c', utmId: 'u', clickIdType: 'gclid', clickId: 'x', referrerHost: 'www.google.com' },
        userId: 'u-9', title: 'Thanks', lang: 'de', screen: 1440, country: 'DE', origin: 'server', consent: 3 }),
    ]
    const text = encodeGroup(events)
    expect(decodeGroup(text)).toEqual(events)
    expect(text.length).toBeLessThan(JSON.stringify(events).length * 0.5)
  })
})
