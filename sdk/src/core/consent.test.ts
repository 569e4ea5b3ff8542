import { describe, expect, it } from 'vitest'
import { CONSENT_ADS, CONSENT_ANALYTICS } from '../wire'
import { consentBits, DROP, HOLD, SEND, sendPolicy } from './consent'

const BOTH = CONSENT_ANALYTICS | CONSENT_ADS

describe('consentBits', () => {
  it('anonymous and opt-in deny both until a choice; opt-out grants both', () => {
    expect(consentBits('anonymous', undefined)).toBe(0)
    expect(consentBits(undefined, undefined)).toBe(0)
    expect(consentBits('opt-in', undefined)).toBe(0)
    expect(consentBits('opt-out', undefined)).toBe(BOTH)
  })

  it('follows the choice per category', () => {
    expect(consentBits('anonymous', { analytics: true })).toBe(CONSENT_ANALYTICS)
    expect(consentBits('anonymous', { analytics: true, ads: true })).toBe(BOTH)
    expect(consentBits('opt-out', { ads: false })).toBe(CONSENT_ANALYTICS)
    expect(consentBits('opt-out', { analytics: false, ads: false })).toBe(0)
  })

  it('Global Privacy Control always denies ads, even when granted', () => {
    expect(consentBits('opt-out', undefined, true)).toBe(CONSENT_ANALYTICS)
    expect(consentBits('anonymous', { analytics: true, ads: true }, true)).toBe(CONSENT_ANALYTICS)
  })

  it('Do Not Track (when respected) denies everything', () => {
    expect(consentBits('opt-out', { analytics: true, ads: true }, false, true)).toBe(0)
  })
})

describe('sendPolicy', () => {
  it('anonymous and opt-out send at once', () => {
    expect(sendPolicy('anonymous', undefined)).toBe(SEND)
    expect(sendPolicy('anonymous', { analytics: false })).toBe(SEND)
    expect(sendPolicy('opt-out', { analytics: false })).toBe(SEND)
  })

  it('opt-in holds until analytics is decided, then sends or drops', () => {
    expect(sendPolicy('opt-in', undefined)).toBe(HOLD)
    expect(sendPolicy('opt-in', { ads: true })).toBe(HOLD)
    expect(sendPolicy('opt-in', { analytics: true })).toBe(SEND)
    expect(sendPolicy('opt-in', { analytics: false })).toBe(DROP)
  })

  it('respected Do Not Track drops everything in every mode', () => {
    for (const mode of ['anonymous', 'opt-in', 'opt-out'] as const) expect(sendPolicy(mode, { analytics: true }, true)).toBe(DROP)
  })
})
